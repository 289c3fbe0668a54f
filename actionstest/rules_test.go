package actionstest_test

import (
	"context"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
	"github.com/google/go-cmp/cmp"
)

// kitCase runs one call of the kit against a fakeTB and states what it must
// report.
type kitCase struct {
	name string
	run  func(t testing.TB)
	want []string // the failures, in order; none for a passing call
	// stopped: the call ended with FailNow (a misuse), not by returning.
	stopped bool
}

func runKitCases(t *testing.T, cases []kitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := runTB(tc.run)
			if diff := cmp.Diff(tc.want, tb.messages()); diff != "" {
				t.Errorf("failures mismatch (-want +got):\n%s", diff)
			}
			if tb.finished == tc.stopped {
				t.Errorf("returned = %v, want %v", tb.finished, !tc.stopped)
			}
		})
	}
}

func TestApplicable(t *testing.T) {
	cat := taskCatalog()
	runKitCases(t, []kitCase{
		{
			name: "pass",
			run: func(t testing.TB) {
				actionstest.Applicable(t, cat, newTask, alice, "start", "close", "escalate", "clear")
			},
		},
		{
			name: "order does not matter",
			run: func(t testing.TB) {
				actionstest.Applicable(t, cat, newTask, alice, "clear", "escalate", "close", "start")
			},
		},
		{
			name: "none",
			run:  func(t testing.TB) { actionstest.Applicable(t, cat, Task{Status: "closed", Priority: 5}, gus) },
		},
		{
			name: "reserved actions are not listed",
			run: func(t testing.TB) {
				actionstest.Applicable(t, cat, Task{Status: "closed", Priority: 5}, gus, "archive")
			},
			want: []string{`error: applicable actions for actor "gus" mismatch (-want +got):
  []string{
- 	"archive",
  }
"archive" is applicable but not listed (is it reserved?)`},
		},
		{
			name: "mismatch explains the missing actions",
			run: func(t testing.TB) {
				actionstest.Applicable(t, cat, lowTask, alice, "start", "close", "escalate", "clear", "progress")
			},
			want: []string{`error: applicable actions for actor "alice" mismatch (-want +got):
  []string{
  	"clear",
  	"close",
  	"escalate",
- 	"progress",
- 	"start",
  }
"progress" is not applicable:
    - status is "new", not one of ["in progress"]
"start" is not applicable:
    - condition is false:
        Priority >= 2 is false: Priority = 1`},
		},
		{
			name: "unexpected action",
			run:  func(t testing.TB) { actionstest.Applicable(t, cat, epic, alice, "start", "clear") },
			want: []string{`error: applicable actions for actor "alice" mismatch (-want +got):
  []string{
  	"clear",
+ 	"escalate",
  	"start",
  }`},
		},
		{
			name: "unknown action",
			run:  func(t testing.TB) { actionstest.Applicable(t, cat, epic, alice, "start", "escalate", "clear", "fly") },
			want: []string{`error: applicable actions for actor "alice" mismatch (-want +got):
  []string{
  	"clear",
  	"escalate",
- 	"fly",
  	"start",
  }
"fly": actions: action "fly" not found`},
		},
		{
			name:    "nil catalog",
			run:     func(t testing.TB) { actionstest.Applicable(t, (*actions.Catalog[Task])(nil), newTask, alice) },
			want:    []string{"fatal: actionstest: the rules are nil"},
			stopped: true,
		},
	})
}

