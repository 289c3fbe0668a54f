package actions_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// errorDefs are the actions of the error tests.
var errorDefs = []actions.Definition{
	{
		ID: "start", Name: "Start", Position: 1, Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"new"}, To: "open"},
		Condition: `Type in ["Bug", "Task"] && Priority >= 2`,
		Changes:   []actions.Change{{Field: "assignee", Expr: "Actor.ID"}},
	},
	{
		ID: "close", Name: "Close", Position: 2, Permission: "edit",
		Workflow: &actions.Workflow{Field: "status", From: []string{"open"}, To: "closed"},
	},
	{
		ID: "escalate", Name: "Escalate", Position: 3, Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"open", "closed"}},
		Condition: `Priority >= 4 && "manager" in Actor.Roles`,
		Changes:   []actions.Change{{Field: "priority", Expr: "Priority + 1"}},
	},
	{
		ID: "retype", Name: "Make it a task", Position: 4,
		Condition: `Type in ["Bug", "Epic"] && "manager" in Actor.Roles`,
		Changes:   []actions.Change{{Field: "Type", Expr: `"Task"`}},
	},
	{
		ID: "approve", Name: "Approve", Position: 5, Policy: actions.Once,
		Changes: []actions.Change{{Field: "reviewer", Expr: "Actor.ID"}},
	},
	{
		ID: "vote", Name: "Vote", Position: 6, Policy: actions.OncePerUser,
		Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}},
	},
	{
		ID: "bump", Name: "Bump", Position: 7,
		Changes: []actions.Change{{Field: "priority", Expr: "Priority + 5"}},
		PostConditions: []actions.PostCondition{
			{Expr: "Priority <= 5 || Type != \"Bug\"", Field: "priority", Message: "a bug's priority stays within 5"},
			{Expr: "Progress < 100", Field: "percentageDone", Message: "cannot bump a finished ticket"},
		},
	},
	{
		ID: "explode", Name: "Explode", Position: 8,
		Changes: []actions.Change{{Field: "title", Expr: "Tags[5]"}},
	},
	{
		ID: "due-check", Name: "Check the due date", Position: 9,
		Condition: "Due.Year() > 2000",
	},
}

