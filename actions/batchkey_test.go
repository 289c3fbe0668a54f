package actions

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/conditions"
)

// keyed is an object with fields of every kind a batch key encodes, and
// some it does not.
type keyed struct {
	Status string
	Done   bool
	Hours  float64
	Count  int16
	Tags   []string
	Owner  *string
	Limit  *int
	Due    time.Time
	Extra  map[string]string
	Ready  func() bool
	Check  func(string) bool
}

// TestBatchKeyOnlyForDeterminedDecisions checks which catalogs ResolveAll
// decides once per key: those whose rules read only fields the key encodes
// and the actor, through functions that read nothing else.
func TestBatchKeyOnlyForDeterminedDecisions(t *testing.T) {
	host := conditions.Function("lookup", func(args ...any) (any, error) { return true, nil }, new(func(string) bool))
	// A host function may have the name of a built-in, which it replaces.
	hostUpper := conditions.Function("upper", func(args ...any) (any, error) { return args[0], nil }, new(func(string) string))
	tests := []struct {
		cond  string
		keyed bool
		opt   conditions.Option
	}{
		{cond: `Status == "open" && Done`, keyed: true},
		{cond: `Hours > 1.5 && Count < 3`, keyed: true},
		{cond: `"x" in Tags && Owner != nil && Limit == nil`, keyed: true},
		{cond: `Actor.HasRole("admin") && Actor.Can("edit")`, keyed: true},
		{cond: `upper(Status) == "OPEN" && all(Tags, # != "")`, keyed: true},
		{cond: `let s = Status; s == "open"`, keyed: true},
		{cond: `true`, keyed: true},
		{cond: `lookup(Status)`, keyed: false},                       // a host function may read anything
		{cond: `now() > date("2000-01-01")`, keyed: false},           // the clock
		{cond: `daysSince(Due) > 3`, keyed: false},                   // the clock, and a field the key cannot encode
		{cond: `Due.Year() > 2000`, keyed: false},                    // a method of a field
		{cond: `Extra["a"] == "b"`, keyed: false},                    // a map
		{cond: `$env.Status == "open"`, keyed: false},                // the whole environment
		{cond: `Status == "open" || Extra["a"] == ""`, keyed: false}, // any read of such a field
		{cond: `upper(Status) == "OPEN"`, keyed: false, opt: hostUpper},
		{cond: `trim(Status) == "open"`, keyed: true, opt: hostUpper},
		{cond: `Ready()`, keyed: false},          // a field of a func type, called
		{cond: `Check(Status)`, keyed: false},    // likewise
		{cond: `Status | Check()`, keyed: false}, // likewise, through a pipe
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			opt := host
			if tt.opt != nil {
				opt = tt.opt
			}
			cat, err := Compile[keyed]([]Definition{{ID: "a", Name: "A", Condition: tt.cond}}, WithConditionOptions(opt))
			if err != nil {
				t.Fatal(err)
			}
			if got := cat.batchKey != nil; got != tt.keyed {
				t.Errorf("batch key: %v, want %v", got, tt.keyed)
			}
		})
	}
}

