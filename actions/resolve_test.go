package actions_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

var root = actions.Actor{ID: "root", Permissions: []string{actions.AllPermissions}}

// resolveDefs returns the actions of the resolver tests. promote moves the
// stage: with stageWorkflow it is a workflow on a second state field, which
// turns the state index off; without, it is a plain condition and change, and
// every workflow shares the status field, which the index is built on.
func resolveDefs(stageWorkflow bool) []actions.Definition {
	promote := actions.Definition{ID: "promote", Name: "Promote", Position: 7}
	if stageWorkflow {
		promote.Workflow = &actions.Workflow{Field: "stage", From: []string{"triage"}, To: "dev"}
	} else {
		promote.Condition = `Stage == "triage"`
		promote.Changes = []actions.Change{{Field: "stage", Expr: `"dev"`}}
	}
	return []actions.Definition{
		{
			ID: "start", Name: "Start", Position: 1, Permission: "edit",
			Workflow:  &actions.Workflow{Field: "status", From: []string{"new"}, To: "open"},
			Condition: `Type in ["Bug", "Task"]`,
		},
		{
			ID: "close", Name: "Close", Position: 2, Permission: "edit",
			Workflow: &actions.Workflow{Field: "status", From: []string{"new", "open"}, To: "closed"},
		},
		{
			ID: "reopen", Name: "Reopen", Position: 3, Permission: "edit",
			Workflow:  &actions.Workflow{Field: "Status", From: []string{"closed"}, To: "open"},
			Condition: `"manager" in Actor.Roles`,
		},
		{ID: "comment", Name: "Comment", Position: 4},
		{ID: "rename", Name: "Rename", Position: 5, Workflow: &actions.Workflow{Field: "status"}},
		{ID: "modify", Name: "Modify", Position: 6, Reserved: true, Permission: "admin"},
		promote,
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		status   string
		stage    string
		typ      string
		actor    actions.Actor
		reserved bool
		want     []string
	}{
		{name: "new, manager", status: "new", stage: "triage", typ: "Bug", actor: ann, want: []string{"start", "close", "comment", "rename", "promote"}},
		{name: "new, epic: condition false", status: "new", stage: "triage", typ: "Epic", actor: ann, want: []string{"close", "comment", "rename", "promote"}},
		{name: "new, no permissions", status: "new", stage: "triage", typ: "Bug", actor: eve, want: []string{"comment", "rename", "promote"}},
		{name: "new, reserved asked for but not permitted", status: "new", stage: "triage", typ: "Bug", actor: ann, reserved: true, want: []string{"start", "close", "comment", "rename", "promote"}},
		{name: "new, all permissions", status: "new", stage: "triage", typ: "Bug", actor: root, want: []string{"start", "close", "comment", "rename", "promote"}},
		{name: "new, all permissions and reserved", status: "new", stage: "triage", typ: "Bug", actor: root, reserved: true, want: []string{"start", "close", "comment", "rename", "modify", "promote"}},
		{name: "closed, all permissions but not a manager", status: "closed", stage: "triage", typ: "Bug", actor: root, reserved: true, want: []string{"comment", "rename", "modify", "promote"}},
		{name: "open, developer", status: "open", stage: "dev", typ: "Bug", actor: bob, want: []string{"close", "comment", "rename"}},
		{name: "closed, developer", status: "closed", stage: "dev", typ: "Bug", actor: bob, want: []string{"comment", "rename"}},
		{name: "closed, manager", status: "closed", stage: "dev", typ: "Bug", actor: ann, want: []string{"reopen", "comment", "rename"}},
		{name: "state no workflow names", status: "archived", stage: "triage", typ: "Bug", actor: ann, want: []string{"comment", "rename", "promote"}},
		{name: "empty state", status: "", stage: "", typ: "Bug", actor: ann, want: []string{"comment", "rename"}},
	}
	catalogs := []struct {
		name string
		defs []actions.Definition
	}{
		{name: "one state field (indexed)", defs: resolveDefs(false)},
		{name: "two state fields (scanned)", defs: resolveDefs(true)},
	}
	for _, c := range catalogs {
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				engine, _ := newEngine(t, compile(t, c.defs))
				obj := newTicket()
				obj.Status, obj.Stage, obj.Type = tt.status, tt.stage, tt.typ

				list, err := engine.Resolve(context.Background(), "T-1", obj, tt.actor, actions.IncludeReserved(tt.reserved))

				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				diff(t, "applicable actions", tt.want, ids(list))
				// Explain agrees with Resolve.
				for _, a := range engine.Catalog().Actions() {
					if a.Reserved() && !tt.reserved {
						continue
					}
					why, err := engine.Explain(context.Background(), a.ID(), "T-1", obj, tt.actor)
					if err != nil {
						t.Fatalf("Explain(%s): %v", a.ID(), err)
					}
					if listed := contains(tt.want, a.ID()); listed != (len(why) == 0) {
						t.Errorf("Explain(%s) = %v, but listed = %v", a.ID(), why, listed)
					}
				}
			})
		}
	}
}

