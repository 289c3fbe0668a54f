package actions_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// TestApply checks the semantics of change sets with the pure Apply.
func TestApply(t *testing.T) {
	due := pinned.Add(48 * time.Hour)
	tests := []struct {
		name string
		def  actions.Definition
		// edit is applied to newTicket() to give the input (nil: none).
		edit        func(*Ticket)
		wantObject  func(*Ticket) // applied to the input to give the output
		wantChanges []actions.FieldChange
	}{
		{
			name: "expressions see the object before the change: swap",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "title", Expr: "Reviewer"},
				{Field: "reviewer", Expr: "Title"},
			}},
			wantObject: func(t *Ticket) { t.Title, t.Reviewer = "carl", "Login fails" },
			wantChanges: []actions.FieldChange{
				{Field: "title", Old: "Login fails", New: "carl"},
				{Field: "reviewer", Old: "carl", New: "Login fails"},
			},
		},
		{
			name: "expressions see the object before the change: chain",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "priority", Expr: "Priority + 1"},
				{Field: "count", Expr: "Priority * 10"},
			}},
			wantObject: func(t *Ticket) { t.Priority, t.Count = 4, 30 },
			wantChanges: []actions.FieldChange{
				{Field: "priority", Old: 3, New: 4},
				{Field: "count", Old: 0, New: 30},
			},
		},
		{
			name: "numbers convert: int into int64 and float64, a float rounded explicitly into int",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "points", Expr: "Priority * 2"},
				{Field: "estimate", Expr: "Priority"},
				{Field: "percentageDone", Expr: "round(Estimate * 4)"},
			}},
			wantObject: func(t *Ticket) { t.Points, t.Estimate, t.Progress = 6, 3, 10 },
			wantChanges: []actions.FieldChange{
				{Field: "points", Old: int64(3), New: int64(6)},
				{Field: "estimate", Old: 2.5, New: 3.0},
			},
		},
		{
			name: "nil clears",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "assignee", Expr: "nil"},
				{Field: "due", Expr: "nil"},
				{Field: "tags", Expr: "nil"},
				{Field: "labels", Expr: "nil"},
				{Field: "reviewer", Expr: "nil"},
			}},
			edit:       func(t *Ticket) { t.Assignee, t.Due = ptr("ann"), &due },
			wantObject: func(t *Ticket) { t.Assignee, t.Due, t.Tags, t.Labels, t.Reviewer = nil, nil, nil, nil, "" },
			wantChanges: []actions.FieldChange{
				{Field: "assignee", Old: ptr("ann"), New: (*string)(nil)},
				{Field: "due", Old: &due, New: (*time.Time)(nil)},
				{Field: "tags", Old: []string{"backend"}, New: []string(nil)},
				{Field: "labels", Old: map[string]string{"team": "core"}, New: map[string]string(nil)},
				{Field: "reviewer", Old: "carl", New: ""},
			},
		},
		{
			name: "values are wrapped in pointers",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "assignee", Expr: "Actor.ID"},
				{Field: "due", Expr: "now() + days(2)"},
			}},
			wantObject: func(t *Ticket) { t.Assignee, t.Due = ptr("ann"), &due },
			wantChanges: []actions.FieldChange{
				{Field: "assignee", Old: (*string)(nil), New: ptr("ann")},
				{Field: "due", Old: (*time.Time)(nil), New: &due},
			},
		},
		{
			name: "unchanged fields are left out of the changes",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "title", Expr: "Title"},
				{Field: "tags", Expr: "Tags"},
				{Field: "priority", Expr: "int(3.0)"},
				{Field: "type", Expr: `"Task"`},
			}},
			wantObject:  func(t *Ticket) { t.Type = "Task" },
			wantChanges: []actions.FieldChange{{Field: "type", Old: "Bug", New: "Task"}},
		},
		{
			name: "workflow moves the state first, by its JSON name",
			def: actions.Definition{
				Workflow: &actions.Workflow{Field: "Status", From: []string{"new"}, To: "open"},
				Changes:  []actions.Change{{Field: "Assignee", Expr: "Actor.Name"}},
			},
			wantObject: func(t *Ticket) { t.Status, t.Assignee = "open", ptr("Ann") },
			wantChanges: []actions.FieldChange{
				{Field: "status", Old: "new", New: "open"},
				{Field: "assignee", Old: (*string)(nil), New: ptr("Ann")},
			},
		},
		{
			name:       "workflow without To leaves the state",
			def:        actions.Definition{Workflow: &actions.Workflow{Field: "status", From: []string{"new"}}},
			wantObject: func(*Ticket) {},
		},
		{
			name: "lists and maps built by expr ([]any, map[string]any) convert element by element",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "tags", Expr: `concat(Tags, ["urgent"])`},
				{Field: "labels", Expr: `{"team": Labels.team, "owner": Actor.ID}`},
			}},
			wantObject: func(t *Ticket) {
				t.Tags = []string{"backend", "urgent"}
				t.Labels = map[string]string{"team": "core", "owner": "ann"}
			},
			wantChanges: []actions.FieldChange{
				{Field: "tags", Old: []string{"backend"}, New: []string{"backend", "urgent"}},
				{Field: "labels", Old: map[string]string{"team": "core"}, New: map[string]string{"team": "core", "owner": "ann"}},
			},
		},
		{
			name: "a filtered list",
			def: actions.Definition{Changes: []actions.Change{
				{Field: "tags", Expr: `filter(Tags, # != "backend")`},
			}},
			wantObject: func(t *Ticket) { t.Tags = []string{} },
			wantChanges: []actions.FieldChange{
				{Field: "tags", Old: []string{"backend"}, New: []string{}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := tt.def
			def.ID, def.Name = "act", "Act"
			cat := compile(t, []actions.Definition{def})
			in := newTicket()
			if tt.edit != nil {
				tt.edit(&in)
			}
			orig := newTicket()
			if tt.edit != nil {
				tt.edit(&orig)
			}
			want := newTicket()
			if tt.edit != nil {
				tt.edit(&want)
			}
			tt.wantObject(&want)

			got, err := cat.Apply(context.Background(), "act", in, ann)

			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			diff(t, "applied", actions.Applied[Ticket]{Object: want, Changes: tt.wantChanges}, got)
			diff(t, "input (Apply is pure)", orig, in)
		})
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name    string
		changes []actions.Change
		// wantCond says the error carries a *conditions.Error.
		wantCond bool
	}{
		// A float into an integer field must be converted explicitly (a
		// load error otherwise); a rounded infinity still fails here.
		{name: "infinity into an int", changes: []actions.Change{{Field: "points", Expr: "round(Points / 0)"}}},
		{name: "value of a type known at run time only", changes: []actions.Change{{Field: "title", Expr: `Priority > 2 ? 1 : "x"`}}},
		{name: "list with an element of the wrong type", changes: []actions.Change{{Field: "tags", Expr: `["a", 1]`}}},
		{name: "map with a value of the wrong type", changes: []actions.Change{{Field: "labels", Expr: `{"team": 1}`}}},
		{name: "expression fails at run time", changes: []actions.Change{{Field: "title", Expr: "Tags[3]"}}, wantCond: true},
		{name: "later change fails: nothing applied", changes: []actions.Change{{Field: "title", Expr: `"new title"`}, {Field: "reviewer", Expr: "Tags[3]"}}, wantCond: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := actions.Compile[Ticket]([]actions.Definition{{ID: "act", Name: "Act", Changes: tt.changes}})
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			in := newTicket()

			got, err := cat.Apply(context.Background(), "act", in, ann)

			if err == nil {
				t.Fatalf("Apply succeeded: %+v", got)
			}
			if _, ok := errorAs[*conditions.Error](err); ok != tt.wantCond {
				t.Errorf("Apply error %v: is a *conditions.Error = %v, want %v", err, ok, tt.wantCond)
			}
			if _, ok := errorAs[*actions.ValidationError](err); ok {
				t.Errorf("Apply error %v is a *ValidationError", err)
			}
			diff(t, "applied", actions.Applied[Ticket]{}, got)
			diff(t, "input", newTicket(), in)
		})
	}
}

