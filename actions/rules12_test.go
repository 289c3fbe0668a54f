package actions_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// Expense is the object of the tests of inputs, guards and states: an
// expense report.
type Expense struct {
	Title     string    `json:"title" validate:"required"`
	Submitter string    `json:"submitter"`
	Approver  string    `json:"approver"`
	Status    string    `json:"status"`
	Amount    int64     `json:"amount" validate:"gte=0"`
	Approved  int64     `json:"approved"`
	Reason    string    `json:"reason"`
	Due       time.Time `json:"due"`
	Tags      []string  `json:"tags"`
	Urgent    bool      `json:"urgent"`
	Rate      float64   `json:"rate"`
}

var expenseStates = actions.StateSet{
	Field:  "status",
	States: []string{"draft", "submitted", "approved", "rejected", "paid"},
	Transitions: []actions.Transition{
		{From: "draft", To: "submitted"}, {From: "submitted", To: "approved"},
		{From: "submitted", To: "rejected"}, {From: "rejected", To: "draft"}, {From: "approved", To: "paid"},
	},
}

var expenseDefs = []actions.Definition{
	{
		ID: "submit", Name: "Submit",
		Workflow: &actions.Workflow{Field: "status", From: []string{"draft"}, To: "submitted"},
		Guards:   []actions.Guard{{Name: "own-report", Expr: "Submitter == Actor.ID"}},
	},
	{
		ID: "approve", Name: "Approve",
		Workflow: &actions.Workflow{Field: "status", From: []string{"submitted"}, To: "approved"},
		Guards: []actions.Guard{
			{Name: "not-own-report", Expr: "Submitter != Actor.ID"},
			{Name: "approver", Expr: `"approver" in Actor.Roles`},
		},
		Inputs: []actions.Input{{Name: "amount", Type: actions.InputInteger, Required: true, Validate: "gt=0"}},
		Changes: []actions.Change{
			{Field: "approved", Expr: "Input.amount"},
			{Field: "approver", Expr: "Actor.ID"},
		},
		PostConditions: []actions.PostCondition{{Expr: "Approved <= Amount", Field: "approved", Message: "approved must not exceed the amount"}},
	},
	{
		ID: "reject", Name: "Reject",
		Workflow: &actions.Workflow{Field: "status", From: []string{"submitted"}, To: "rejected"},
		Guards:   []actions.Guard{{Name: "not-own-report", Expr: "Submitter != Actor.ID"}},
		Inputs:   []actions.Input{{Name: "reason", Type: actions.InputString, Required: true, Validate: "min=10", Description: "why, for the submitter"}},
		Changes:  []actions.Change{{Field: "reason", Expr: "Input.reason"}},
	},
	{
		ID: "postpone", Name: "Postpone",
		Inputs: []actions.Input{
			{Name: "until", Type: actions.InputTime, Required: true},
			{Name: "tags", Type: actions.InputStrings},
			{Name: "urgent", Type: actions.InputBool},
			{Name: "rate", Type: actions.InputNumber, Validate: "gte=0,lte=1"},
		},
		Changes: []actions.Change{
			{Field: "due", Expr: "Input.until"},
			{Field: "tags", Expr: "Input.tags"},
			{Field: "urgent", Expr: "Input.urgent"},
			{Field: "rate", Expr: "Input.rate"},
		},
	},
}