// TestBatchKeyTellsValuesApart checks that objects which differ in a field
// the rules read never share a key, however the bytes of their values line
// up.
func TestBatchKeyTellsValuesApart(t *testing.T) {
	cat, err := Compile[keyed]([]Definition{{ID: "a", Name: "A", Condition: `Status != "" || len(Tags) > 0 || Owner != nil || Limit != nil || Done || Hours > 0 || Count > 0`}})
	if err != nil {
		t.Fatal(err)
	}
	if cat.batchKey == nil {
		t.Fatal("no batch key")
	}
	s, zero := "", 0
	ab, c := "ab", "c"
	objects := []keyed{
		{},
		{Status: "ab", Tags: []string{"c"}},
		{Status: "a", Tags: []string{"bc"}},
		{Status: "abc"},
		{Tags: []string{}},
		{Tags: []string{""}},
		{Tags: []string{"", ""}},
		{Owner: &s},
		{Owner: &ab},
		{Owner: &c},
		{Limit: &zero},
		{Done: true},
		{Hours: 1},
		{Count: 1},
		{Count: 256},
		{Status: "\x00"},
		{Status: "\x01\x00"},
	}
	seen := map[string]int{}
	for i := range objects {
		k := string(cat.batchKey.append(nil, unsafe.Pointer(&objects[i])))
		if j, dup := seen[k]; dup {
			t.Errorf("objects %d (%+v) and %d (%+v) share a key", j, objects[j], i, objects[i])
		}
		seen[k] = i
	}
	// Equal objects share one.
	a, b := keyed{Status: "x", Tags: []string{"y"}, Owner: &ab}, keyed{Status: "x", Tags: []string{"y"}, Owner: new(string)}
	*b.Owner = "ab"
	if string(cat.batchKey.append(nil, unsafe.Pointer(&a))) != string(cat.batchKey.append(nil, unsafe.Pointer(&b))) {
		t.Error("equal objects have different keys")
	}
}

// TestResolveAllHearsTheContextEnd cancels the context while ResolveAll
// runs, on a page whose later rows reuse the first row's decision: it ends
// with the context's error, as one Resolve per row would.
func TestResolveAllHearsTheContextEnd(t *testing.T) {
	cat, err := Compile[keyed]([]Definition{{ID: "a", Name: "A", Condition: `Status == "a" || int(Status) > 0`}})
	if err != nil {
		t.Fatal(err)
	}
	if cat.batchKey == nil {
		t.Fatal("no batch key")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := New(cat, &MemoryStore[keyed]{}, WithObserver(ObserverFunc(func(_ context.Context, ev Event) {
		if ev.Kind == EventRuleFailed { // int("b") fails: row 1
			cancel()
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	items := []Item[keyed]{{ID: "0", Object: keyed{Status: "a"}}, {ID: "1", Object: keyed{Status: "b"}}}
	for i := 2; i < 40; i++ {
		items = append(items, Item[keyed]{ID: fmt.Sprint(i), Object: keyed{Status: "a"}})
	}
	if _, err := e.ResolveAll(ctx, items, Actor{ID: "ann"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("ResolveAll after the context was cancelled: %v, want context.Canceled", err)
	}
}

// TestResolveAllSharesWhateverTheOrder resolves pages whose rows share
// decisions after many that do not, and before: every row as Resolve
// resolves it.
func TestResolveAllSharesWhateverTheOrder(t *testing.T) {
	cat, err := Compile[keyed]([]Definition{
		{ID: "a", Name: "A", Condition: `Status == "a" && Count > 3`},
		{ID: "b", Name: "B", Condition: `Status != "a" || Count < 100`, Policy: Once},
	})
	if err != nil {
		t.Fatal(err)
	}
	store := &MemoryStore[keyed]{}
	e, err := New(cat, store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var items []Item[keyed]
	for i := range 300 {
		o := keyed{Status: "a", Count: 5}
		if i < 100 || i >= 250 {
			o.Count = int16(i) // distinct
		}
		items = append(items, Item[keyed]{ID: fmt.Sprint(i), Object: o})
		if i%7 == 0 { // b executed on some rows
			if _, err := store.Create(ctx, items[i].ID, o); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Save(ctx, items[i].ID, o, 1, &Execution{ID: fmt.Sprint("x", i), ActionID: "b", ObjectID: items[i].ID, ActorID: "bob"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := e.ResolveAll(ctx, items, Actor{ID: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		want, err := e.Resolve(ctx, it.ID, it.Object, Actor{ID: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(actionIDs(want), actionIDs(got[i])); diff != "" {
			t.Errorf("row %d (%+v): (-Resolve +ResolveAll):\n%s", i, it.Object, diff)
		}
	}
}
