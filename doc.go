// Package actionable is a Go SDK that decides which actions an object
// affords right now and applies one of them safely.
//
// A host application keeps its own Go types. It writes actions (a name, a
// condition, a change set, a permission, optional workflow states, an
// execution policy, post-conditions) in Go or in JSON rule files; the SDK
// compiles every expression once, type-checked against the host's type, and
// then answers two questions fast: which actions may this actor perform on
// this object now (and why not the others), and what happens when one is
// performed (optimistic locking, validation, an execution record, effects).
//
// # The flow
//
//	definitions (Go values or JSON)
//	      │  actions.Compile / actions.LoadJSON      every expression compiled once
//	      ▼
//	Catalog (immutable; swapped atomically by Engine.Swap)
//	      ├── Engine.Resolve / Engine.Explain         the applicable actions, and why not
//	      └── Engine.Execute                          load ─► version ─► permission + condition
//	                                                  ─► apply to a copy ─► validate ─► save + record
//	                                                  ─► effects
//
// # Packages
//
//   - conditions: expr expressions compiled against a struct type, evaluated
//     with pooled VMs, with limits, date and membership functions, and
//     Explain, which says which clauses made a condition false.
//   - actions: definitions, the catalog, the resolver, the executor, stores
//     and the execution journal. It knows nothing of HTTP.
//   - adapters/...: net/http handlers reproducing one vendor's wire format
//     each (OpenProject custom actions, Akana workflow actions, Salesforce
//     action links, Workfront document-webhook custom actions). Mount them
//     on your own http.ServeMux.
//   - actionstest: helpers for unit-testing a host's business rules.
//
// The examples directory holds whole programs: examples/quickstart (rules
// from a file, resolve and explain) and examples/server (every adapter on one
// server, over in-memory demo data).
package actionable
