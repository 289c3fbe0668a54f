package actions_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// TestHostFunctionKeepsItsArgument: a host function that keeps the string it
// was given must find it unchanged however many Resolves run after it,
// concurrently, with other objects. Resolve once reused the memory of its
// environments, and expr hands out strings that point into it.
func TestHostFunctionKeepsItsArgument(t *testing.T) {
	var mu sync.Mutex
	var kept []any    // the arguments, as received
	var want []string // their values when received
	keep := conditions.Function("keep", func(args ...any) (any, error) {
		mu.Lock()
		kept = append(kept, args[0])
		want = append(want, strings.Clone(args[0].(string)))
		mu.Unlock()
		return true, nil
	}, new(func(string) bool))
	cat := compile(t, []actions.Definition{
		{ID: "keep", Name: "Keep", Condition: `keep(Title)`},
		{ID: "other", Name: "Other", Condition: `Title != ""`},
	}, actions.WithConditionOptions(keep))
	engine, _ := newEngine(t, cat)
	ctx := context.Background()

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				tk := newTicket()
				tk.Title = fmt.Sprintf("title %d of worker %d, long enough to span words", i, w)
				if _, err := engine.Resolve(ctx, "T-1", tk, ann); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(kept) != 800 {
		t.Fatalf("keep was called %d times, want 800", len(kept))
	}
	for i := range kept {
		if kept[i].(string) != want[i] {
			t.Fatalf("argument %d changed after it was received: %q, was %q", i, kept[i], want[i])
		}
	}
}

// TestCatalogIsImmutable: nothing a caller gets from a catalog can change how
// it resolves or executes.
func TestCatalogIsImmutable(t *testing.T) {
	defs := []actions.Definition{{
		ID: "close", Name: "Close", Permission: "edit", Policy: actions.Once,
		Workflow:       &actions.Workflow{Field: "status", From: []string{"new"}, To: "closed"},
		Changes:        []actions.Change{{Field: "title", Expr: `"closed: " + Title`}},
		PostConditions: []actions.PostCondition{{Expr: `Title != ""`, Message: "a title"}},
	}}
	cat := compile(t, defs)
	want := cat.Actions()[0].Definition()

	// What a careless caller might do with everything it can reach.
	mutate := func(d actions.Definition) {
		d.Permission = ""
		d.Policy = actions.Unlimited
		d.Workflow.From[0] = "closed"
		d.Workflow.To = "new"
		d.Changes[0].Expr = `"x"`
		d.PostConditions[0].Expr = "false"
	}
	for _, a := range cat.Actions() {
		mutate(a.Definition())
	}
	a, err := cat.Action("close")
	if err != nil {
		t.Fatal(err)
	}
	mutate(a.Definition())
	mutate(defs[0]) // the definitions Compile was given
	list := cat.Actions()
	list[0] = nil // the slice is the caller's

	diff(t, "definition after mutations", want, a.Definition())
	engine, _ := newEngine(t, cat)
	ctx := context.Background()

	// eve lacks "edit": both Resolve and Execute refuse her, as before.
	if got, err := engine.Resolve(ctx, "T-1", newTicket(), eve); err != nil || len(got) != 0 {
		t.Errorf("Resolve for eve = %v, %v; want nothing", got, err)
	}
	if _, err := engine.Execute(ctx, actions.Request{ActionID: "close", ObjectID: "T-1", Version: 1, Actor: eve}); !errors.Is(err, actions.ErrForbidden) {
		t.Errorf("Execute for eve: %v, want ErrForbidden", err)
	}
	var seen *actions.Action
	cat2 := compile(t, []actions.Definition{{ID: "close", Name: "Close", Permission: "edit", Effects: []string{"look"}}},
		actions.WithEffect("look", actions.EffectFunc[Ticket](func(_ context.Context, in actions.EffectInput[Ticket]) error {
			seen = in.Action
			d := in.Action.Definition()
			d.Permission = ""
			return nil
		})))
	engine2, _ := newEngine(t, cat2)
	if _, err := engine2.Execute(ctx, actions.Request{ActionID: "close", ObjectID: "T-1", Version: 1, Actor: ann}); err != nil {
		t.Fatal(err)
	}
	if seen == nil || seen.Permission() != "edit" {
		t.Errorf("the effect's action has permission %q after the effect changed its copy, want edit", seen.Permission())
	}
	res, err := engine.Execute(ctx, actions.Request{ActionID: "close", ObjectID: "T-1", Version: 1, Actor: ann})
	if err != nil {
		t.Fatal(err)
	}
	if res.Object.Status != "closed" || res.Object.Title != "closed: Login fails" {
		t.Errorf("Execute applied status %q, title %q; want the compiled changes", res.Object.Status, res.Object.Title)
	}
	// Once still holds: the policy was not changed either.
	if err := engine.Check(ctx, "close", "T-1", res.Object, ann); !errors.Is(err, actions.ErrNotApplicable) {
		t.Errorf("Check after the Once action ran: %v, want ErrNotApplicable", err)
	}
}