func TestApplyUnknownAction(t *testing.T) {
	cat := compile(t, errorDefs)
	_, err := cat.Apply(context.Background(), "fly", newTicket(), ann)
	got, ok := errorAs[*actions.NotFoundError](err)
	if !ok {
		t.Fatalf("Apply error %v is not a *NotFoundError", err)
	}
	diff(t, "error", &actions.NotFoundError{Kind: "action", ID: "fly"}, got)
	if !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Apply error %v does not match ErrNotFound", err)
	}
}

// TestApplyDoesNotCheckApplicability: Apply is the pure core; whether the
// action applies is the resolver's business.
func TestApplyDoesNotCheckApplicability(t *testing.T) {
	cat := compile(t, errorDefs)
	got, err := cat.Apply(context.Background(), "close", newTicket(), eve)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	diff(t, "changes", []actions.FieldChange{{Field: "status", Old: "new", New: "closed"}}, got.Changes)
}

// fieldNames is what Catalog.Field says of a field.
type fieldNames struct {
	GoName, JSONName string
	OK               bool
}

func TestCatalogField(t *testing.T) {
	cat := compile(t, nil)
	tests := []struct {
		name string
		want fieldNames
	}{
		{name: "Progress", want: fieldNames{GoName: "Progress", JSONName: "percentageDone", OK: true}},
		{name: "percentageDone", want: fieldNames{GoName: "Progress", JSONName: "percentageDone", OK: true}},
		{name: "assignee", want: fieldNames{GoName: "Assignee", JSONName: "assignee", OK: true}},
		{name: "Actor"},
		{name: "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goName, jsonName, _, ok := cat.Field(tt.name)
			diff(t, "field", tt.want, fieldNames{goName, jsonName, ok})
		})
	}
}

