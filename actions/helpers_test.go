package actions_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// Ticket is the object type of the tests: a work package with fields of
// every kind a change set may assign.
type Ticket struct {
	Title    string            `json:"title" validate:"required,max=40"`
	Status   string            `json:"status"`
	Stage    string            `json:"stage"`
	Type     string            `json:"type"`
	Priority int               `json:"priority" validate:"gte=1,lte=5"`
	Progress int               `json:"percentageDone" validate:"gte=0,lte=100"`
	Estimate float64           `json:"estimate" validate:"gte=0"`
	Points   int64             `json:"points"`
	Assignee *string           `json:"assignee,omitempty"`
	Reviewer string            `json:"reviewer"`
	Due      *time.Time        `json:"due,omitempty"`
	Tags     []string          `json:"tags"`
	Labels   map[string]string `json:"labels"`
	Email    string            `json:"email" validate:"omitempty,email"`
	Count    int               `json:"count"`
}

// The pinned clock of the tests: Monday 10 March 2025, noon UTC.
var pinned = time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC)

func pinnedClock() time.Time { return pinned }

// The actors of the tests.
var (
	ann = actions.Actor{ID: "ann", Name: "Ann", Roles: []string{"manager"}, Permissions: []string{"edit"}}
	bob = actions.Actor{ID: "bob", Name: "Bob", Roles: []string{"developer"}, Permissions: []string{"edit"}}
	eve = actions.Actor{ID: "eve", Name: "Eve", Roles: []string{"guest"}}
)

// newTicket is the object every test starts from, stored as "T-1".
func newTicket() Ticket {
	return Ticket{
		Title:    "Login fails",
		Status:   "new",
		Stage:    "triage",
		Type:     "Bug",
		Priority: 3,
		Progress: 10,
		Estimate: 2.5,
		Points:   3,
		Reviewer: "carl",
		Tags:     []string{"backend"},
		Labels:   map[string]string{"team": "core"},
	}
}

// ptr returns a pointer to v.
func ptr[V any](v V) *V { return &v }

// seqIDs returns a generator of execution ids exec-1, exec-2, ...
func seqIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("exec-%d", n.Add(1)) }
}

// compile compiles defs against Ticket with the pinned clock.
func compile(t testing.TB, defs []actions.Definition, opts ...actions.CompileOption) *actions.Catalog[Ticket] {
	t.Helper()
	opts = append([]actions.CompileOption{actions.WithConditionOptions(conditions.WithClock(pinnedClock))}, opts...)
	cat, err := actions.Compile[Ticket](defs, opts...)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return cat
}

// newEngine returns an engine over cat and a memory store holding
// newTicket() as "T-1" at version 1.
func newEngine(t testing.TB, cat *actions.Catalog[Ticket]) (*actions.Engine[Ticket], *actions.MemoryStore[Ticket]) {
	t.Helper()
	store := actions.NewMemoryStore[Ticket]()
	if _, err := store.Create(context.Background(), "T-1", newTicket()); err != nil {
		t.Fatalf("Create: %v", err)
	}
	engine, err := actions.New(cat, store, actions.WithExecutionIDs(seqIDs()))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return engine, store
}

// snapshot is what a store holds for one object.
type snapshot struct {
	Object     Ticket
	Version    int64
	Executions []actions.Execution
}

func takeSnapshot(t *testing.T, store *actions.MemoryStore[Ticket], id string) snapshot {
	t.Helper()
	ctx := context.Background()
	obj, v, err := store.Load(ctx, id)
	if err != nil {
		t.Fatalf("Load(%q): %v", id, err)
	}
	execs, err := store.Executions(ctx, actions.Filter{})
	if err != nil {
		t.Fatalf("Executions: %v", err)
	}
	return snapshot{Object: obj, Version: v, Executions: execs}
}

// ignoreUnexported ignores the collected errors kept beside the
// violations and problems, which the tests compare field by field.
var ignoreUnexported = cmpopts.IgnoreUnexported(actions.ValidationError{}, actions.LoadError{})

// problem is the part of a Problem the load tests compare.
type problem struct {
	Index    int
	ActionID string
	Key      string
}

func problemsOf(t *testing.T, err error) []problem {
	t.Helper()
	le, ok := errorAs[*actions.LoadError](err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *LoadError", err, err)
	}
	var out []problem
	for _, p := range le.Problems {
		out = append(out, problem{p.Index, p.ActionID, p.Key})
	}
	return out
}

// errorAs is errors.As as a function.
func errorAs[E error](err error) (E, bool) {
	var target E
	ok := errors.As(err, &target)
	return target, ok
}

// diff reports a cmp.Diff mismatch.
func diff(t *testing.T, what string, want, got any, opts ...cmp.Option) {
	t.Helper()
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// ignoreErr ignores the cause of a *conditions.Error, expr's own error.
var ignoreErr = cmpopts.IgnoreFields(conditions.Error{}, "Err")