// TestConditionFailsAtRunTime: a condition that fails on odd data makes that
// action alone not applicable; the others are listed, the failure is a
// reason of its own, Execute refuses with it, and the observer is told.
func TestConditionFailsAtRunTime(t *testing.T) {
	var events []actions.Event
	var mu sync.Mutex
	observer := actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	})
	cat := compile(t, []actions.Definition{
		{ID: "before", Name: "Before", Position: 1},
		{ID: "due", Name: "Due", Position: 2, Condition: `Due.Year() > 2000`}, // Due is nil on newTicket
		{ID: "after", Name: "After", Position: 3, Condition: `Priority > 1`},
	})
	store := actions.NewMemoryStore[Ticket]()
	ctx := context.Background()
	if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, store, actions.WithObserver(observer))
	if err != nil {
		t.Fatal(err)
	}

	list, err := engine.Resolve(ctx, "T-1", newTicket(), ann)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	diff(t, "applicable", []string{"before", "after"}, ids(list))

	reasons, err := engine.Explain(ctx, "due", "T-1", newTicket(), ann)
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	if len(reasons) != 1 || reasons[0].Kind != actions.ReasonError {
		t.Fatalf("Explain reasons = %+v, want one of kind %q", reasons, actions.ReasonError)
	}
	var ce *conditions.Error
	if !errors.As(reasons[0].Err, &ce) || ce.Source != "Due.Year() > 2000" {
		t.Errorf("the reason's error is %v, want the condition's *conditions.Error", reasons[0].Err)
	}
	if want := "condition failed: value method time.Time.Year called using nil *Time pointer (1:5)"; reasons[0].Message != want {
		t.Errorf("reason message = %q, want %q", reasons[0].Message, want)
	}

	_, err = engine.Execute(ctx, actions.Request{ActionID: "due", ObjectID: "T-1", Version: 1, Actor: ann})
	if !errors.Is(err, actions.ErrNotApplicable) || !errors.As(err, &ce) {
		t.Errorf("Execute: %v, want ErrNotApplicable carrying the *conditions.Error", err)
	}
	if _, v, _ := store.Load(ctx, "T-1"); v != 1 {
		t.Errorf("version after the refused Execute = %d, want 1", v)
	}

	mu.Lock()
	defer mu.Unlock()
	var failures []actions.Event
	var execute *actions.Event
	for i, ev := range events {
		switch ev.Kind {
		case actions.EventRuleFailed:
			failures = append(failures, ev)
		case actions.EventExecute:
			execute = &events[i]
		}
	}
	if len(failures) != 3 { // Resolve, Explain, Execute
		t.Fatalf("observer saw %d rule failures, want 3: %+v", len(failures), events)
	}
	for _, ev := range failures {
		if ev.ActionID != "due" || ev.ObjectID != "T-1" || ev.ActorID != "ann" || !errors.As(ev.Err, &ce) {
			t.Errorf("event = %+v, want a rule failure of due on T-1 by ann with its error", ev)
		}
	}
	if execute == nil || execute.Outcome != actions.OutcomeRefused || execute.Reason != actions.ReasonError {
		t.Errorf("execute event = %+v, want refused for a rule failure", execute)
	}
}

