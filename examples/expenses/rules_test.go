package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
	"github.com/actionable-go/actionable/conditions"
)

var update = flag.Bool("update", false, "rewrite testdata/decisions.json and testdata/output.golden")

func testRules(t *testing.T) *actions.Catalog[Report] {
	t.Helper()
	cat, err := loadRules(func() time.Time { return today })
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

var (
	draft     = Report{Title: "Train to Lyon", Submitter: "sam", Status: "draft", Claimed: 12000}
	submitted = Report{Title: "Train to Lyon", Submitter: "sam", Status: "submitted", Claimed: 12000}
	approved  = Report{Title: "Train to Lyon", Submitter: "sam", Status: "approved", Claimed: 12000, Approved: 11850, Approver: "alex"}
	rejected  = Report{Title: "Train to Lyon", Submitter: "sam", Status: "rejected", Claimed: 12000, Reason: "the taxi receipt is missing"}
	large     = Report{Title: "Conference in Berlin", Submitter: "sam", Status: "submitted", Claimed: 89000}
	alexOwn   = Report{Title: "Team offsite", Submitter: "alex", Status: "submitted", Claimed: 30000}
)

func TestTheSubmitterSubmitsTheirDraft(t *testing.T) {
	rules := testRules(t)
	actionstest.Applicable(t, rules, draft, sam, "submit")
	actionstest.Applicable(t, rules, draft, alex)
	actionstest.NotApplicable(t, rules, "submit", draft, alex, actions.ReasonCondition)
	actionstest.Changes(t, rules, "submit", draft, sam, []actions.FieldChange{
		{Field: "status", Old: "draft", New: "submitted"},
		{Field: "tags", Old: []string(nil), New: []string{"travel", "meals"}},
	}, actions.WithInputs(actions.Inputs{"tags": []string{"travel", "meals"}}))
	actionstest.Violations(t, rules, "submit", draft, sam, []actions.Violation{
		{Field: "input.tags", Rule: "oneof", Message: "input.tags must be one of: travel, meals, lodging, office"},
	}, actions.WithInputs(actions.Inputs{"tags": []string{"travel", "fun"}}))
	actionstest.Violations(t, rules, "submit", draft, sam, []actions.Violation{
		{Field: "input.tags", Rule: "max"},
	}, actions.WithInputs(actions.Inputs{"tags": []string{"travel", "meals", "lodging", "office"}}))
}

func TestApproveAnAmountUpToTheClaim(t *testing.T) {
	rules := testRules(t)
	actionstest.Applicable(t, rules, submitted, alex, "approve", "reject", "reassign", "postpone")
	actionstest.Changes(t, rules, "approve", submitted, alex, []actions.FieldChange{
		{Field: "status", Old: "submitted", New: "approved"},
		{Field: "approved", Old: int64(0), New: int64(11850)},
		{Field: "approver", Old: "", New: "alex"},
	}, actions.WithInputs(actions.Inputs{"amount": 118.5}))
	// 19.99 * 100 is 1998.9999999999998 in floating point: the rule rounds.
	actionstest.Changes(t, rules, "approve", submitted, alex, []actions.FieldChange{
		{Field: "status", Old: "submitted", New: "approved"},
		{Field: "approved", Old: int64(0), New: int64(1999)},
		{Field: "approver", Old: "", New: "alex"},
	}, actions.WithInputs(actions.Inputs{"amount": 19.99}))
	actionstest.Violations(t, rules, "approve", submitted, alex, nil, actions.WithInputs(actions.Inputs{"amount": 120}))

	for _, tt := range []struct {
		name   string
		inputs actions.Inputs
		want   []actions.Violation
	}{
		{"above the claim", actions.Inputs{"amount": 120.01}, []actions.Violation{{Field: "approved", Rule: "post-condition"}}},
		{"missing", actions.Inputs{}, []actions.Violation{{Field: "input.amount", Rule: "required"}}},
		{"zero", actions.Inputs{"amount": 0}, []actions.Violation{{Field: "input.amount", Rule: "gt"}}},
		{"text", actions.Inputs{"amount": "100"}, []actions.Violation{{Field: "input.amount", Rule: "type"}}},
		{"unknown input besides", actions.Inputs{"amount": 100, "note": "fine by me"}, []actions.Violation{{Field: "input.note", Rule: "unknown"}}},
		{"every fault at once", actions.Inputs{"amount": -1, "note": "x"}, []actions.Violation{
			{Field: "input.note", Rule: "unknown"}, {Field: "input.amount", Rule: "gt"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			actionstest.Violations(t, rules, "approve", submitted, alex, tt.want, actions.WithInputs(tt.inputs))
		})
	}
}

func TestAboveTheLimitOnlyFinanceApproves(t *testing.T) {
	rules := testRules(t)
	actionstest.NotApplicable(t, rules, "approve", large, alex, actions.ReasonCondition)
	actionstest.IsApplicable(t, rules, "approve", large, fiona)
	atTheLimit := large
	atTheLimit.Claimed = 50000
	actionstest.IsApplicable(t, rules, "approve", atTheLimit, alex)
	wantGuards(t, rules, "approve", large, alex, "approval-limit")
}

func TestNobodyApprovesTheirOwnReport(t *testing.T) {
	rules := testRules(t)
	actionstest.Applicable(t, rules, alexOwn, alex, "reassign")
	for _, action := range []string{"approve", "reject", "postpone"} {
		actionstest.NotApplicable(t, rules, action, alexOwn, alex, actions.ReasonCondition)
		wantGuards(t, rules, action, alexOwn, alex, "not-own-report")
	}
	// Nor through a reassignment: the post-condition reads the changed report.
	actionstest.Violations(t, rules, "reassign", alexOwn, fiona, []actions.Violation{
		{Field: "assignee", Rule: "post-condition", Message: "nobody approves their own report"},
	}, actions.WithInputs(actions.Inputs{"to": "alex"}))
}

// wantGuards checks that the action is refused by exactly the named guards:
// NotApplicable tells a condition from a permission, not one guard from
// another.
func wantGuards(t *testing.T, rules *actions.Catalog[Report], action string, r Report, actor actions.Actor, guards ...string) {
	t.Helper()
	e, err := actions.New(rules, actions.NewMemoryStore[Report]())
	if err != nil {
		t.Fatal(err)
	}
	why, err := e.Explain(context.Background(), action, actionstest.ObjectID, r, actor)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, reason := range why {
		if reason.Guard != "" {
			got = append(got, reason.Guard)
		}
	}
	if diff := cmp.Diff(guards, got); diff != "" {
		t.Errorf("guards refusing %s for %s mismatch (-want +got):\n%s", action, actor.ID, diff)
	}
}

func TestRejectNeedsAReason(t *testing.T) {
	rules := testRules(t)
	actionstest.Violations(t, rules, "reject", submitted, alex, []actions.Violation{
		{Field: "input.reason", Rule: "min", Param: "10", Message: "input.reason must be at least 10 in length"},
	}, actions.WithInputs(actions.Inputs{"reason": "no taxi"}))
	actionstest.Violations(t, rules, "reject", submitted, alex, []actions.Violation{
		{Field: "input.reason", Rule: "required"},
	})
	actionstest.Changes(t, rules, "reject", submitted, alex, []actions.FieldChange{
		{Field: "status", Old: "submitted", New: "rejected"},
		{Field: "reason", Old: "", New: "the taxi receipt is missing"},
		{Field: "approver", Old: "", New: "alex"},
	}, actions.WithInputs(actions.Inputs{"reason": "the taxi receipt is missing"}))
	actionstest.Applicable(t, rules, rejected, sam, "revise")
	actionstest.Changes(t, rules, "revise", rejected, sam, []actions.FieldChange{{Field: "status", Old: "rejected", New: "draft"}})
}

func TestReassignToAUser(t *testing.T) {
	rules := testRules(t)
	actionstest.Changes(t, rules, "reassign", submitted, alex, []actions.FieldChange{
		{Field: "assignee", Old: "", New: "fiona"},
	}, actions.WithInputs(actions.Inputs{"to": "fiona"}))
	actionstest.Violations(t, rules, "reassign", submitted, alex, []actions.Violation{
		{Field: "input.to", Rule: "alphanum"},
	}, actions.WithInputs(actions.Inputs{"to": "fiona; drop table"}))

	assigned := submitted
	assigned.Assignee = "fiona"
	actionstest.NotApplicable(t, rules, "reassign", assigned, alex, actions.ReasonCondition)
	wantGuards(t, rules, "reassign", assigned, alex, "assigned-to-actor")
	actionstest.IsApplicable(t, rules, "reassign", assigned, fiona)
}

func TestPostponeToALaterDate(t *testing.T) {
	rules := testRules(t)
	until := time.Date(2025, 6, 16, 0, 0, 0, 0, time.UTC)
	want := []actions.FieldChange{{Field: "dueDate", Old: time.Time{}, New: until}}
	actionstest.Changes(t, rules, "postpone", submitted, alex, want, actions.WithInputs(actions.Inputs{"until": "2025-06-16"}))
	actionstest.Changes(t, rules, "postpone", submitted, alex, want, actions.WithInputs(actions.Inputs{"until": until}))
	actionstest.Violations(t, rules, "postpone", submitted, alex, []actions.Violation{
		{Field: "dueDate", Rule: "post-condition", Message: "a report is postponed to a later date"},
	}, actions.WithInputs(actions.Inputs{"until": today.Format(time.RFC3339)}))
	actionstest.Violations(t, rules, "postpone", submitted, alex, []actions.Violation{
		{Field: "input.until", Rule: "type"},
	}, actions.WithInputs(actions.Inputs{"until": "next week"}))
}

func TestPayingNeedsThePayPermission(t *testing.T) {
	rules := testRules(t)
	actionstest.Applicable(t, rules, approved, alex)
	actionstest.NotApplicable(t, rules, "pay", approved, alex, actions.ReasonPermission)
	actionstest.Applicable(t, rules, approved, fiona, "pay")
	actionstest.Changes(t, rules, "pay", approved, fiona, []actions.FieldChange{
		{Field: "status", Old: "approved", New: "paid"},
		{Field: "paidOn", Old: time.Time{}, New: today},
	})
}

// TestDecisions runs the decision table; go test -update rewrites its
// expectations from the current rules.
func TestDecisions(t *testing.T) {
	actionstest.RunTable(t, testRules(t), "testdata/decisions.json", actionstest.Update(*update))
}

// TestCarelessRulesDoNotLoad loads a copy of rules.json with the mistakes a
// careless author makes, and checks that nothing is loaded and that every
// mistake is reported at once, with the action's place in the file, its id,
// the key at fault and, in an expression, the line and column in that
// expression's own text.
func TestCarelessRulesDoNotLoad(t *testing.T) {
	edits := []struct{ old, new string }{
		// A state that is not declared: the action would never apply.
		{`"from": ["draft"], "to": "submitted"`, `"from": ["drafted"], "to": "submitted"`},
		// A move the transitions do not allow.
		{`"from": ["approved"], "to": "paid"`, `"from": ["submitted"], "to": "paid"`},
		// Deciding applicability from an input, which nobody has given yet.
		{`"from": ["submitted"], "to": "rejected"},`, `"from": ["submitted"], "to": "rejected"}, "condition": "Input.reason != \"\"",`},
		// A float into an integer field, without saying how to round.
		{`"int(round(Input.amount * 100))"`, `"Input.amount * 100"`},
		// A typo in a guard, and a misspelt key in the same action.
		{`"Assignee in [\"\", Actor.ID]"`, `"Assignee in [\"\", Actor.Id]"`},
		{`"changes": [{"field": "assignee", "expr": "Input.to"}],
      "postConditions"`, `"changes": [{"field": "assignee", "expr": "Input.to"}],
      "postCondition"`},
	}
	rules := string(rulesJSON)
	for _, e := range edits {
		if n := strings.Count(rules, e.old); n != 1 {
			t.Fatalf("rules.json has %q %d times, want once", e.old, n)
		}
		rules = strings.Replace(rules, e.old, e.new, 1)
	}

	cat, err := actions.LoadJSON[Report](strings.NewReader(rules))
	var le *actions.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("LoadJSON: got %v, want a *actions.LoadError", err)
	}
	if cat != nil {
		t.Error("LoadJSON returned a catalog along with its error")
	}
	type problem struct {
		Index     int
		Action    string
		Key       string
		Line, Col int // in the expression, for a *conditions.Error
		Message   string
	}
	var got []problem
	for _, p := range le.Problems {
		pr := problem{Index: p.Index, Action: p.ActionID, Key: p.Key, Message: p.Err.Error()}
		var ce *conditions.Error
		if errors.As(p.Err, &ce) {
			pr.Line, pr.Col, pr.Message = ce.Line, ce.Column, ce.Message
		}
		got = append(got, pr)
	}
	want := []problem{
		{Index: 0, Action: "submit", Key: "workflow.from[0]",
			Message: `state "drafted" is not declared for status (declared: "draft", "submitted", "approved", "rejected", "paid")`},
		{Index: 1, Action: "approve", Key: "changes[0].expr",
			Message: `Input.amount * 100 is float64, field "approved" is int64: the value may not be a whole number; convert it explicitly, with int(...), round(...), floor(...) or ceil(...)`},
		{Index: 2, Action: "reject", Key: "condition", Line: 1, Col: 1,
			Message: "a condition cannot read Input: whether an action applies is decided before its inputs are given; read them in changes or postConditions"},
		{Index: 3, Action: "reassign", Key: "postCondition", Message: "unknown key"},
		{Index: 3, Action: "reassign", Key: "guards[0].expr", Line: 1, Col: 24,
			Message: "type actions.Actor has no field Id"},
		{Index: 6, Action: "pay", Key: "workflow.from[0]",
			Message: `the transition "submitted" → "paid" is not declared for status`},
	}
	// Problems are compared in any order: parsing reports its own first.
	byPlace := cmpopts.SortSlices(func(a, b problem) bool {
		return a.Index < b.Index || a.Index == b.Index && a.Key < b.Key
	})
	if diff := cmp.Diff(want, got, byPlace); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
	t.Logf("%v", err)
}