func TestIsApplicable(t *testing.T) {
	cat := taskCatalog()
	runKitCases(t, []kitCase{
		{
			name: "pass",
			run:  func(t testing.TB) { actionstest.IsApplicable(t, cat, "start", newTask, alice) },
		},
		{
			name: "condition",
			run:  func(t testing.TB) { actionstest.IsApplicable(t, cat, "start", lowTask, alice) },
			want: []string{`error: action "start" is not applicable for actor "alice", want applicable:
    - condition is false:
        Priority >= 2 is false: Priority = 1`},
		},
		{
			name: "every reason",
			run: func(t testing.TB) {
				actionstest.IsApplicable(t, cat, "close", Task{Status: "closed", Type: "Epic"}, gus)
			},
			want: []string{`error: action "close" is not applicable for actor "gus", want applicable:
    - actor "gus" lacks permission "edit"
    - status is "closed", not one of ["new" "in progress"]
    - condition is false:
        Type != "Epic" is false: Type = "Epic"
        "manager" in Actor.Roles is false: Actor.Roles = null`},
		},
		{
			name: "unknown action",
			run:  func(t testing.TB) { actionstest.IsApplicable(t, cat, "fly", newTask, alice) },
			want: []string{`error: explaining "fly" for actor "alice": actions: action "fly" not found`},
		},
	})
}

func TestNotApplicable(t *testing.T) {
	cat := taskCatalog()
	runKitCases(t, []kitCase{
		{
			name: "pass",
			run:  func(t testing.TB) { actionstest.NotApplicable(t, cat, "close", epic, alice) },
		},
		{
			name: "pass for the expected reason",
			run: func(t testing.TB) {
				actionstest.NotApplicable(t, cat, "close", epic, alice, actions.ReasonCondition)
			},
		},
		{
			name: "pass for several reasons",
			run: func(t testing.TB) {
				actionstest.NotApplicable(t, cat, "close", epic, gus, actions.ReasonCondition, actions.ReasonPermission)
			},
		},
		{
			name: "applicable",
			run:  func(t testing.TB) { actionstest.NotApplicable(t, cat, "close", epic, mona) },
			want: []string{`error: action "close" is applicable for actor "mona", want not applicable`},
		},
		{
			name: "for another reason",
			run: func(t testing.TB) {
				actionstest.NotApplicable(t, cat, "close", epic, gus, actions.ReasonCondition)
			},
			want: []string{`error: action "close" is not applicable for actor "gus", but for other reasons (-want +got):
  []actions.ReasonKind{
  	"condition",
+ 	"permission",
  }
the resolver says:
    - actor "gus" lacks permission "edit"
    - condition is false:
        Type != "Epic" is false: Type = "Epic"
        "manager" in Actor.Roles is false: Actor.Roles = null`},
		},
		{
			name: "unknown action",
			run:  func(t testing.TB) { actionstest.NotApplicable(t, cat, "fly", newTask, alice) },
			want: []string{`error: explaining "fly" for actor "alice": actions: action "fly" not found`},
		},
	})
}

// TestPolicy shows an engine as the rules: its journal decides policies.
func TestPolicy(t *testing.T) {
	ctx := context.Background()
	store := actions.NewMemoryStore[Task]()
	engine, err := actions.New(taskCatalog(), store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, actionstest.ObjectID, newTask); err != nil {
		t.Fatal(err)
	}
	actionstest.IsApplicable(t, engine, "escalate", newTask, alice)
	res, err := engine.Execute(ctx, actions.Request{ActionID: "escalate", ObjectID: actionstest.ObjectID, Version: 1, Actor: alice})
	if err != nil {
		t.Fatal(err)
	}
	actionstest.NotApplicable(t, engine, "escalate", res.Object, mona, actions.ReasonPolicy)
	actionstest.Applicable(t, engine, res.Object, mona, "start", "close", "clear")
	// A catalog starts from an empty journal each time.
	actionstest.IsApplicable(t, engine.Catalog(), "escalate", res.Object, mona)

	tb := runTB(func(t testing.TB) { actionstest.IsApplicable(t, engine, "escalate", res.Object, mona) })
	want := []string{`error: action "escalate" is not applicable for actor "mona", want applicable:
    - policy Once: already executed by "alice"`}
	if diff := cmp.Diff(want, tb.messages()); diff != "" {
		t.Errorf("failures mismatch (-want +got):\n%s", diff)
	}
}