// TestCancelledContextEndsResolve: a context that ends is not a rule
// failure: the whole Resolve fails.
func TestCancelledContextEndsResolve(t *testing.T) {
	engine, _ := newEngine(t, compile(t, []actions.Definition{{ID: "a", Name: "A", Condition: `Priority > 1`}}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := engine.Resolve(ctx, "T-1", newTicket(), ann); !errors.Is(err, context.Canceled) {
		t.Errorf("Resolve with a cancelled context: %v, want context.Canceled", err)
	}
}

// countingJournal counts the journal calls of an engine.
type countingJournal struct {
	actions.Journal
	policies, executions atomic.Int64
}

func (j *countingJournal) Policies(ctx context.Context, q actions.PolicyQuery) ([]actions.PolicyState, error) {
	j.policies.Add(1)
	return j.Journal.Policies(ctx, q)
}

func (j *countingJournal) Executions(ctx context.Context, f actions.Filter) ([]actions.Execution, error) {
	j.executions.Add(1)
	return j.Journal.Executions(ctx, f)
}

// TestOneJournalCallPerRequest: policy checks cost one journal call per
// Resolve or Execute, however many actions have a policy.
func TestOneJournalCallPerRequest(t *testing.T) {
	cat := compile(t, []actions.Definition{
		{ID: "once-1", Name: "Once 1", Policy: actions.Once},
		{ID: "plain", Name: "Plain"},
		{ID: "once-2", Name: "Once 2", Policy: actions.Once},
		{ID: "mine", Name: "Mine", Policy: actions.OncePerUser},
		{ID: "never", Name: "Never", Policy: actions.Once, Condition: `Priority > 100`},
	})
	store := actions.NewMemoryStore[Ticket]()
	ctx := context.Background()
	if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
		t.Fatal(err)
	}
	j := &countingJournal{Journal: store}
	engine, err := actions.New(cat, store, actions.WithJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Execute(ctx, actions.Request{ActionID: "once-2", ObjectID: "T-1", Version: 1, Actor: ann})
	if err != nil {
		t.Fatal(err)
	}
	if n := j.policies.Load(); n != 1 {
		t.Errorf("Execute made %d Policies calls, want 1", n)
	}
	j.policies.Store(0)
	list, err := engine.Resolve(ctx, "T-1", res.Object, ann)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "applicable for ann", []string{"once-1", "plain", "mine"}, ids(list))
	list, err = engine.Resolve(ctx, "T-1", res.Object, actions.Actor{ID: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "applicable for bob", []string{"once-1", "plain", "mine"}, ids(list))
	if n := j.policies.Load(); n != 2 {
		t.Errorf("two Resolves made %d Policies calls, want 2", n)
	}
	if n := j.executions.Load(); n != 0 {
		t.Errorf("the policy checks made %d Executions calls, want 0", n)
	}
	// Without a policy action that passes its other checks, no call at all.
	gated := compile(t, []actions.Definition{
		{ID: "once", Name: "Once", Policy: actions.Once, Permission: "edit"},
		{ID: "plain", Name: "Plain"},
	})
	j = &countingJournal{Journal: store}
	engine, err = actions.New(gated, store, actions.WithJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	list, err = engine.Resolve(ctx, "T-1", res.Object, eve)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "applicable for eve", []string{"plain"}, ids(list))
	if n := j.policies.Load(); n != 0 {
		t.Errorf("a Resolve with no policy action left to check made %d Policies calls, want 0", n)
	}
}

// TestRetentionKeepsPolicies: dropping old records never makes a Once or
// OncePerUser action executable again.
func TestRetentionKeepsPolicies(t *testing.T) {
	cat := compile(t, []actions.Definition{
		{ID: "once", Name: "Once", Policy: actions.Once},
		{ID: "mine", Name: "Mine", Policy: actions.OncePerUser},
		{ID: "plain", Name: "Plain"},
	})
	engine, store := newEngine(t, cat)
	ctx := context.Background()
	v := int64(1)
	for _, id := range []string{"once", "mine", "plain", "plain"} {
		res, err := engine.Execute(ctx, actions.Request{ActionID: id, ObjectID: "T-1", Version: v, Actor: ann})
		if err != nil {
			t.Fatal(err)
		}
		v = res.Version
	}
	n, err := store.Prune(ctx, actions.Retention{Before: pinned.Add(time.Hour)})
	if err != nil || n != 4 {
		t.Fatalf("Prune = %d, %v; want 4, nil", n, err)
	}
	if recs, _ := store.Executions(ctx, actions.Filter{}); len(recs) != 0 {
		t.Fatalf("the journal still has %d records", len(recs))
	}
	obj, _, _ := store.Load(ctx, "T-1")
	list, err := engine.Resolve(ctx, "T-1", obj, ann)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "applicable for ann after Prune", []string{"plain"}, ids(list))
	list, _ = engine.Resolve(ctx, "T-1", obj, bob)
	diff(t, "applicable for bob after Prune", []string{"mine", "plain"}, ids(list))
	for _, id := range []string{"once", "mine"} {
		if _, err := engine.Execute(ctx, actions.Request{ActionID: id, ObjectID: "T-1", Version: v, Actor: ann}); !errors.Is(err, actions.ErrNotApplicable) {
			t.Errorf("Execute %s after Prune: %v, want ErrNotApplicable", id, err)
		}
	}
}

// TestOneClock: the clock given to the catalog is the one its rules read and
// the one that stamps executions.
func TestOneClock(t *testing.T) {
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := func() time.Time { return at }
	for name, opt := range map[string]actions.CompileOption{
		"WithClock":            actions.WithClock(clock),
		"WithConditionOptions": actions.WithConditionOptions(conditions.WithClock(clock)),
	} {
		t.Run(name, func(t *testing.T) {
			cat, err := actions.Compile[Ticket]([]actions.Definition{{
				ID: "stamp", Name: "Stamp", Condition: `now().Year() == 2031`,
				Changes: []actions.Change{{Field: "due", Expr: `now()`}},
			}}, opt)
			if err != nil {
				t.Fatal(err)
			}
			store := actions.NewMemoryStore[Ticket]()
			ctx := context.Background()
			if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
				t.Fatal(err)
			}
			engine, err := actions.New(cat, store)
			if err != nil {
				t.Fatal(err)
			}
			res, err := engine.Execute(ctx, actions.Request{ActionID: "stamp", ObjectID: "T-1", Version: 1, Actor: ann})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Object.Due.Equal(at) || !res.Execution.Time.Equal(at) || !cat.Now().Equal(at) {
				t.Errorf("due %v, execution time %v, catalog clock %v; want all %v", res.Object.Due, res.Execution.Time, cat.Now(), at)
			}
		})
	}
}

