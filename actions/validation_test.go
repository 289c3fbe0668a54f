package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// messDefs break every rule of Ticket at once.
var messDefs = []actions.Definition{{
	ID: "mess", Name: "Make a mess",
	Changes: []actions.Change{
		{Field: "title", Expr: `""`},
		{Field: "priority", Expr: "Priority * 3"},
		{Field: "percentageDone", Expr: "-5"},
		{Field: "estimate", Expr: "-Estimate"},
		{Field: "email", Expr: `"not an address"`},
	},
	PostConditions: []actions.PostCondition{
		{Expr: "Priority < 9 || Type != \"Bug\"", Field: "priority", Message: "a bug cannot be that urgent"},
		{Expr: "Reviewer != \"\"", Field: "reviewer", Message: "someone must review"},
		{Expr: "len(Title) > 0 || Assignee == nil", Message: "an assigned ticket needs a title"},
	},
}}

var messViolations = []actions.Violation{
	{Field: "title", Rule: "required", Message: "title is required"},
	{Field: "priority", Rule: "lte", Param: "5", Message: "priority must be at most 5"},
	{Field: "percentageDone", Rule: "gte", Param: "0", Message: "percentageDone must be at least 0"},
	{Field: "estimate", Rule: "gte", Param: "0", Message: "estimate must be at least 0"},
	{Field: "email", Rule: "email", Message: "email must be a valid email address"},
	{Field: "priority", Rule: "post-condition", Message: "a bug cannot be that urgent"},
}

// TestValidationReportsEveryViolation: a failing validation reports every
// violated field at once, and the stored object stays as it was.
func TestValidationReportsEveryViolation(t *testing.T) {
	ctx := context.Background()
	engine, store := newEngine(t, compile(t, messDefs))
	before := takeSnapshot(t, store, "T-1")

	_, err := engine.Execute(ctx, actions.Request{ActionID: "mess", ObjectID: "T-1", Version: 1, Actor: ann})

	ve, ok := errorAs[*actions.ValidationError](err)
	if !ok {
		t.Fatalf("Execute error %v is not a *ValidationError", err)
	}
	diff(t, "validation error", &actions.ValidationError{ActionID: "mess", Violations: messViolations}, ve, ignoreUnexported)
	diff(t, "store", before, takeSnapshot(t, store, "T-1"))

	// A single violation is reachable with errors.As too.
	v, ok := errorAs[actions.Violation](err)
	if !ok {
		t.Fatalf("errors.As(%v, Violation) = false", err)
	}
	diff(t, "first violation", messViolations[0], v)
	for _, sentinel := range []error{actions.ErrNotFound, actions.ErrConflict, actions.ErrForbidden, actions.ErrNotApplicable} {
		if errors.Is(err, sentinel) {
			t.Errorf("Execute error %v matches %v", err, sentinel)
		}
	}
	wantMsg := `actions: action "mess": validation failed: title is required; priority must be at most 5; ` +
		`percentageDone must be at least 0; estimate must be at least 0; email must be a valid email address; a bug cannot be that urgent`
	diff(t, "message", wantMsg, err.Error())
}

// TestApplyReturnsViolations: the pure Apply gives the changed value beside
// the violations, for rule tests.
func TestApplyReturnsViolations(t *testing.T) {
	cat := compile(t, messDefs)
	in := newTicket()

	got, err := cat.Apply(context.Background(), "mess", in, ann)

	ve, ok := errorAs[*actions.ValidationError](err)
	if !ok {
		t.Fatalf("Apply error %v is not a *ValidationError", err)
	}
	diff(t, "violations", messViolations, ve.Violations)
	want := newTicket()
	want.Title, want.Priority, want.Progress, want.Estimate, want.Email = "", 9, -5, -2.5, "not an address"
	diff(t, "changed value", want, got.Object)
	diff(t, "changes", []actions.FieldChange{
		{Field: "title", Old: "Login fails", New: ""},
		{Field: "priority", Old: 3, New: 9},
		{Field: "percentageDone", Old: 10, New: -5},
		{Field: "estimate", Old: 2.5, New: -2.5},
		{Field: "email", Old: "", New: "not an address"},
	}, got.Changes)
	diff(t, "input", newTicket(), in)
}