func expenseCatalog(t testing.TB) *actions.Catalog[Expense] {
	t.Helper()
	cat, err := actions.Compile[Expense](expenseDefs, actions.WithStates(expenseStates), actions.WithClock(pinnedClock))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

var (
	sam   = actions.Actor{ID: "sam"}                                   // submits
	alex  = actions.Actor{ID: "alex", Roles: []string{"approver"}}     // approves
	carla = actions.Actor{ID: "carla", Roles: []string{"bookkeeping"}} // neither
)

func submitted() Expense {
	return Expense{Title: "Train to Lyon", Submitter: "sam", Status: "submitted", Amount: 120}
}

// TestLoadErrors12 is one table of every load error of inputs, guards,
// declared states and change types, each with the action id, the key path
// and, for an expression, the position in its own text.
func TestLoadErrors12(t *testing.T) {
	type pos struct{ line, col int }
	tests := []struct {
		name   string
		def    actions.Definition
		states []actions.StateSet
		id     string // of the problem; "" for a catalog-level one
		key    string
		pos    *pos // of the *conditions.Error, when there is one
		msg    string
	}{
		{
			name: "guard expression: position in the guard's own text",
			def:  actions.Definition{ID: "g", Name: "G", Guards: []actions.Guard{{Name: "ok", Expr: "true"}, {Name: "typo", Expr: "Status == \"x\" &&\n  Amout > 1"}}},
			id:   "g", key: "guards[1].expr", pos: &pos{2, 3}, msg: "unknown name Amout",
		},
		{
			name: "guard without a name",
			def:  actions.Definition{ID: "g", Name: "G", Guards: []actions.Guard{{Expr: "true"}}},
			id:   "g", key: "guards[0].name", msg: "missing",
		},
		{
			name: "guard named twice",
			def:  actions.Definition{ID: "g", Name: "G", Guards: []actions.Guard{{Name: "a", Expr: "true"}, {Name: "a", Expr: "false"}}},
			id:   "g", key: "guards[1].name", msg: `guard "a" is declared twice`,
		},
		{
			name: "condition reads an input",
			def:  actions.Definition{ID: "c", Name: "C", Condition: `Status == "draft" && Input.amount > 3`, Inputs: []actions.Input{{Name: "amount", Type: actions.InputNumber}}},
			id:   "c", key: "condition", pos: &pos{1, 22}, msg: "a condition cannot read Input",
		},
		{
			name: "guard reads an input",
			def:  actions.Definition{ID: "c", Name: "C", Guards: []actions.Guard{{Name: "big", Expr: "Input.amount > 3"}}},
			id:   "c", key: "guards[0].expr", pos: &pos{1, 1}, msg: "a condition cannot read Input",
		},
		{
			name: "input of an unknown type",
			def:  actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "when", Type: "date"}}},
			id:   "i", key: "inputs[0].type", msg: `unknown input type "date"`,
		},
		{
			name: "input name that is not an identifier",
			def:  actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "the reason", Type: actions.InputString}}},
			id:   "i", key: "inputs[0].name", msg: `"the reason" is not an identifier`,
		},
		{
			name: "input declared twice",
			def:  actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "r", Type: actions.InputString}, {Name: "r", Type: actions.InputBool}}},
			id:   "i", key: "inputs[1].name", msg: `input "r" is declared twice`,
		},
		{
			name: "input with unknown validator tags",
			def:  actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "r", Type: actions.InputString, Validate: "min=3,shiny"}}},
			id:   "i", key: "inputs[0].validate", msg: `invalid validate tags "min=3,shiny"`,
		},
		{
			name: "input of an unknown type that a change reads: one problem, not a second one for the change",
			def: actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "when", Type: "date"}},
				Changes: []actions.Change{{Field: "due", Expr: "Input.when"}}},
			id: "i", key: "inputs[0].type", msg: `unknown input type "date"`,
		},
		{
			name: "input with unknown validator tags that a post-condition reads: one problem",
			def: actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "r", Type: actions.InputString, Validate: "minimum=3"}},
				PostConditions: []actions.PostCondition{{Expr: `Input.r != ""`, Message: "a reason"}}},
			id: "i", key: "inputs[0].validate", msg: `invalid validate tags "minimum=3"`,
		},
		{
			name: "change reads an undeclared input",
			def:  actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "r", Type: actions.InputString}}, Changes: []actions.Change{{Field: "reason", Expr: "Input.why"}}},
			id:   "i", key: "changes[0].expr", pos: &pos{1, 7}, msg: "Input has no field why",
		},
		{
			name: "change of the wrong input type",
			def:  actions.Definition{ID: "i", Name: "I", Inputs: []actions.Input{{Name: "n", Type: actions.InputNumber}}, Changes: []actions.Change{{Field: "reason", Expr: "Input.n"}}},
			id:   "i", key: "changes[0].expr", msg: `Input.n is float64, field "reason" is string`,
		},
		{
			name: "float into an integer field",
			def:  actions.Definition{ID: "f", Name: "F", Changes: []actions.Change{{Field: "amount", Expr: "Amount * 1.1"}}},
			id:   "f", key: "changes[0].expr", msg: `Amount * 1.1 is float64, field "amount" is int64: the value may not be a whole number`,
		},
		{
			name: "undeclared from-state",
			def:  actions.Definition{ID: "s", Name: "S", Workflow: &actions.Workflow{Field: "status", From: []string{"drafted"}}},
			id:   "s", key: "workflow.from[0]", msg: `state "drafted" is not declared for status`,
		},
		{
			name: "undeclared to-state",
			def:  actions.Definition{ID: "s", Name: "S", Workflow: &actions.Workflow{Field: "status", From: []string{"draft"}, To: "sent"}},
			id:   "s", key: "workflow.to", msg: `state "sent" is not declared for status`,
		},
		{
			name: "transition that is not declared",
			def:  actions.Definition{ID: "s", Name: "S", Workflow: &actions.Workflow{Field: "status", From: []string{"draft"}, To: "paid"}},
			id:   "s", key: "workflow.from[0]", msg: `the transition "draft" → "paid" is not declared for status`,
		},
		{
			name: "move from any state when transitions are declared",
			def:  actions.Definition{ID: "s", Name: "S", Workflow: &actions.Workflow{Field: "status", To: "paid"}},
			id:   "s", key: "workflow.from", msg: "name the states the action moves from",
		},
		{
			name: "change to an undeclared state",
			def:  actions.Definition{ID: "s", Name: "S", Changes: []actions.Change{{Field: "status", Expr: `"archived"`}}},
			id:   "s", key: "changes[0].expr", msg: `state "archived" is not declared for status`,
		},
		{
			name:   "states of an unknown field",
			def:    actions.Definition{ID: "ok", Name: "OK"},
			states: []actions.StateSet{{Field: "stage", States: []string{"a"}}},
			key:    "states[0].field", msg: `unknown field "stage"`,
		},
		{
			name:   "transition to an undeclared state",
			def:    actions.Definition{ID: "ok", Name: "OK"},
			states: []actions.StateSet{{Field: "status", States: []string{"a", "b"}, Transitions: []actions.Transition{{From: "a", To: "c"}}}},
			key:    "states[0].transitions[0].to", msg: `state "c" is not declared`,
		},
		{
			name:   "state declared twice",
			def:    actions.Definition{ID: "ok", Name: "OK"},
			states: []actions.StateSet{{Field: "status", States: []string{"a", "a"}}},
			key:    "states[0].states[1]", msg: `state "a" is declared twice`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := tt.states
			if states == nil {
				states = []actions.StateSet{expenseStates}
			}
			_, err := actions.Compile[Expense]([]actions.Definition{tt.def}, actions.WithStates(states...))
			var le *actions.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Compile: %v, want a *LoadError", err)
			}
			if len(le.Problems) != 1 {
				t.Fatalf("problems = %v, want one", le.Problems)
			}
			p := le.Problems[0]
			if p.ActionID != tt.id || p.Key != tt.key || !strings.Contains(p.Err.Error(), tt.msg) {
				t.Errorf("problem = {action %q, key %q, %v}, want {action %q, key %q, containing %q}", p.ActionID, p.Key, p.Err, tt.id, tt.key, tt.msg)
			}
			var ce *conditions.Error
			switch {
			case tt.pos != nil && !errors.As(p.Err, &ce):
				t.Errorf("the problem is not a *conditions.Error: %v", p.Err)
			case tt.pos != nil && (ce.Line != tt.pos.line || ce.Column != tt.pos.col):
				t.Errorf("position %d:%d, want %d:%d\n%s", ce.Line, ce.Column, tt.pos.line, tt.pos.col, ce.Snippet)
			}
		})
	}
}