// loadSaveOnly is a store with the two methods an engine needs, and no
// Create.
type loadSaveOnly struct{ m *actions.MemoryStore[Ticket] }

func (s loadSaveOnly) Load(ctx context.Context, id string) (Ticket, int64, error) {
	return s.m.Load(ctx, id)
}

func (s loadSaveOnly) Save(ctx context.Context, id string, obj Ticket, expected int64, rec *actions.Execution) (int64, error) {
	return s.m.Save(ctx, id, obj, expected, rec)
}

// TestEngineNeedsNoCreate: an engine runs on a store that cannot create
// objects, and the zero MemoryStore is ready to use.
func TestEngineNeedsNoCreate(t *testing.T) {
	var zero actions.MemoryStore[Ticket]
	ctx := context.Background()
	if _, _, err := zero.Load(ctx, "T-1"); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Load from the zero store: %v, want ErrNotFound", err)
	}
	if recs, err := zero.Executions(ctx, actions.Filter{}); err != nil || len(recs) != 0 {
		t.Errorf("Executions of the zero store = %v, %v", recs, err)
	}
	if _, err := zero.Finish(ctx, "x", actions.StatusSucceeded, ""); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Finish on the zero store: %v, want ErrNotFound", err)
	}
	if v, err := zero.Create(ctx, "T-1", newTicket()); err != nil || v != 1 {
		t.Fatalf("Create on the zero store = %d, %v", v, err)
	}
	engine, err := actions.New(compile(t, []actions.Definition{{ID: "a", Name: "A", Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}}}),
		loadSaveOnly{&zero}, actions.WithJournal(&zero))
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Execute(ctx, actions.Request{ActionID: "a", ObjectID: "T-1", Version: 1, Actor: ann})
	if err != nil || res.Object.Count != 1 || res.Execution.Seq != 1 {
		t.Errorf("Execute = %+v, %v", res, err)
	}
}