func TestChanges(t *testing.T) {
	cat := taskCatalog()
	runKitCases(t, []kitCase{
		{
			name: "pass",
			run: func(t testing.TB) {
				actionstest.Changes(t, cat, "start", newTask, alice, []actions.FieldChange{
					{Field: "status", Old: "new", New: "in progress"},
					{Field: "assignee", Old: "", New: "alice"},
				})
			},
		},
		{
			name: "a field set to its value is no change",
			run: func(t testing.TB) {
				assigned := newTask
				assigned.Assignee = "alice"
				actionstest.Changes(t, cat, "start", assigned, alice, []actions.FieldChange{
					{Field: "status", Old: "new", New: "in progress"},
				})
			},
		},
		{
			name: "on an engine",
			run: func(t testing.TB) {
				engine, err := actions.New(cat, actions.NewMemoryStore[Task]())
				if err != nil {
					t.Fatal(err)
				}
				actionstest.Changes(t, engine, "escalate", newTask, gus, []actions.FieldChange{{Field: "priority", Old: 2, New: 3}})
			},
		},
		{
			name: "mismatch",
			run: func(t testing.TB) {
				actionstest.Changes(t, cat, "start", newTask, alice, []actions.FieldChange{
					{Field: "status", Old: "new", New: "started"},
				})
			},
			want: []string{`error: changes of "start" for actor "alice" mismatch (-want +got):
  []actions.FieldChange{
  	{
  		Field: "status",
  		Old:   string("new"),
- 		New:   string("started"),
+ 		New:   string("in progress"),
  	},
+ 	{Field: "assignee", Old: string(""), New: string("alice")},
  }`},
		},
		{
			name: "invalid result",
			run:  func(t testing.TB) { actionstest.Changes(t, cat, "progress", startedTask, alice, nil) },
			want: []string{`error: applying "progress" for actor "alice": the result is invalid:
    - progress (lte=100): progress must be at most 100`},
		},
		{
			name: "unknown action",
			run:  func(t testing.TB) { actionstest.Changes(t, cat, "fly", newTask, alice, nil) },
			want: []string{`error: applying "fly" for actor "alice": actions: action "fly" not found`},
		},
	})
}

func TestViolations(t *testing.T) {
	cat := taskCatalog()
	runKitCases(t, []kitCase{
		{
			name: "field and rule",
			run: func(t testing.TB) {
				actionstest.Violations(t, cat, "progress", startedTask, alice, []actions.Violation{{Field: "progress", Rule: "lte"}})
			},
		},
		{
			name: "with message, any order",
			run: func(t testing.TB) {
				actionstest.Violations(t, cat, "clear", startedTask, alice, []actions.Violation{
					{Field: "title", Rule: "required", Message: "title is required"},
					{Field: "assignee", Rule: "post-condition", Message: "a started task needs an assignee"},
				})
			},
		},
		{
			name: "valid",
			run:  func(t testing.TB) { actionstest.Violations(t, cat, "start", newTask, alice, nil) },
		},
		{
			name: "unexpected violation",
			run:  func(t testing.TB) { actionstest.Violations(t, cat, "progress", startedTask, alice, nil) },
			want: []string{`error: violations of "progress" for actor "alice" mismatch (-want +got):
  []actionstest.violation{
+ 	{Field: "progress", Rule: "lte"},
  }`},
		},
		{
			name: "missing violation",
			run: func(t testing.TB) {
				actionstest.Violations(t, cat, "clear", startedTask, alice, []actions.Violation{{Field: "title", Rule: "required"}})
			},
			want: []string{`error: violations of "clear" for actor "alice" mismatch (-want +got):
  []actionstest.violation{
+ 	{Field: "assignee", Rule: "post-condition"},
  	{Field: "title", Rule: "required"},
  }`},
		},
		{
			name: "wrong message",
			run: func(t testing.TB) {
				actionstest.Violations(t, cat, "progress", startedTask, alice, []actions.Violation{
					{Field: "progress", Rule: "lte", Param: "100", Message: "too much"},
				})
			},
			want: []string{`error: violations of "progress" for actor "alice" mismatch (-want +got):
  []actionstest.violation{
  	{
  		Field:   "progress",
  		Rule:    "lte",
  		Param:   "100",
- 		Message: "too much",
+ 		Message: "progress must be at most 100",
  	},
  }`},
		},
		{
			name: "unknown action",
			run:  func(t testing.TB) { actionstest.Violations(t, cat, "fly", newTask, alice, nil) },
			want: []string{`error: applying "fly" for actor "alice": actions: action "fly" not found`},
		},
	})
}

