package actions_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// Counter is the object of the concurrency test.
type Counter struct {
	Name  string `json:"name" validate:"required"`
	Count int    `json:"count" validate:"gte=0"`
}

// TestConcurrentIncrements: 8 goroutines each execute an increment 1,000
// times on one object, reloading and retrying on ErrConflict. No increment
// is lost and none is applied twice.
func TestConcurrentIncrements(t *testing.T) {
	const (
		workers = 8
		each    = 1000
	)
	ctx := context.Background()
	engine := newCounterEngine(t, actions.Definition{
		ID: "increment", Name: "Increment", Permission: "count",
		Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}},
	})

	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		actor := actions.Actor{ID: fmt.Sprintf("worker-%d", w), Permissions: []string{"count"}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < each; {
				_, version, err := engine.Load(ctx, "C-1")
				if err != nil {
					t.Errorf("Load: %v", err)
					return
				}
				_, err = engine.Execute(ctx, actions.Request{ActionID: "increment", ObjectID: "C-1", Version: version, Actor: actor})
				switch {
				case errors.Is(err, actions.ErrConflict):
					conflicts.Add(1)
				case err != nil:
					t.Errorf("Execute: %v", err)
					return
				default:
					done++
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	obj, version, err := engine.Load(ctx, "C-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	diff(t, "final object", Counter{Name: "hits", Count: workers * each}, obj)
	diff(t, "final version", int64(workers*each+1), version)

	recs, err := engine.Executions(ctx, actions.Filter{ObjectID: "C-1"})
	if err != nil {
		t.Fatalf("Executions: %v", err)
	}
	if len(recs) != workers*each {
		t.Fatalf("journal has %d records, want %d", len(recs), workers*each)
	}
	perActor := map[string]int{}
	seen := map[string]bool{}
	for i, r := range recs {
		// Oldest first, one per version: the saves were serialised.
		if r.FromVersion != int64(i+1) || r.ToVersion != int64(i+2) || r.Status != actions.StatusSucceeded {
			t.Fatalf("record %d: versions %d->%d, status %s", i, r.FromVersion, r.ToVersion, r.Status)
		}
		if seen[r.ID] {
			t.Fatalf("record %d: execution id %s used twice", i, r.ID)
		}
		seen[r.ID] = true
		perActor[r.ActorID]++
	}
	for w := range workers {
		if n := perActor[fmt.Sprintf("worker-%d", w)]; n != each {
			t.Errorf("worker-%d has %d records, want %d", w, n, each)
		}
	}
	t.Logf("%d increments, %d conflicts retried", workers*each, conflicts.Load())
}

// TestConcurrentPolicies: goroutines race to execute a Once and a
// OncePerUser action on one object, each retrying on ErrConflict until the
// action runs or is refused. Once runs exactly once; OncePerUser exactly
// once per actor.
func TestConcurrentPolicies(t *testing.T) {
	tests := []struct {
		name   string
		policy actions.Policy
		actors int
		want   int // executions
	}{
		{name: "Once", policy: actions.Once, actors: 3, want: 1},
		{name: "OncePerUser", policy: actions.OncePerUser, actors: 3, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const perActor = 4
			ctx := context.Background()
			engine := newCounterEngine(t, actions.Definition{
				ID: "approve", Name: "Approve", Policy: tt.policy,
				Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}},
			})
			var executed atomic.Int64
			start := make(chan struct{})
			var wg sync.WaitGroup
			for g := range tt.actors * perActor {
				actor := actions.Actor{ID: fmt.Sprintf("actor-%d", g%tt.actors)}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					version := int64(1) // everyone starts from the same version
					for {
						_, err := engine.Execute(ctx, actions.Request{ActionID: "approve", ObjectID: "C-1", Version: version, Actor: actor})
						switch {
						case err == nil:
							executed.Add(1)
							return
						case errors.Is(err, actions.ErrNotApplicable):
							return
						case errors.Is(err, actions.ErrConflict):
							if _, version, err = engine.Load(ctx, "C-1"); err != nil {
								t.Errorf("Load: %v", err)
								return
							}
						default:
							t.Errorf("Execute: %v", err)
							return
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			if got := executed.Load(); got != int64(tt.want) {
				t.Errorf("%d executions succeeded, want %d", got, tt.want)
			}
			obj, _, err := engine.Load(ctx, "C-1")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			diff(t, "count", tt.want, obj.Count)
			recs, err := engine.Executions(ctx, actions.Filter{ActionID: "approve", ObjectID: "C-1"})
			if err != nil {
				t.Fatalf("Executions: %v", err)
			}
			seen := map[string]bool{}
			for _, r := range recs {
				if seen[r.ActorID] {
					t.Errorf("actor %s executed twice", r.ActorID)
				}
				seen[r.ActorID] = true
			}
			diff(t, "journal records", tt.want, len(recs))
		})
	}
}

// newCounterEngine returns an engine with the one action def over a memory
// store holding the counter "C-1" at version 1.
func newCounterEngine(t *testing.T, def actions.Definition) *actions.Engine[Counter] {
	t.Helper()
	cat, err := actions.Compile[Counter]([]actions.Definition{def})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	store := actions.NewMemoryStore[Counter]()
	if _, err := store.Create(context.Background(), "C-1", Counter{Name: "hits"}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return engine
}
