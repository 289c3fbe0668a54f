package main

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
)

var update = flag.Bool("update", false, "rewrite testdata/decisions.json from the current rules")

// today is the clock of the rules under test, so that "overdue" does not
// depend on the day the tests run.
var today = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

func testRules(t *testing.T) *actions.Catalog[WorkPackage] {
	t.Helper()
	cat, err := loadRules(func() time.Time { return today })
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

var (
	alice = actions.Actor{ID: "alice", Roles: []string{"Member"}, Permissions: []string{"work"}}
	bob   = actions.Actor{ID: "bob", Roles: []string{"Member"}, Permissions: []string{"work"}}
	mona  = actions.Actor{ID: "mona", Roles: []string{"Member", "Manager"}, Permissions: []string{"work"}}
	root  = actions.Actor{ID: "root", Roles: []string{"Admin"}, Permissions: []string{actions.AllPermissions}}
	guest = actions.Actor{ID: "guest"}

	newTask = WorkPackage{Subject: "Write the docs", Type: "Task", Status: "New", Priority: 2}
)

func TestAMemberMayStartWorkOnANewTask(t *testing.T) {
	rules := testRules(t)
	actionstest.Applicable(t, rules, newTask, alice, "start", "close")
	actionstest.Changes(t, rules, "start", newTask, alice, []actions.FieldChange{
		{Field: "status", Old: "New", New: "In progress"},
		{Field: "assignee", Old: "", New: "alice"},
	})
	actionstest.NotApplicable(t, rules, "start", newTask, root, actions.ReasonCondition) // an admin is no member
	actionstest.NotApplicable(t, rules, "start", newTask, guest, actions.ReasonPermission, actions.ReasonCondition)
}

func TestNobodyMayCloseAnEpicWithOpenChildren(t *testing.T) {
	rules := testRules(t)
	epic := WorkPackage{Subject: "Payments", Type: "Epic", Status: "In progress", Priority: 2, OpenChildren: 3}
	for _, actor := range []actions.Actor{alice, mona, root} {
		actionstest.NotApplicable(t, rules, "close", epic, actor, actions.ReasonCondition)
	}
	epic.OpenChildren = 0
	actionstest.IsApplicable(t, rules, "close", epic, alice)
}

func TestMakeProgressOn80FailsOnPercentageDone(t *testing.T) {
	rules := testRules(t)
	at80 := WorkPackage{Subject: "Fix the login", Type: "Bug", Status: "In progress", Priority: 3, Assignee: "alice", PercentageDone: 80}
	actionstest.IsApplicable(t, rules, "progress", at80, alice)
	actionstest.Violations(t, rules, "progress", at80, alice, []actions.Violation{
		{Field: "percentageDone", Rule: "lte", Message: "percentageDone must be at most 100"},
	})

	at50 := at80
	at50.PercentageDone = 50
	actionstest.Changes(t, rules, "progress", at50, alice, []actions.FieldChange{{Field: "percentageDone", Old: 50, New: 75}})
	actionstest.NotApplicable(t, rules, "progress", at50, bob, actions.ReasonCondition) // not bob's
}

func TestOnlyAManagerReopens(t *testing.T) {
	rules := testRules(t)
	closed := WorkPackage{Subject: "Fix the login", Type: "Bug", Status: "Closed", Priority: 3, PercentageDone: 100}
	actionstest.Applicable(t, rules, closed, alice)
	actionstest.Applicable(t, rules, closed, mona, "reopen")
	actionstest.Violations(t, rules, "reopen", closed, mona, []actions.Violation{{Field: "assignee", Rule: "post-condition"}})
	closed.Assignee = "alice"
	actionstest.Violations(t, rules, "reopen", closed, mona, nil)
}

// TestEscalateOncePerUser needs history, so it gives the assertions an
// engine whose journal records the first escalation.
func TestEscalateOncePerUser(t *testing.T) {
	ctx := context.Background()
	store := actions.NewMemoryStore[WorkPackage]()
	engine, err := actions.New(testRules(t), store)
	if err != nil {
		t.Fatal(err)
	}
	overdue := WorkPackage{Subject: "Fix the login", Type: "Bug", Status: "In progress", Priority: 2, DueDate: today.AddDate(0, 0, -1)}
	if _, err := store.Create(ctx, actionstest.ObjectID, overdue); err != nil {
		t.Fatal(err)
	}
	actionstest.IsApplicable(t, engine, "escalate", overdue, alice)
	res, err := engine.Execute(ctx, actions.Request{ActionID: "escalate", ObjectID: actionstest.ObjectID, Version: 1, Actor: alice})
	if err != nil {
		t.Fatal(err)
	}
	actionstest.NotApplicable(t, engine, "escalate", res.Object, alice, actions.ReasonPolicy)
	actionstest.IsApplicable(t, engine, "escalate", res.Object, bob)

	notYet := overdue
	notYet.DueDate = today.AddDate(0, 0, 1)
	actionstest.NotApplicable(t, engine, "escalate", notYet, bob, actions.ReasonCondition)
}

// TestDecisions runs the decision table; go test -update rewrites its
// expectations from the current rules.
func TestDecisions(t *testing.T) {
	actionstest.RunTable(t, testRules(t), "testdata/decisions.json", actionstest.Update(*update))
}