func ids(list []*actions.Action) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.ID())
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestResolveOrder: position order, ties in definition order, with and
// without the state index.
func TestResolveOrder(t *testing.T) {
	tests := []struct {
		name string
		defs []actions.Definition
		want []string
	}{
		{
			name: "plain actions",
			defs: []actions.Definition{
				{ID: "a", Name: "A", Position: 2},
				{ID: "b", Name: "B", Position: 1},
				{ID: "c", Name: "C", Position: 2},
				{ID: "d", Name: "D", Position: -1},
				{ID: "e", Name: "E", Position: 1},
				{ID: "f", Name: "F"},
			},
			want: []string{"d", "f", "b", "e", "a", "c"},
		},
		{
			name: "workflow actions (indexed)",
			defs: []actions.Definition{
				{ID: "a", Name: "A", Position: 2, Workflow: &actions.Workflow{Field: "status", From: []string{"new"}}},
				{ID: "b", Name: "B", Position: 1},
				{ID: "c", Name: "C", Position: 2, Workflow: &actions.Workflow{Field: "status", From: []string{"open", "new"}}},
				{ID: "d", Name: "D", Position: 9, Workflow: &actions.Workflow{Field: "status", From: []string{"closed"}}},
				{ID: "e", Name: "E", Position: 1, Workflow: &actions.Workflow{Field: "status", From: []string{"new"}}},
				{ID: "f", Name: "F", Position: 1},
			},
			want: []string{"b", "e", "f", "a", "c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine, _ := newEngine(t, compile(t, tt.defs))
			list, err := engine.Resolve(context.Background(), "T-1", newTicket(), ann)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			diff(t, "order", tt.want, ids(list))
		})
	}
}

// TestResolvePolicy executes before resolving: Once is exhausted for
// everyone, OncePerUser only for the actor who executed.
func TestResolvePolicy(t *testing.T) {
	defs := []actions.Definition{
		{ID: "approve", Name: "Approve", Position: 1, Policy: actions.Once},
		{ID: "vote", Name: "Vote", Position: 2, Policy: actions.OncePerUser},
		{ID: "comment", Name: "Comment", Position: 3},
	}
	tests := []struct {
		name   string
		done   []actions.Request
		actor  actions.Actor
		object string
		want   []string
	}{
		{name: "nothing done", actor: ann, object: "T-1", want: []string{"approve", "vote", "comment"}},
		{
			name:  "same actor",
			done:  []actions.Request{{ActionID: "approve", Actor: ann}, {ActionID: "vote", Actor: ann}, {ActionID: "comment", Actor: ann}},
			actor: ann, object: "T-1", want: []string{"comment"},
		},
		{
			name:  "other actor",
			done:  []actions.Request{{ActionID: "approve", Actor: ann}, {ActionID: "vote", Actor: ann}},
			actor: bob, object: "T-1", want: []string{"vote", "comment"},
		},
		{
			name:  "other object",
			done:  []actions.Request{{ActionID: "approve", Actor: ann}, {ActionID: "vote", Actor: ann}},
			actor: ann, object: "T-2", want: []string{"approve", "vote", "comment"},
		},
		{
			// An empty id would match every actor's executions: OncePerUser
			// cannot be granted to an actor it cannot tell apart.
			name:  "actor without an id",
			actor: actions.Actor{Permissions: ann.Permissions}, object: "T-1", want: []string{"approve", "comment"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			engine, _ := newEngine(t, compile(t, defs))
			for i, r := range tt.done {
				r.ObjectID, r.Version = "T-1", int64(i+1)
				if _, err := engine.Execute(ctx, r); err != nil {
					t.Fatalf("Execute(%s): %v", r.ActionID, err)
				}
			}
			obj, _, err := engine.Load(ctx, "T-1")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			list, err := engine.Resolve(ctx, tt.object, obj, tt.actor)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			diff(t, "applicable actions", tt.want, ids(list))
		})
	}
}