func TestGuards(t *testing.T) {
	engine := expenseEngine(t)
	ctx := context.Background()

	reasons, err := engine.Explain(ctx, "approve", "E-1", submitted(), sam)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "sam approving his own report", []actions.Reason{{
		Kind: actions.ReasonCondition, Guard: "not-own-report", Message: `guard "not-own-report" is false`,
		Clauses: []conditions.Clause{{Source: "Submitter != Actor.ID", Values: []conditions.Value{{Name: "Submitter", Value: "sam"}, {Name: "Actor.ID", Value: "sam"}}}},
	}, {
		Kind: actions.ReasonCondition, Guard: "approver", Message: `guard "approver" is false`,
		Clauses: []conditions.Clause{{Source: `"approver" in Actor.Roles`, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string(nil)}}}},
	}}, reasons)

	// The refusal names the failing guard; the others are not evaluated.
	err = engine.Check(ctx, "approve", "E-1", submitted(), carla)
	want := `actions: action "approve" not applicable: guard "approver" is false: "approver" in Actor.Roles is false: Actor.Roles = ["bookkeeping"]`
	if err == nil || err.Error() != want {
		t.Errorf("Check for carla: %v\nwant %s", err, want)
	}
	if err := engine.Check(ctx, "approve", "E-1", submitted(), alex); err != nil {
		t.Errorf("Check for alex: %v", err)
	}
	list, err := engine.Resolve(ctx, "E-1", submitted(), alex)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "alex's actions", []string{"approve", "reject", "postpone"}, ids(list))
}

