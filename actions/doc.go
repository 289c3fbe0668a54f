// Package actions decides which actions an object affords right now and
// applies one of them safely.
//
// Actions are definitions (Go values or a JSON rule file) compiled once
// against the host's own object type T into an immutable [Catalog]. An
// [Engine] over a catalog and a [Store] resolves the actions applicable to
// one object for one [Actor], explains why the others are not, and executes
// one with optimistic locking, validation and an execution record.
//
// # Quick start
//
//	type Ticket struct {
//		Status   string `json:"status"`
//		Assignee string `json:"assignee"`
//		Progress int    `json:"progress" validate:"gte=0,lte=100"`
//	}
//
//	cat, err := actions.Compile[Ticket]([]actions.Definition{{
//		ID: "close", Name: "Close", Permission: "edit",
//		Workflow: &actions.Workflow{Field: "status", From: []string{"open"}, To: "closed"},
//	}})
//	store := actions.NewMemoryStore[Ticket]()
//	engine, err := actions.New(cat, store)
//
//	list, err := engine.Resolve(ctx, "T-1", ticket, actor)      // what can actor do?
//	why, err := engine.Explain(ctx, "close", "T-1", ticket, actor) // why not?
//	res, err := engine.Execute(ctx, actions.Request{
//		ActionID: "close", ObjectID: "T-1", Version: 3, Actor: actor,
//	})
//
// # Expressions
//
// Conditions, change expressions and post-conditions are expr expressions
// (see package conditions). They read the exported fields of T by their Go
// names at the top level (Status, Progress), and the actor as Actor
// (Actor.ID, "manager" in Actor.Roles). An expr struct tag renames a field
// for expressions (`expr:"state"`) or hides it (`expr:"-"`). T therefore
// must not have a field expressions read as Actor, nor two fields they read
// by one name: Compile refuses such a type. Every expression is compiled and
// type-checked when the catalog is compiled; nothing is compiled on a
// request path. expr compares values of one type only: a field of a named
// string type (type Status string) is compared as string(Status) == "new".
//
// # Change sets
//
// A change set is an ordered list of Field := Expr. Fields are named by their
// Go or JSON name. Every expression is evaluated against the object as it was
// before the action, so changes do not see each other. The expression's type
// is checked against the field's when the catalog is compiled; numbers
// convert between Go's numeric types when no precision is lost, nil clears a
// field, and a value is wrapped in a pointer for a pointer field. Lists and
// maps, which expr builds as []any and map[string]any (concat(Tags, ["x"]),
// {"team": "core"}), are converted element by element when the change is
// applied; an element of the wrong type is an error then. A float
// expression for an integer field is a compile error unless it says how to
// drop the fraction (int, round, floor or ceil), and a number that does not
// fit its field when applied (too big, or with a fraction) is an error: no
// value is made up by Go's conversion rules. A change of a field whose
// states are declared ([WithStates]) is checked when applied, too.
//
// A Workflow is sugar for a condition on a state field plus a change of it,
// and lets the resolver look only at the actions that accept the object's
// current state.
//
// # Resolving many actions quickly
//
// A catalog files its actions by the values their conditions, guards and
// workflows require of up to seven string fields (Status == "new", Type in
// ["Bug", "Task"], a workflow's From), so that Resolve evaluates only the
// actions that may apply to the object; the parts of a condition that read
// only the actor are answered once per request, and [Engine.ResolveAll]
// shares them, and one journal call, across a batch. The index decides
// exactly as evaluating every condition would (a property test checks
// it); a comparison the index does not see, such as string(Status) == "new"
// on a named string type or an ||, only makes Resolve look at more
// actions.
//
// A list view's rows mostly share the values its rules read: a page of work
// packages in a few statuses and types. When every condition, guard and
// workflow of a catalog reads only T's fields (of string, boolean, number,
// []string or pointer-to-those types) and the actor, through the
// language's functions (no host function, nothing that reads the clock:
// now, date, daysSince, daysUntil), what applies to an object is decided by
// those values; ResolveAll then decides once per distinct combination and
// reuses the answer for every row that has it, asking the journal for each
// row's execution policies still. A decision during which a rule failed is
// made again for the next row, so that the observer hears of every failure.
//
// # Execution
//
// [Engine.Execute] loads the object, rejects a missing or stale version with
// [ErrConflict], checks permission ([ErrForbidden]) and applicability
// ([ErrNotApplicable] with a [*NotApplicableError]), applies the change set
// to a copy, validates it with the validator/v10 tags of T and the action's
// post-conditions (every violation in one [*ValidationError]), and saves it
// only if the version is still the one loaded; the store records the
// [Execution] in the same step. Effects run after the save; an effect may
// finish later ([ErrPending]) and is then completed with [Engine.Complete].
// [Catalog.Apply] is the pure core of this, for rule tests.
//
// # Rules that fail
//
// A condition that fails at run time (a type error on odd data, a budget
// exceeded, a host function's error) makes its own action not applicable,
// and only that one: Resolve lists the others, Explain gives a Reason of
// kind [ReasonError] carrying the *conditions.Error, Execute refuses with a
// [*NotApplicableError] that unwraps to it. The engine tells its [Observer]
// ([WithObserver]; by default [LogObserver] logs the failure with
// slog.Default), so that a broken rule is seen, not silent. A context that
// ends is not a rule failure: it ends the request.
//
// # Stores and the journal
//
// A [Store] loads and saves objects with versions; it is all an engine needs
// ([Creator] adds objects, for hosts and tests). Store.Save takes the
// execution record to write in the same step, or nil to save without one
// (loading data). The store assigns each record its [Execution].Seq: the
// journal's order, which a database keeps, and what [Filter] pages by (After
// and Limit oldest first, Before and Limit with Newest). A [Journal] reads
// the records, answers the execution policies of every action of a request
// in one [Journal.Policies] call, and finishes pending executions. A
// [Pruner] bounds the journal ([Retention]: drop records older than a time
// or beyond a count); what Policies reads is kept, so that dropping records
// never makes a Once or OncePerUser action executable again.
//
// [MemoryStore] implements all four: its journal is indexed by id, by
// object and by what policies read, and grows in blocks, so that neither a
// policy check nor an append slows down as it grows. Package actionstest's
// TestStore checks another implementation against the same contract.
//
// # Time
//
// A catalog has one clock, set with [WithClock] (or a conditions.WithClock
// given through [WithConditionOptions]): rules read it as now(), and an
// engine running the catalog stamps its executions with it.
//
// # Errors
//
// Every error can be matched with errors.Is against [ErrNotFound],
// [ErrForbidden], [ErrConflict], [ErrNotApplicable] and [ErrEffectFailed], or
// retrieved with errors.As as [*NotFoundError], [*NotApplicableError],
// [*ValidationError], [*EffectError], [*LoadError] or *conditions.Error.
// Whenever Execute returns an error other than *EffectError, nothing was
// stored.
//
// # Concurrency
//
// A Catalog is immutable, in fact: an [Action] is a handle whose accessors
// return copies, and nothing a caller reaches changes how the catalog
// resolves or executes. An Engine is safe for concurrent use. [Engine.Swap]
// installs a new catalog atomically while requests are in flight. Store and
// Journal implementations must be safe for concurrent use; [MemoryStore] is.
package actions