// TestAssertionsTakeInputs: Changes and Violations apply with the inputs
// they are given.
func TestAssertionsTakeInputs(t *testing.T) {
	cat := taskCatalog()
	actionstest.Changes(t, cat, "rename", newTask, alice, []actions.FieldChange{{Field: "title", Old: "Fix login", New: "Fix the login page"}},
		actions.WithInputs(actions.Inputs{"title": "Fix the login page"}))
	actionstest.Violations(t, cat, "rename", newTask, alice, []actions.Violation{{Field: "input.title", Rule: "min", Param: "3"}},
		actions.WithInputs(actions.Inputs{"title": "Fx"}))
	actionstest.Violations(t, cat, "rename", newTask, alice, []actions.Violation{{Field: "input.title", Rule: "required"}})
	tb := runTB(func(t testing.TB) {
		actionstest.Changes(t, cat, "rename", newTask, alice, nil, actions.WithInputs(actions.Inputs{"title": "Fx"}))
	})
	want := []string{"error: applying \"rename\" for actor \"alice\": the result is invalid:\n    - input.title (min=3): input.title must be at least 3 in length"}
	if diff := cmp.Diff(want, tb.messages()); diff != "" {
		t.Errorf("failures mismatch (-want +got):\n%s", diff)
	}
}

func TestRefusedBy(t *testing.T) {
	cat := actions.MustCompile[Task]([]actions.Definition{{
		ID: "take", Name: "Take", Permission: "edit",
		Guards: []actions.Guard{{Name: "unassigned", Expr: `Assignee == ""`}, {Name: "open", Expr: `Status != "closed"`}},
	}})
	taken := Task{Title: "x", Status: "new", Priority: 1, Assignee: "bob"}
	actionstest.RefusedBy(t, cat, "take", taken, alice, "unassigned")
	tests := []struct {
		name string
		run  func(testing.TB)
		want []string
	}{
		{"applicable", func(t testing.TB) { actionstest.RefusedBy(t, cat, "take", newTask, alice, "unassigned") },
			[]string{`error: action "take" is applicable for actor "alice", want it refused by guards ["unassigned"]`}},
		{"another guard too", func(t testing.TB) {
			closed := taken
			closed.Status = "closed"
			actionstest.RefusedBy(t, cat, "take", closed, alice, "unassigned")
		}, []string{"error: action \"take\" is not applicable for actor \"alice\", but not for exactly those guards (-want +got):\n  []string{\n+ \t\"open\",\n  \t\"unassigned\",\n  }\nthe resolver says:\n    - guard \"unassigned\" is false:\n        Assignee == \"\" is false: Assignee = \"bob\"\n    - guard \"open\" is false:\n        Status != \"closed\" is false: Status = \"closed\""}},
		{"the permission too", func(t testing.TB) { actionstest.RefusedBy(t, cat, "take", taken, gus, "unassigned") },
			[]string{"error: action \"take\" is not applicable for actor \"gus\", but not for exactly those guards (-want +got):\n  []string{\n+ \t\"(permission)\",\n  \t\"unassigned\",\n  }\nthe resolver says:\n    - actor \"gus\" lacks permission \"edit\"\n    - guard \"unassigned\" is false:\n        Assignee == \"\" is false: Assignee = \"bob\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := runTB(tt.run)
			if diff := cmp.Diff(tt.want, tb.messages()); diff != "" {
				t.Errorf("failures mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