// TestJournalOrderAndPaging reads a journal page by page, oldest first and
// newest first, through the engine.
func TestJournalOrderAndPaging(t *testing.T) {
	engine, _ := newEngine(t, compile(t, []actions.Definition{{ID: "a", Name: "A", Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}}}))
	ctx := context.Background()
	v := int64(1)
	for i := range 7 {
		actor := ann
		if i%3 == 2 {
			actor = actions.Actor{} // no id
		}
		res, err := engine.Execute(ctx, actions.Request{ActionID: "a", ObjectID: "T-1", Version: v, Actor: actor})
		if err != nil {
			t.Fatal(err)
		}
		if res.Execution.Seq != int64(i+1) {
			t.Fatalf("execution %d has Seq %d", i, res.Execution.Seq)
		}
		v = res.Version
	}
	var got []int64
	for after := int64(0); ; {
		page, err := engine.Executions(ctx, actions.Filter{ObjectID: "T-1", After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			got = append(got, e.Seq)
		}
		after = page[len(page)-1].Seq
	}
	diff(t, "oldest first, by pages of 3", []int64{1, 2, 3, 4, 5, 6, 7}, got)
	got = nil
	for before := int64(0); ; {
		page, err := engine.Executions(ctx, actions.Filter{Newest: true, Before: before, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			got = append(got, e.Seq)
		}
		before = page[len(page)-1].Seq
	}
	diff(t, "newest first, by pages of 3", []int64{7, 6, 5, 4, 3, 2, 1}, got)
	anon, err := engine.Executions(ctx, actions.Filter{NoActor: true})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, e := range anon {
		seqs = append(seqs, e.Seq)
	}
	diff(t, "records without an actor", []int64{3, 6}, seqs, cmpopts.EquateEmpty())
	if _, err := engine.Executions(ctx, actions.Filter{NoActor: true, ActorID: "ann"}); err == nil {
		t.Error("a filter for an actor and for no actor was accepted")
	}
}

// TestValidatorPanic: a host's custom validation that panics is the host's
// bug; Execute reports it as an error and stores nothing.
func TestValidatorPanic(t *testing.T) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterStructValidation(func(sl validator.StructLevel) {
		if sl.Current().Interface().(Ticket).Title == "boom" {
			panic("struct boom")
		}
	}, Ticket{})
	if err := v.RegisterValidation("notboom", func(fl validator.FieldLevel) bool {
		if fl.Field().String() == "boom" {
			panic("input boom")
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	cat, err := actions.Compile[Ticket]([]actions.Definition{
		{ID: "retitle", Name: "Retitle", Changes: []actions.Change{{Field: "title", Expr: `"boom"`}}},
		{ID: "note", Name: "Note", Inputs: []actions.Input{{Name: "text", Type: actions.InputString, Validate: "notboom"}}},
	}, actions.WithValidator(v))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		req     actions.Request
		wantErr string
	}{
		{actions.Request{ActionID: "retitle"}, "validator panicked: struct boom"},
		{actions.Request{ActionID: "note", Inputs: actions.Inputs{"text": "boom"}}, "validator panicked: input boom"},
	}
	for _, tt := range tests {
		t.Run(tt.req.ActionID, func(t *testing.T) {
			store := actions.NewMemoryStore[Ticket]()
			ctx := context.Background()
			if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
				t.Fatal(err)
			}
			engine, err := actions.New(cat, store)
			if err != nil {
				t.Fatal(err)
			}
			tt.req.ObjectID, tt.req.Version, tt.req.Actor = "T-1", 1, ann
			_, err = engine.Execute(ctx, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Execute: %v, want an error containing %q", err, tt.wantErr)
			}
			got, version, err := store.Load(ctx, "T-1")
			if err != nil || version != 1 || got.Title != newTicket().Title {
				t.Errorf("after the panic: %+v version %d %v, want the ticket unchanged", got, version, err)
			}
		})
	}
}