// TestExecuteErrors checks every error Execute returns before the save, and
// that the stored object, its version and the journal are left untouched.
func TestExecuteErrors(t *testing.T) {
	tests := []struct {
		name string
		// before are executed first, and must succeed.
		before []actions.Request
		req    actions.Request
		// wantIs is the sentinel the error must match (nil: none).
		wantIs error
		// wantAs, if not nil, is the typed error errors.As must find, compared
		// with cmp.Diff.
		wantAs error
	}{
		{
			name:   "unknown action",
			req:    actions.Request{ActionID: "fly", ObjectID: "T-1", Version: 1, Actor: ann},
			wantIs: actions.ErrNotFound,
			wantAs: &actions.NotFoundError{Kind: "action", ID: "fly"},
		},
		{
			name:   "unknown object",
			req:    actions.Request{ActionID: "start", ObjectID: "T-9", Version: 1, Actor: ann},
			wantIs: actions.ErrNotFound,
			wantAs: &actions.NotFoundError{Kind: "object", ID: "T-9"},
		},
		{
			name:   "missing version",
			req:    actions.Request{ActionID: "start", ObjectID: "T-1", Actor: ann},
			wantIs: actions.ErrConflict,
		},
		{
			name:   "stale version",
			before: []actions.Request{{ActionID: "approve", ObjectID: "T-1", Version: 1, Actor: ann}},
			req:    actions.Request{ActionID: "start", ObjectID: "T-1", Version: 1, Actor: ann},
			wantIs: actions.ErrConflict,
		},
		{
			name:   "version from the future",
			req:    actions.Request{ActionID: "start", ObjectID: "T-1", Version: 7, Actor: ann},
			wantIs: actions.ErrConflict,
		},
		{
			name:   "missing permission",
			req:    actions.Request{ActionID: "start", ObjectID: "T-1", Version: 1, Actor: eve},
			wantIs: actions.ErrForbidden,
		},
		{
			name:   "state not accepted",
			req:    actions.Request{ActionID: "close", ObjectID: "T-1", Version: 1, Actor: ann},
			wantIs: actions.ErrNotApplicable,
			wantAs: &actions.NotApplicableError{ActionID: "close", Reasons: []actions.Reason{
				{Kind: actions.ReasonState, Message: `status is "new", not one of ["open"]`},
			}},
		},
		{
			name:   "condition false",
			req:    actions.Request{ActionID: "retype", ObjectID: "T-1", Version: 1, Actor: bob},
			wantIs: actions.ErrNotApplicable,
			wantAs: &actions.NotApplicableError{ActionID: "retype", Reasons: []actions.Reason{{
				Kind: actions.ReasonCondition, Message: "condition is false",
				Clauses: []conditions.Clause{{
					Source: `"manager" in Actor.Roles`,
					Values: []conditions.Value{{Name: "Actor.Roles", Value: []string{"developer"}}},
				}},
			}}},
		},
		{
			name:   "state and condition",
			req:    actions.Request{ActionID: "escalate", ObjectID: "T-1", Version: 1, Actor: bob},
			wantIs: actions.ErrNotApplicable,
			wantAs: &actions.NotApplicableError{ActionID: "escalate", Reasons: []actions.Reason{
				{Kind: actions.ReasonState, Message: `status is "new", not one of ["open" "closed"]`},
				{Kind: actions.ReasonCondition, Message: "condition is false", Clauses: []conditions.Clause{
					{Source: "Priority >= 4", Values: []conditions.Value{{Name: "Priority", Value: 3}}},
					{Source: `"manager" in Actor.Roles`, Values: []conditions.Value{{Name: "Actor.Roles", Value: []string{"developer"}}}},
				}},
			}},
		},
		{
			name:   "policy Once, by another actor",
			before: []actions.Request{{ActionID: "approve", ObjectID: "T-1", Version: 1, Actor: ann}},
			req:    actions.Request{ActionID: "approve", ObjectID: "T-1", Version: 2, Actor: bob},
			wantIs: actions.ErrNotApplicable,
			wantAs: &actions.NotApplicableError{ActionID: "approve", Reasons: []actions.Reason{
				{Kind: actions.ReasonPolicy, Message: `policy Once: already executed by "ann"`},
			}},
		},
		{
			name:   "policy Once, by the same actor",
			before: []actions.Request{{ActionID: "approve", ObjectID: "T-1", Version: 1, Actor: ann}},
			req:    actions.Request{ActionID: "approve", ObjectID: "T-1", Version: 2, Actor: ann},
			wantIs: actions.ErrNotApplicable,
			wantAs: &actions.NotApplicableError{ActionID: "approve", Reasons: []actions.Reason{
				{Kind: actions.ReasonPolicy, Message: `policy Once: already executed by "ann"`},
			}},
		},
		{
			name: "policy OncePerUser, by the same actor",
			before: []actions.Request{
				{ActionID: "vote", ObjectID: "T-1", Version: 1, Actor: ann},
				{ActionID: "vote", ObjectID: "T-1", Version: 2, Actor: bob},
			},
			req:    actions.Request{ActionID: "vote", ObjectID: "T-1", Version: 3, Actor: bob},
			wantIs: actions.ErrNotApplicable,
			wantAs: &actions.NotApplicableError{ActionID: "vote", Reasons: []actions.Reason{
				{Kind: actions.ReasonPolicy, Message: `policy OncePerUser: already executed by "bob"`},
			}},
		},
		{
			name: "validation: struct tag and post-condition",
			req:  actions.Request{ActionID: "bump", ObjectID: "T-1", Version: 1, Actor: ann},
			wantAs: &actions.ValidationError{ActionID: "bump", Violations: []actions.Violation{
				{Field: "priority", Rule: "lte", Param: "5", Message: "priority must be at most 5"},
				{Field: "priority", Rule: "post-condition", Message: "a bug's priority stays within 5"},
			}},
		},
		{
			name:   "change expression fails at run time",
			req:    actions.Request{ActionID: "explode", ObjectID: "T-1", Version: 1, Actor: ann},
			wantAs: &conditions.Error{Source: "Tags[5]", Message: "index out of range: 5 (array length is 1)", Line: 1, Column: 5, Snippet: " | Tags[5]\n | ....^"},
		},
		{
			// A condition that fails is a refusal of that action, which
			// carries the failure.
			name:   "condition fails at run time",
			req:    actions.Request{ActionID: "due-check", ObjectID: "T-1", Version: 1, Actor: ann},
			wantIs: actions.ErrNotApplicable,
			wantAs: &conditions.Error{
				Source: "Due.Year() > 2000", Message: "value method time.Time.Year called using nil *Time pointer",
				Line: 1, Column: 5, Snippet: " | Due.Year() > 2000\n | ....^",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			engine, store := newEngine(t, compile(t, errorDefs))
			for _, r := range tt.before {
				if _, err := engine.Execute(ctx, r); err != nil {
					t.Fatalf("Execute(%+v): %v", r, err)
				}
			}
			before := takeSnapshot(t, store, "T-1")

			res, err := engine.Execute(ctx, tt.req)

			if err == nil {
				t.Fatalf("Execute succeeded: %+v", res)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Execute error %v does not match %v", err, tt.wantIs)
			}
			for _, sentinel := range []error{actions.ErrNotFound, actions.ErrConflict, actions.ErrForbidden, actions.ErrNotApplicable, actions.ErrEffectFailed} {
				if sentinel != tt.wantIs && errors.Is(err, sentinel) {
					t.Errorf("Execute error %v also matches %v", err, sentinel)
				}
			}
			if tt.wantAs != nil {
				target := reflect.New(reflect.TypeOf(tt.wantAs))
				if !errors.As(err, target.Interface()) {
					t.Fatalf("Execute error %v (%T) is not a %T", err, err, tt.wantAs)
				}
				diff(t, "error", tt.wantAs, target.Elem().Interface(), ignoreUnexported,
					cmpopts.IgnoreFields(conditions.Error{}, "Err"))
			}
			diff(t, "result", actions.Result[Ticket]{}, res)
			diff(t, "store", before, takeSnapshot(t, store, "T-1"))
		})
	}
}
