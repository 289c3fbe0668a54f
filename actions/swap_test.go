package actions_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// The two catalogs of the hot reload test: both have bump; comment is
// renamed to note in v2.
var (
	swapV1 = []actions.Definition{
		{ID: "bump", Name: "Bump", Position: 1, Changes: []actions.Change{{Field: "count", Expr: "Count + 1"}}},
		{ID: "comment", Name: "Comment", Position: 2, Workflow: &actions.Workflow{Field: "status", From: []string{"new"}}},
	}
	swapV2 = []actions.Definition{
		{ID: "bump", Name: "Bump", Position: 1, Changes: []actions.Change{{Field: "count", Expr: "Count + 10"}}},
		{ID: "note", Name: "Note", Position: 2, Condition: `Status == "new"`},
	}
)

// TestSwap swaps catalogs while 4 goroutines resolve and execute: every
// request sees one whole catalog, and requests after the last swap see the
// new one.
func TestSwap(t *testing.T) {
	ctx := context.Background()
	v1, v2 := compile(t, swapV1), compile(t, swapV2)
	engine, _ := newEngine(t, v1)

	var wg sync.WaitGroup
	var requests atomic.Int64
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				list, err := engine.Resolve(ctx, "T-1", newTicket(), ann)
				if err != nil {
					t.Errorf("Resolve: %v", err)
					return
				}
				if got := ids(list); !slices.Equal(got, []string{"bump", "comment"}) && !slices.Equal(got, []string{"bump", "note"}) {
					t.Errorf("Resolve = %v, a mix of catalogs", got)
					return
				}
				_, version, err := engine.Load(ctx, "T-1")
				if err != nil {
					t.Errorf("Load: %v", err)
					return
				}
				res, err := engine.Execute(ctx, actions.Request{ActionID: "bump", ObjectID: "T-1", Version: version, Actor: ann})
				if err != nil && !errors.Is(err, actions.ErrConflict) {
					t.Errorf("Execute: %v", err)
					return
				}
				requests.Add(1)
				// A bump adds 1 (v1) or 10 (v2), never anything else.
				if err == nil && len(res.Changes) == 1 {
					d := res.Changes[0].New.(int) - res.Changes[0].Old.(int)
					if d != 1 && d != 10 {
						t.Errorf("bump added %d", d)
						return
					}
				}
			}
		}()
	}
	// Swap at least 200 times, and until the goroutines have made 400
	// requests.
	for i := 0; i < 200 || requests.Load() < 400; i++ {
		runtime.Gosched()
		next := v2
		if i%2 == 1 {
			next = v1
		}
		old, err := engine.Swap(next)
		if err != nil {
			t.Fatalf("Swap: %v", err)
		}
		if old == next {
			t.Fatalf("Swap %d returned the catalog it installed", i)
		}
	}
	if _, err := engine.Swap(v2); err != nil {
		t.Fatalf("Swap: %v", err)
	}
	close(stop)
	wg.Wait()

	// After the swap, every request sees v2.
	if engine.Catalog() != v2 {
		t.Fatal("Catalog() is not the last catalog swapped in")
	}
	list, err := engine.Resolve(ctx, "T-1", newTicket(), ann)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	diff(t, "actions after the swap", []string{"bump", "note"}, ids(list))
	obj, version, err := engine.Load(ctx, "T-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = engine.Execute(ctx, actions.Request{ActionID: "comment", ObjectID: "T-1", Version: version, Actor: ann})
	if nf, ok := errorAs[*actions.NotFoundError](err); !ok || nf.Kind != "action" {
		t.Errorf("Execute of an action of the old catalog: error %v, want an action *NotFoundError", err)
	}
	res, err := engine.Execute(ctx, actions.Request{ActionID: "bump", ObjectID: "T-1", Version: version, Actor: ann})
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	diff(t, "bump after the swap", []actions.FieldChange{{Field: "count", Old: obj.Count, New: obj.Count + 10}}, res.Changes)

	if _, err := engine.Swap(nil); err == nil {
		t.Error("Swap(nil) succeeded")
	}
	if engine.Catalog() != v2 {
		t.Error("Swap(nil) changed the catalog")
	}
}
