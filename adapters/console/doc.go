// Package console serves web pages on which rule authors see why an action
// is or is not offered: a plain http.Handler over an [actions.Engine] that a
// host mounts on its own mux, as net/http/pprof's pages are mounted, never
// on http.DefaultServeMux.
//
// # Quick start
//
//	h, err := console.New(engine, console.Options[Ticket]{
//		Authorize: func(r *http.Request) (actions.Actor, error) {
//			u, ok := sessions.Admin(r) // the host's own sign-in
//			if !ok {
//				return actions.Actor{}, console.ErrUnauthenticated
//			}
//			return u.Actor(), nil
//		},
//		Samples: []console.Sample[Ticket]{{Name: "new ticket", Object: Ticket{Status: "new"}}},
//	})
//	mux.Handle("/console/", http.StripPrefix("/console", h))
//
// # Pages
//
// Catalog (/) lists every action in position order with its id, name,
// description, permission, workflow, guards or condition, changes, inputs,
// post-conditions, effects, policy and reserved flag, and draws a picture of
// each workflow as SVG: the states of a state field as boxes, in their
// declared order (a field without declared states: one picture per group
// of states its actions connect), each move as an arc labelled with the
// actions that make it, forward moves above, backward ones below, declared
// transitions that no action takes dashed.
//
// Playground (/playground) takes an object as JSON of the host's type
// (loaded from the store with ?object=id, or a [Sample]), an actor (id,
// name, roles, permissions, attributes; or one of [Options].Actors) and the
// actions' inputs. It lists the applicable actions and, for every other
// one, the reasons [actions.Engine.Explain] gives: the kind, the guard's
// name, the deciding clauses with the values they read, a rule's run-time
// error with its caret snippet. A dry run applies an action with
// [actions.Catalog.Apply] and shows each change old → new and every
// violation; it stores nothing. Execution is off unless [Options].Execute
// is set; then an applicable action can be executed on the stored object
// with [actions.Engine.Execute], as the authorized actor scoped by
// [Options].ActorFor (never the actor of the form, which is for what-if
// questions only), and only while the form holds the object as it was
// loaded: edited or pasted JSON can be dry-run, not executed.
//
// Journal (/journal) lists execution records newest first, filtered by
// action, object, actor and status, a page at a time with the journal's own
// paging ([actions.Filter] Before and After).
//
// Rule check (/rules) compiles a pasted JSON rule file with
// [actions.LoadJSON] and the host's [Options].CompileOptions, and lists
// every problem with its key path (actions[2].changes[0].expr), action id,
// and for an expression its line, column and caret snippet; a file that is
// not JSON is pointed at in the file. Nothing is installed.
//
// A host with several engines (one per object type) mounts one Handler for
// each and a [Menu] that links them.
//
// # What each viewer sees
//
// [Options].Authorize decides who may use a console at all. A console that
// several users share says what each of them may see: [Options].ActorFor
// scopes the signed-in actor to a stored object (its roles in the
// object's project), [Options].Visible decides with that actor whether it
// may see the object, and [Options].VisibleRecord whether it may see an
// execution record (by default: if it may see the record's object). An
// object a viewer may not see is, on every page, one that does not exist:
// not suggested, not loaded (the same 404 page), its executions not read
// for a pasted object with its id, not executed, its records not in the
// journal, whose pages are made of the visible records only. Without
// these hooks a viewer sees everything of the engine.
//
// # Security
//
// Every page, form and asset is behind [Options].Authorize, which denies by
// default: a nil hook refuses every request (403); a hook returning
// [ErrUnauthenticated] gets a 401 with [Options].Challenge. Every POST
// needs the CSRF token of the page it came from, an HMAC of the authorized
// actor's id, and passes net/http's CrossOriginProtection. Every response
// carries a Content-Security-Policy that allows the console's own style
// sheet and nothing else (there is no script, no inline style, no frame,
// no form posting elsewhere), with nosniff, no referrer and no framing. The
// pages are html/template templates, so everything shown is escaped; the
// assets and templates are embedded, so the console works offline, makes
// no request to anyone, and has no build step.
//
// # Concurrency
//
// A Handler and a Menu are safe for concurrent use; they read the engine's
// current catalog on every request, so a catalog swapped with
// [actions.Engine.Swap] shows at once.
package console