// Base is embedded in Issue: its fields are promoted.
type Base struct {
	Status string `json:"status"`
	Owner  string `json:"owner"`
}

// Issue has promoted and unexported fields, which the environment skips.
type Issue struct {
	secret int
	Base
	Title string `json:"title" validate:"required"`
	rank  float64
}

func TestPromotedAndUnexportedFields(t *testing.T) {
	ctx := context.Background()
	cat, err := actions.Compile[Issue]([]actions.Definition{{
		ID: "take", Name: "Take",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"open"}, To: "taken"},
		Condition: `Owner == "" && Title != ""`,
		Changes:   []actions.Change{{Field: "owner", Expr: "Actor.ID"}, {Field: "Title", Expr: `Title + " (" + Status + ")"`}},
	}})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	store := actions.NewMemoryStore[Issue]()
	in := Issue{secret: 7, Base: Base{Status: "open"}, Title: "Crash", rank: 0.5}
	if _, err := store.Create(ctx, "I-1", in); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatal(err)
	}
	list, err := engine.Resolve(ctx, "I-1", in, ann)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	diff(t, "applicable", []string{"take"}, ids(list))

	res, err := engine.Execute(ctx, actions.Request{ActionID: "take", ObjectID: "I-1", Version: 1, Actor: ann})
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	want := Issue{secret: 7, Base: Base{Status: "taken", Owner: "ann"}, Title: "Crash (open)", rank: 0.5}
	opt := cmp.AllowUnexported(Issue{})
	diff(t, "object", want, res.Object, opt)
	got, _, _ := store.Load(ctx, "I-1")
	diff(t, "stored", want, got, opt)
	diff(t, "changes", []actions.FieldChange{
		{Field: "status", Old: "open", New: "taken"},
		{Field: "owner", Old: "", New: "ann"},
		{Field: "title", Old: "Crash", New: "Crash (open)"},
	}, res.Changes)
}