func TestGuardFailsAtRunTime(t *testing.T) {
	var mu sync.Mutex
	var got []actions.Event
	cat := actions.MustCompile[Expense]([]actions.Definition{{
		ID: "odd", Name: "Odd", Guards: []actions.Guard{{Name: "first-tag", Expr: `Tags[0] == "x"`}},
	}})
	store := actions.NewMemoryStore[Expense]()
	engine, err := actions.New(cat, store, actions.WithObserver(actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	})))
	if err != nil {
		t.Fatal(err)
	}
	reasons, err := engine.Explain(context.Background(), "odd", "E-1", Expense{}, alex)
	if err != nil {
		t.Fatal(err)
	}
	if len(reasons) != 1 || reasons[0].Kind != actions.ReasonError || reasons[0].Guard != "first-tag" ||
		!strings.HasPrefix(reasons[0].Message, `guard "first-tag" failed: index out of range`) {
		t.Errorf("reasons = %+v", reasons)
	}
	if len(got) != 1 || got[0].Kind != actions.EventRuleFailed || got[0].Guard != "first-tag" {
		t.Errorf("events = %+v, want one rule failure of guard first-tag", got)
	}
}

func expenseEngine(t testing.TB) *actions.Engine[Expense] {
	t.Helper()
	e, err := actions.New(expenseCatalog(t), actions.NewMemoryStore[Expense]())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// expenseStore returns an engine over a store holding submitted() as E-1.
func expenseStore(t testing.TB, opts ...actions.Option) (*actions.Engine[Expense], *actions.MemoryStore[Expense]) {
	t.Helper()
	store := actions.NewMemoryStore[Expense]()
	if _, err := store.Create(context.Background(), "E-1", submitted()); err != nil {
		t.Fatal(err)
	}
	e, err := actions.New(expenseCatalog(t), store, append([]actions.Option{actions.WithExecutionIDs(seqIDs())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e, store
}

func TestInputs(t *testing.T) {
	until := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		action     string
		inputs     actions.Inputs
		want       func(*Expense)
		wantInputs map[string]any // on the record
		violations []actions.Violation
	}{
		{
			name: "approve an amount", action: "approve", inputs: actions.Inputs{"amount": 100.0}, // as encoding/json decodes it
			want:       func(e *Expense) { e.Status, e.Approved, e.Approver = "approved", 100, "alex" },
			wantInputs: map[string]any{"amount": 100.0},
		},
		{
			name: "approve more than the amount: the post-condition reads the input's effect", action: "approve", inputs: actions.Inputs{"amount": 500},
			violations: []actions.Violation{{Field: "approved", Rule: "post-condition", Message: "approved must not exceed the amount"}},
		},
		{
			name: "every input problem at once", action: "postpone",
			inputs: actions.Inputs{"until": "next week", "tags": []any{"a", 2}, "urgent": "yes", "rate": 2, "color": "red"},
			violations: []actions.Violation{
				{Field: "input.color", Rule: "unknown", Message: "input.color is not an input of this action"},
				{Field: "input.until", Rule: "type", Message: `input.until must be a time in RFC 3339 or 2006-01-02 form, not "next week"`},
				{Field: "input.tags", Rule: "type", Message: "input.tags must be a list of strings; element 1 is int"},
				{Field: "input.urgent", Rule: "type", Message: "input.urgent must be true or false, not string"},
				{Field: "input.rate", Rule: "lte", Param: "1", Message: "input.rate must be at most 1"},
			},
		},
		{
			name: "a required input is missing, a reason too short", action: "reject", inputs: actions.Inputs{"reason": "no"},
			violations: []actions.Violation{{Field: "input.reason", Rule: "min", Param: "10", Message: "input.reason must be at least 10 in length"}},
		},
		{
			name: "required", action: "reject", inputs: nil,
			violations: []actions.Violation{{Field: "input.reason", Rule: "required", Message: "input.reason is required"}},
		},
		{
			name: "a whole number is an integer, a fraction is not", action: "approve", inputs: actions.Inputs{"amount": 10.5},
			violations: []actions.Violation{{Field: "input.amount", Rule: "type", Message: "input.amount must be a whole number, not 10.5"}},
		},
		{
			name: "an integer is read by its digits: 2^53+1 is refused, not rounded to 2^53", action: "approve", inputs: actions.Inputs{"amount": int64(1<<53 + 1)},
			violations: []actions.Violation{{Field: "input.amount", Rule: "type", Message: "input.amount 9007199254740993 is out of range (integers are within ±2^53)"}},
		},
		{
			name: "a json.Number integer out of range", action: "approve", inputs: actions.Inputs{"amount": json.Number("99999999999999999999")},
			violations: []actions.Violation{{Field: "input.amount", Rule: "type", Message: "input.amount 99999999999999999999 is out of range (integers are within ±2^53)"}},
		},
		{
			name: "a json.Number fraction", action: "approve", inputs: actions.Inputs{"amount": json.Number("1.5")},
			violations: []actions.Violation{{Field: "input.amount", Rule: "type", Message: "input.amount must be a whole number, not 1.5"}},
		},
		{
			name: "a json.Number integer", action: "approve", inputs: actions.Inputs{"amount": json.Number("100")},
			want:       func(e *Expense) { e.Status, e.Approved, e.Approver = "approved", 100, "alex" },
			wantInputs: map[string]any{"amount": 100.0},
		},
		{
			name: "text every store keeps: no NUL byte, no invalid UTF-8", action: "postpone",
			inputs:     actions.Inputs{"until": "2025-04-01", "tags": []any{"ok", "bad\xff"}},
			violations: []actions.Violation{{Field: "input.tags", Rule: "type", Message: "input.tags must be a list of strings; element 1 is not UTF-8 text without NUL bytes"}},
		},
		{
			name: "a NUL byte in a string input", action: "reject", inputs: actions.Inputs{"reason": "nul\x00 in the reason"},
			violations: []actions.Violation{{Field: "input.reason", Rule: "type", Message: "input.reason must be UTF-8 text without NUL bytes"}},
		},
		{
			name: "every type", action: "postpone",
			inputs: actions.Inputs{"until": "2025-04-01", "tags": []any{"travel", "q2"}, "urgent": true, "rate": 0.25},
			want: func(e *Expense) {
				e.Due, e.Tags, e.Urgent, e.Rate = until, []string{"travel", "q2"}, true, 0.25
			},
			wantInputs: map[string]any{"until": "2025-04-01T00:00:00Z", "tags": []any{"travel", "q2"}, "urgent": true, "rate": 0.25},
		},
		{
			name: "an action without inputs refuses them", action: "submit", inputs: actions.Inputs{"note": "x"},
			violations: []actions.Violation{{Field: "input.note", Rule: "unknown", Message: "input.note is not an input of this action"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine, store := expenseStore(t)
			ctx := context.Background()
			actor := alex
			if tt.action == "submit" {
				actor = sam
				obj := submitted()
				obj.Status = "draft"
				if _, err := store.Save(ctx, "E-1", obj, 1, nil); err != nil {
					t.Fatal(err)
				}
			}
			_, version, _ := store.Load(ctx, "E-1")
			before, _, _ := store.Load(ctx, "E-1")
			res, err := engine.Execute(ctx, actions.Request{ActionID: tt.action, ObjectID: "E-1", Version: version, Actor: actor, Inputs: tt.inputs})
			if tt.violations != nil {
				var ve *actions.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("Execute: %v, want a *ValidationError", err)
				}
				diff(t, "violations", tt.violations, ve.Violations, cmpopts.SortSlices(func(a, b actions.Violation) bool { return a.Field+a.Rule < b.Field+b.Rule }))
				after, v, _ := store.Load(ctx, "E-1")
				diff(t, "stored", before, after)
				if v != version {
					t.Errorf("version %d after a refused Execute, want %d", v, version)
				}
				return
			}
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			want := before
			tt.want(&want)
			diff(t, "object", want, res.Object)
			diff(t, "record's inputs", tt.wantInputs, res.Execution.Inputs)
			recs, _ := store.Executions(ctx, actions.Filter{ID: res.Execution.ID})
			if len(recs) != 1 {
				t.Fatalf("journal has %d records of the execution", len(recs))
			}
			diff(t, "journal's inputs", tt.wantInputs, recs[0].Inputs)
			recs[0].Inputs["changed"] = true // the caller's copy
			again, _ := store.Executions(ctx, actions.Filter{ID: res.Execution.ID})
			diff(t, "journal's inputs after changing a copy", tt.wantInputs, again[0].Inputs)
		})
	}
}

func TestApplyWithInputs(t *testing.T) {
	cat := expenseCatalog(t)
	ctx := context.Background()
	applied, err := cat.Apply(ctx, "reject", submitted(), alex, actions.WithInputs(actions.Inputs{"reason": "a receipt is missing"}))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "changes", []actions.FieldChange{
		{Field: "status", Old: "submitted", New: "rejected"},
		{Field: "reason", Old: "", New: "a receipt is missing"},
	}, applied.Changes)
	_, err = cat.Apply(ctx, "reject", submitted(), alex)
	var ve *actions.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "input.reason" {
		t.Errorf("Apply without the required input: %v", err)
	}
}

func TestRecordLimits(t *testing.T) {
	engine, store := expenseStore(t, actions.WithRecordLimits(actions.RecordLimits{Comment: 10, Inputs: 40}))
	ctx := context.Background()
	_, err := engine.Execute(ctx, actions.Request{
		ActionID: "reject", ObjectID: "E-1", Version: 1, Actor: alex, Comment: "far too long a comment",
		Inputs: actions.Inputs{"reason": strings.Repeat("x", 50)},
	})
	var ve *actions.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Execute: %v, want a *ValidationError", err)
	}
	diff(t, "violations", []actions.Violation{
		{Field: "comment", Rule: "max", Param: "10", Message: "comment must be at most 10 bytes"},
		{Field: "input", Rule: "max", Param: "40", Message: "the inputs must be at most 40 bytes as JSON"},
	}, ve.Violations)
	if recs, _ := store.Executions(ctx, actions.Filter{}); len(recs) != 0 {
		t.Errorf("the journal has %d records after a refused Execute", len(recs))
	}
	_, err = engine.Execute(ctx, actions.Request{
		ActionID: "reject", ObjectID: "E-1", Version: 1, Actor: alex, Comment: "a\x00b",
		Inputs: actions.Inputs{"reason": "a receipt is missing"},
	})
	if !errors.As(err, &ve) {
		t.Fatalf("Execute with a NUL in the comment: %v, want a *ValidationError", err)
	}
	diff(t, "violations", []actions.Violation{{Field: "comment", Rule: "text", Message: "comment must be UTF-8 text without NUL bytes"}}, ve.Violations)
	if recs, _ := store.Executions(ctx, actions.Filter{}); len(recs) != 0 {
		t.Errorf("the journal has %d records after a refused Execute", len(recs))
	}
	if _, err := actions.New(expenseCatalog(t), store, actions.WithRecordLimits(actions.RecordLimits{Comment: -1})); err == nil {
		t.Error("a negative limit was accepted")
	}
}

// TestStatesAtRunTime: a change computed at run time (here an input) that
// sets a field with declared states is checked when applied, as a literal
// is checked when compiled.
func TestStatesAtRunTime(t *testing.T) {
	cat, err := actions.Compile[Expense]([]actions.Definition{{
		ID: "set", Name: "Set status",
		Inputs:  []actions.Input{{Name: "to", Type: actions.InputString, Required: true}},
		Changes: []actions.Change{{Field: "status", Expr: "Input.to"}},
	}}, actions.WithStates(expenseStates))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		from, to   string
		violations []actions.Violation // nil: applied
	}{
		{name: "a declared transition", from: "submitted", to: "approved"},
		{name: "no change is no move", from: "submitted", to: "submitted"},
		{name: "an undeclared state", from: "submitted", to: "lost", violations: []actions.Violation{{
			Field: "status", Rule: "state", Param: "lost",
			Message: `status "lost" is not a declared state (declared: "draft", "submitted", "approved", "rejected", "paid")`,
		}}},
		{name: "an undeclared transition", from: "draft", to: "paid", violations: []actions.Violation{{
			Field: "status", Rule: "transition", Param: "draft→paid",
			Message: `the transition "draft" → "paid" is not declared for status`,
		}}},
		{name: "leaving a state older than the declarations", from: "archived", to: "draft"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := submitted()
			obj.Status = tt.from
			applied, err := cat.Apply(context.Background(), "set", obj, alex, actions.WithInputs(actions.Inputs{"to": tt.to}))
			if tt.violations == nil {
				if err != nil || applied.Object.Status != tt.to {
					t.Fatalf("Apply: status %q, %v; want %q", applied.Object.Status, err, tt.to)
				}
				return
			}
			var ve *actions.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Apply: %v, want a *ValidationError", err)
			}
			diff(t, "violations", tt.violations, ve.Violations)
		})
	}
}