func TestExplain(t *testing.T) {
	guestRoles := []conditions.Value{{Name: "Actor.Roles", Value: []string{"guest"}}}
	tests := []struct {
		name     string
		actionID string
		status   string
		typ      string
		actor    actions.Actor
		want     []actions.Reason
	}{
		{name: "applicable", actionID: "start", status: "new", typ: "Bug", actor: ann},
		{
			name: "every reason", actionID: "reopen", status: "new", typ: "Bug", actor: eve,
			want: []actions.Reason{
				{Kind: actions.ReasonPermission, Message: `actor "eve" lacks permission "edit"`},
				{Kind: actions.ReasonState, Message: `status is "new", not one of ["closed"]`},
				{Kind: actions.ReasonCondition, Message: "condition is false", Clauses: []conditions.Clause{
					{Source: `"manager" in Actor.Roles`, Values: guestRoles},
				}},
			},
		},
		{
			name: "condition only", actionID: "start", status: "new", typ: "Epic", actor: bob,
			want: []actions.Reason{
				{Kind: actions.ReasonCondition, Message: "condition is false", Clauses: []conditions.Clause{
					{Source: `Type in ["Bug", "Task"]`, Values: []conditions.Value{{Name: "Type", Value: "Epic"}}},
				}},
			},
		},
		{
			name: "reserved and not permitted", actionID: "modify", status: "new", typ: "Bug", actor: ann,
			want: []actions.Reason{{Kind: actions.ReasonPermission, Message: `actor "ann" lacks permission "admin"`}},
		},
		{name: "reserved and permitted", actionID: "modify", status: "new", typ: "Bug", actor: root},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine, _ := newEngine(t, compile(t, resolveDefs(false)))
			obj := newTicket()
			obj.Status, obj.Type = tt.status, tt.typ

			got, err := engine.Explain(context.Background(), tt.actionID, "T-1", obj, tt.actor)

			if err != nil {
				t.Fatalf("Explain: %v", err)
			}
			diff(t, "reasons", tt.want, got)
		})
	}
}

func TestExplainUnknownAction(t *testing.T) {
	engine, _ := newEngine(t, compile(t, resolveDefs(false)))
	_, err := engine.Explain(context.Background(), "fly", "T-1", newTicket(), ann)
	got, ok := errorAs[*actions.NotFoundError](err)
	if !ok || !errors.Is(err, actions.ErrNotFound) {
		t.Fatalf("Explain error %v is not a *NotFoundError matching ErrNotFound", err)
	}
	diff(t, "error", &actions.NotFoundError{Kind: "action", ID: "fly"}, got)
}

func TestReasonString(t *testing.T) {
	engine, _ := newEngine(t, compile(t, resolveDefs(false)))
	obj := newTicket()
	obj.Type = "Epic"
	why, err := engine.Explain(context.Background(), "reopen", "T-1", obj, eve)
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	var got []string
	for _, r := range why {
		got = append(got, r.String())
	}
	diff(t, "reasons", []string{
		`actor "eve" lacks permission "edit"`,
		`status is "new", not one of ["closed"]`,
		`condition is false: "manager" in Actor.Roles is false: Actor.Roles = ["guest"]`,
	}, got)
}

// TestResolveReusesEnvironmentsSafely: Resolve builds its environments
// without copying more than it must (T's memory copied whole, the actor
// written in place) and answers actor-only parts once per request; objects
// and actors resolved one after another and concurrently must each see
// their own values, never a neighbour's.
func TestResolveReusesEnvironmentsSafely(t *testing.T) {
	defs := []actions.Definition{
		{ID: "bug", Name: "Bug", Position: 1, Condition: `Type == "Bug" && Actor.ID == "ann"`},
		{ID: "task", Name: "Task", Position: 2, Condition: `Type == "Task" && "manager" in Actor.Roles`},
		{ID: "long", Name: "Long title", Position: 3, Condition: `len(Title) > 20 && len(Tags) == 2`},
	}
	engine, _ := newEngine(t, compile(t, defs))
	bug, task := newTicket(), newTicket()
	bug.Type, bug.Title, bug.Tags = "Bug", "a rather long title, over twenty", []string{"a", "b"}
	task.Type, task.Title, task.Tags = "Task", "short", nil
	cases := []struct {
		obj   Ticket
		actor actions.Actor
		want  []string
	}{
		{bug, ann, []string{"bug", "long"}},
		{task, ann, []string{"task"}},
		{bug, bob, []string{"long"}},
		{task, bob, nil},
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				c := cases[(g+i)%len(cases)]
				list, err := engine.Resolve(context.Background(), "T-1", c.obj, c.actor)
				if err != nil {
					t.Error(err)
					return
				}
				if got := ids(list); !slices.Equal(got, c.want) {
					t.Errorf("Resolve(%s, %s) = %v, want %v", c.obj.Type, c.actor.ID, got, c.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