// Strict has rules the messages of violations are made for.
type Strict struct {
	Code  string   `json:"code" validate:"len=3"`
	Kind  string   `json:"kind" validate:"oneof=bug task"`
	Size  int      `json:"size" validate:"gt=0,lt=10"`
	Name  string   `json:"name" validate:"min=2"`
	Items []string `json:"items" validate:"max=1"`
	Site  string   `json:"site" validate:"omitempty,url"`
	Zero  int      `json:"zero" validate:"ne=0"`
	Hex   string   `json:"hex" validate:"omitempty,hexadecimal"`
	Inner struct {
		Level int `json:"level" validate:"eq=1"`
	} `json:"inner"`
}

func TestViolationMessages(t *testing.T) {
	cat, err := actions.Compile[Strict]([]actions.Definition{{ID: "noop", Name: "No-op"}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	obj := Strict{Code: "ab", Kind: "epic", Name: "x", Items: []string{"a", "b"}, Site: "not a url", Hex: "xyz"}

	_, err = cat.Apply(context.Background(), "noop", obj, ann)

	ve, ok := errorAs[*actions.ValidationError](err)
	if !ok {
		t.Fatalf("Apply error %v is not a *ValidationError", err)
	}
	var got []string
	for _, v := range ve.Violations {
		got = append(got, strings.Join([]string{v.Field, v.Rule, v.Param, v.Message}, " | "))
	}
	diff(t, "violations", []string{
		"code | len | 3 | code must be exactly 3 in length",
		"kind | oneof | bug task | kind must be one of: bug, task",
		"size | gt | 0 | size must be greater than 0",
		"name | min | 2 | name must be at least 2 in length",
		"items | max | 1 | items must be at most 1 in length",
		"site | url |  | site must be a valid URL",
		"zero | ne | 0 | zero must not be equal to 0",
		"hex | hexadecimal |  | hex fails the hexadecimal rule",
		"inner.level | eq | 1 | inner.level must be equal to 1",
	}, got)
}

// Audit is embedded without a JSON name: encoding/json, and so the
// violations, name its fields as the embedding object's own.
type Audit struct {
	Reviewer string `json:"reviewer" validate:"required"`
}

// Named is embedded with a JSON name: its fields keep the prefix.
type Named struct {
	Level int `json:"level" validate:"lte=3"`
}

// Embedding has fields promoted from embedded structs.
type Embedding struct {
	Audit
	*Named `json:"named"`
	Title  string `json:"title" validate:"required"`
	*Extra `validate:"required"`
}

// Extra is embedded through a pointer the object requires.
type Extra struct {
	Note string `json:"note" validate:"max=3"`
}

func TestViolationsOfPromotedFields(t *testing.T) {
	cat, err := actions.Compile[Embedding]([]actions.Definition{{ID: "noop", Name: "No-op"}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	_, err = cat.Apply(context.Background(), "noop", Embedding{Named: &Named{Level: 9}}, ann)
	ve, ok := errorAs[*actions.ValidationError](err)
	if !ok {
		t.Fatalf("Apply error %v is not a *ValidationError", err)
	}
	diff(t, "violations", []actions.Violation{
		{Field: "reviewer", Rule: "required", Message: "reviewer is required"},
		{Field: "named.level", Rule: "lte", Param: "3", Message: "named.level must be at most 3"},
		{Field: "title", Rule: "required", Message: "title is required"},
		{Field: "Extra", Rule: "required", Message: "Extra is required"},
	}, ve.Violations)

	_, err = cat.Apply(context.Background(), "noop", Embedding{Audit: Audit{Reviewer: "ann"}, Title: "t", Extra: &Extra{Note: "long"}}, ann)
	ve, ok = errorAs[*actions.ValidationError](err)
	if !ok {
		t.Fatalf("Apply error %v is not a *ValidationError", err)
	}
	diff(t, "violations", []actions.Violation{
		{Field: "note", Rule: "max", Param: "3", Message: "note must be at most 3 in length"},
	}, ve.Violations)
}