func TestStatesAreReadable(t *testing.T) {
	cat := expenseCatalog(t)
	got := cat.States()
	diff(t, "states", []actions.StateSet{expenseStates}, got)
	got[0].States[0] = "changed"
	diff(t, "states after changing a copy", []actions.StateSet{expenseStates}, cat.States())
}

func TestStatesInARuleFile(t *testing.T) {
	const rules = `{
  "states": [{"field": "status", "states": ["draft", "submitted"], "transitions": [{"from": "draft", "to": "submitted"}]}],
  "actions": [
    {"id": "submit", "name": "Submit", "workflow": {"field": "status", "from": ["draft"], "to": "submitted"}},
    {"id": "oops", "name": "Oops", "workflow": {"field": "status", "from": ["drafted"]}}
  ]
}`
	_, err := actions.LoadJSON[Expense](strings.NewReader(rules))
	var le *actions.LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Index != 1 || le.Problems[0].Key != "workflow.from[0]" {
		t.Fatalf("LoadJSON: %v, want one problem at oops's workflow.from[0]", err)
	}
	cat, err := actions.LoadJSON[Expense](strings.NewReader(strings.Replace(rules, `"drafted"`, `"draft"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "states", []actions.StateSet{{Field: "status", States: []string{"draft", "submitted"}, Transitions: []actions.Transition{{From: "draft", To: "submitted"}}}}, cat.States())
	_, err = actions.LoadJSON[Expense](strings.NewReader(`{"actions": [], "states": [{"field": "status", "states": ["a"], "colour": "red"}]}`))
	if err == nil || !strings.Contains(err.Error(), "states[0].colour: unknown key") {
		t.Errorf("an unknown key in states: %v", err)
	}
}

// TestObserverSeesEveryOutcome: Resolve and Execute report their outcome,
// reason and duration.
func TestObserverSeesEveryOutcome(t *testing.T) {
	var mu sync.Mutex
	var events []actions.Event
	observer := actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	})
	engine, _ := expenseStore(t, actions.WithObserver(observer))
	ctx := context.Background()
	requests := []actions.Request{
		{ActionID: "approve", ObjectID: "E-1", Version: 1, Actor: sam, Inputs: actions.Inputs{"amount": 1}},          // refused: own report
		{ActionID: "approve", ObjectID: "E-1", Version: 1, Actor: alex, Inputs: actions.Inputs{"amount": -1}},        // invalid
		{ActionID: "approve", ObjectID: "E-1", Version: 7, Actor: alex, Inputs: actions.Inputs{"amount": 1}},         // conflict
		{ActionID: "approve", ObjectID: "E-9", Version: 1, Actor: alex, Inputs: actions.Inputs{"amount": 1}},         // not found
		{ActionID: "approve", ObjectID: "E-1", Version: 1, Actor: alex, Inputs: actions.Inputs{"amount": 100}},       // applied
		{ActionID: "reject", ObjectID: "E-1", Version: 2, Actor: alex, Inputs: actions.Inputs{"reason": "too late"}}, // refused: state
	}
	for _, r := range requests {
		_, _ = engine.Execute(ctx, r)
	}
	_, _ = engine.Resolve(ctx, "E-1", submitted(), alex)
	mu.Lock()
	defer mu.Unlock()
	type seen struct {
		Kind    actions.EventKind
		Outcome actions.Outcome
		Reason  actions.ReasonKind
		Guard   string
		Action  string
		N       int
	}
	var got []seen
	for _, ev := range events {
		if ev.Duration <= 0 {
			t.Errorf("event %+v has no duration", ev)
		}
		got = append(got, seen{ev.Kind, ev.Outcome, ev.Reason, ev.Guard, ev.ActionID, ev.Applicable})
	}
	diff(t, "events", []seen{
		{actions.EventExecute, actions.OutcomeRefused, actions.ReasonCondition, "not-own-report", "approve", 0},
		{actions.EventExecute, actions.OutcomeInvalid, "", "", "approve", 0},
		{actions.EventExecute, actions.OutcomeConflict, "", "", "approve", 0},
		{actions.EventExecute, actions.OutcomeNotFound, "", "", "approve", 0},
		{actions.EventExecute, actions.OutcomeApplied, "", "", "approve", 0},
		{actions.EventExecute, actions.OutcomeRefused, actions.ReasonState, "", "reject", 0},
		{actions.EventResolve, actions.OutcomeResolved, "", "", "", 3},
	}, got)
}

// TestObserverHearsOfBrokenChanges: a change or a post-condition that fails
// at run time is a broken rule: Execute returns its error, stores nothing,
// and the observer hears of it as of a condition that fails.
func TestObserverHearsOfBrokenChanges(t *testing.T) {
	cat, err := actions.Compile[Expense]([]actions.Definition{
		{ID: "parse", Name: "Parse", Changes: []actions.Change{{Field: "amount", Expr: "int(Title)"}}},
		{ID: "check", Name: "Check", PostConditions: []actions.PostCondition{{Expr: "int(Reason) > 0", Field: "reason", Message: "m"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"parse", "check"} {
		t.Run(id, func(t *testing.T) {
			var events []actions.Event
			store := actions.NewMemoryStore[Expense]()
			ctx := context.Background()
			if _, err := store.Create(ctx, "E-1", submitted()); err != nil {
				t.Fatal(err)
			}
			engine, err := actions.New(cat, store, actions.WithObserver(actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
				events = append(events, ev)
			})))
			if err != nil {
				t.Fatal(err)
			}
			_, err = engine.Execute(ctx, actions.Request{ActionID: id, ObjectID: "E-1", Version: 1, Actor: alex})
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Execute: %v, want a *conditions.Error", err)
			}
			if len(events) != 2 || events[0].Kind != actions.EventRuleFailed || events[0].ActionID != id || events[0].Err != err ||
				events[1].Kind != actions.EventExecute || events[1].Outcome != actions.OutcomeError {
				t.Errorf("events %+v, want the rule's failure, then the Execute", events)
			}
			if _, v, _ := store.Load(ctx, "E-1"); v != 1 {
				t.Errorf("version %d after a broken change, want 1", v)
			}
		})
	}
}

func ExampleInput() {
	cat := actions.MustCompile[Expense]([]actions.Definition{{
		ID: "reject", Name: "Reject",
		Workflow: &actions.Workflow{Field: "status", From: []string{"submitted"}, To: "rejected"},
		Inputs:   []actions.Input{{Name: "reason", Type: actions.InputString, Required: true, Validate: "min=10"}},
		Changes:  []actions.Change{{Field: "reason", Expr: "Input.reason"}},
	}})
	store := actions.NewMemoryStore[Expense]()
	ctx := context.Background()
	_, _ = store.Create(ctx, "E-1", Expense{Title: "Train to Lyon", Submitter: "sam", Status: "submitted"})
	engine, _ := actions.New(cat, store)

	_, err := engine.Execute(ctx, actions.Request{ActionID: "reject", ObjectID: "E-1", Version: 1, Actor: alex, Inputs: actions.Inputs{"reason": "no"}})
	fmt.Println(err)
	res, _ := engine.Execute(ctx, actions.Request{ActionID: "reject", ObjectID: "E-1", Version: 1, Actor: alex,
		Inputs: actions.Inputs{"reason": "the receipt is missing"}})
	fmt.Println(res.Object.Status, res.Object.Reason, res.Execution.Inputs)
	// Output:
	// actions: action "reject": validation failed: input.reason must be at least 10 in length
	// rejected the receipt is missing map[reason:the receipt is missing]
}

func ExampleGuard() {
	cat := actions.MustCompile[Expense]([]actions.Definition{{
		ID: "approve", Name: "Approve",
		Guards: []actions.Guard{
			{Name: "not-own-report", Expr: "Submitter != Actor.ID"},
			{Name: "approver", Expr: `"approver" in Actor.Roles`},
		},
	}})
	engine, _ := actions.New(cat, actions.NewMemoryStore[Expense]())
	reasons, _ := engine.Explain(context.Background(), "approve", "E-1", Expense{Submitter: "sam"}, sam)
	for _, r := range reasons {
		fmt.Println(r.Guard+":", r)
	}
	// Output:
	// not-own-report: guard "not-own-report" is false: Submitter != Actor.ID is false: Submitter = "sam", Actor.ID = "sam"
	// approver: guard "approver" is false: "approver" in Actor.Roles is false: Actor.Roles = null
}

func ExampleWithStates() {
	states := actions.StateSet{Field: "status", States: []string{"draft", "submitted", "approved"}}
	_, err := actions.Compile[Expense]([]actions.Definition{
		{ID: "submit", Name: "Submit", Workflow: &actions.Workflow{Field: "status", From: []string{"drafted"}, To: "submitted"}},
	}, actions.WithStates(states))
	fmt.Println(err)
	cat := actions.MustCompile[Expense]([]actions.Definition{
		{ID: "submit", Name: "Submit", Workflow: &actions.Workflow{Field: "status", From: []string{"draft"}, To: "submitted"}},
	}, actions.WithStates(states))
	fmt.Println(cat.States()[0].States)
	// Output:
	// actions: 1 problem(s) in definitions: action submit: workflow.from[0]: state "drafted" is not declared for status (declared: "draft", "submitted", "approved")
	// [draft submitted approved]
}
