package actions

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/conditions"
)

// indexed is the object of the index's property test: string fields the
// index may use, a named string type, a pointer and other kinds it must
// leave alone.
type indexed struct {
	A, B, C string
	D       label
	E       *string
	N       int
	Tags    []string
	Renamed string `expr:"R"`
}

type label string

// clauses are the conjuncts random conditions are made of: equalities the
// index uses, and every form it must not (||, negations, other kinds).
var clauses = []string{
	`A == "x"`, `"y" == B`, `C in ["x", "y"]`, `A == ""`, `B in []`, `C == "z"`, `R == "x"`, `string(D) == "y"`,
	`A != "x"`, `!(B == "y")`, `not (C in ["x"])`, `A == "x" || B == "y"`, `(A == "y" || C == "x")`,
	`N > 1`, `E == nil`, `E != nil`, `len(Tags) > 0`, `"x" in Tags`, `A == B`, `true`, `false`,
	`A in ["x", B]`, `A == "x" ? B == "y" : true`, `let v = A; v == "x"`,
	// Conjuncts that read only the actor, which Resolve answers once per
	// request, and ones that only look like it.
	// Conjuncts that fail at run time, or count steps (which a tight
	// MaxSteps makes fail).
	`int(A) > 0`, `upper(A) == "X"`, `all(Tags, # == "x")`, `A + B == "xy"`, `len(1..N) > 1`, `indexOf(B, "y") >= 0`,
	// A conjunct that reads the clock: ResolveAll decides every object.
	`now() > date("2000-01-01")`,
	`"x" in Actor.Roles`, `Actor.ID == "ann"`, `len(Actor.Roles) > 0`, `hasAny(Actor.Roles, "y")`,
	`!("y" in Actor.Roles)`, `Actor.ID == A`, `Actor.Roles[0] == "x"`, `(A == "x" || "y" in Actor.Roles)`,
}

// randomActor returns an actor with an id or none and some roles.
func randomActor(r *rand.Rand) Actor {
	a := Actor{ID: []string{"", "ann"}[r.IntN(2)]}
	for _, role := range []string{"x", "y"} {
		if r.IntN(2) == 0 {
			a.Roles = append(a.Roles, role)
		}
	}
	return a
}

var values = []string{"", "x", "y", "z"}

func randomCondition(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = clauses[r.IntN(len(clauses))]
		if strings.HasPrefix(parts[i], "let ") && n > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " && ")
}

func randomCatalog(t *testing.T, r *rand.Rand) *Catalog[indexed] {
	t.Helper()
	n := 1 + r.IntN(12)
	defs := make([]Definition, n)
	for i := range defs {
		d := Definition{ID: fmt.Sprint("a", i), Name: "A", Position: r.IntN(5)}
		if r.IntN(4) > 0 {
			d.Condition = randomCondition(r)
		}
		for g := range r.IntN(3) {
			d.Guards = append(d.Guards, Guard{Name: fmt.Sprint("g", g), Expr: randomCondition(r)})
		}
		if r.IntN(3) == 0 {
			w := &Workflow{Field: []string{"A", "B", "C"}[r.IntN(3)]}
			for _, v := range values {
				if r.IntN(2) == 0 {
					w.From = append(w.From, v)
				}
			}
			d.Workflow = w
		}
		if r.IntN(5) == 0 {
			d.Policy = Once
		}
		defs[i] = d
	}
	var opts []CompileOption
	if r.IntN(4) == 0 {
		opts = append(opts, WithConditionOptions(conditions.MaxSteps(uint(1+r.IntN(4)))))
	}
	cat, err := Compile[indexed](defs, opts...)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return cat
}

func randomObject(r *rand.Rand) indexed {
	pick := func() string { return values[r.IntN(len(values))] }
	o := indexed{A: pick(), B: pick(), C: pick(), D: label(pick()), N: r.IntN(3), Renamed: pick()}
	if r.IntN(2) == 0 {
		e := pick()
		o.E = &e
	}
	if r.IntN(2) == 0 {
		o.Tags = []string{pick()}
	}
	return o
}

// nearObject returns o, or o with one field drawn again.
func nearObject(r *rand.Rand, o indexed) indexed {
	other := randomObject(r)
	switch r.IntN(9) {
	case 0:
		o.A = other.A
	case 1:
		o.B = other.B
	case 2:
		o.C = other.C
	case 3:
		o.D = other.D
	case 4:
		o.E = other.E
	case 5:
		o.N = other.N
	case 6:
		o.Tags = other.Tags
	case 7:
		o.Renamed = other.Renamed
	}
	return o
}

// TestIndexChangesNothing resolves random objects over random catalogs with
// and without the index and compares the results: 10,000 cases or more.
// Every action is listed exactly when Check and Explain find nothing
// against it.
func TestIndexChangesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	cases, skipped := 0, 0
	failures := map[string]int{} // run-time failures, by kind of error
	for range 250 {
		cat := randomCatalog(t, r)
		store := &MemoryStore[indexed]{}
		e, err := New(cat, store, WithObserver(ObserverFunc(func(_ context.Context, ev Event) {
			if ev.Kind == EventRuleFailed {
				if errors.Is(ev.Err, conditions.ErrTooManySteps) {
					failures["steps"]++
				} else {
					failures["other"]++
				}
			}
		})))
		if err != nil {
			t.Fatal(err)
		}
		for range 50 {
			obj := randomObject(r)
			actor := randomActor(r)
			got, err := e.Resolve(ctx, "o", obj, actor)
			if err != nil {
				t.Fatal(err)
			}
			want, err := e.Resolve(ctx, "o", obj, actor, func(c *resolveConfig) { c.noIndex = true })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(actionIDs(want), actionIDs(got)); diff != "" {
				var defs []string
				for _, a := range cat.Actions() {
					defs = append(defs, fmt.Sprintf("%s: %+v", a.ID(), a.Definition()))
				}
				t.Fatalf("indexed and unindexed results differ (-unindexed +indexed):\n%s\nobject %+v\ncatalog:\n%s", diff, obj, strings.Join(defs, "\n"))
			}
			listed := map[string]bool{}
			for _, a := range got {
				listed[a.ID()] = true
			}
			for _, a := range cat.Actions() {
				checkErr := e.Check(ctx, a.ID(), "o", obj, actor)
				reasons, err := e.Explain(ctx, a.ID(), "o", obj, actor)
				if err != nil {
					t.Fatal(err)
				}
				if listed[a.ID()] != (checkErr == nil) || listed[a.ID()] != (len(reasons) == 0) {
					t.Fatalf("action %s (%+v) on %+v for %+v: listed %v, Check %v, Explain %v", a.ID(), a.Definition(), obj, actor, listed[a.ID()], checkErr, reasons)
				}
			}
			cases++
		}
		if len(cat.index.fields) == 0 {
			skipped++
		}
	}
	if cases < 10_000 {
		t.Fatalf("%d cases, want at least 10,000", cases)
	}
	if failures["steps"] == 0 || failures["other"] == 0 {
		t.Errorf("run-time failures %v: the test does not exercise conditions that fail", failures)
	}
	if skipped > 125 {
		t.Errorf("%d of 250 catalogs had no indexed field: the test hardly exercises the index", skipped)
	}
}

func actionIDs(list []*Action) []string {
	out := []string{}
	for _, a := range list {
		out = append(out, a.ID())
	}
	return out
}

func TestRequirements(t *testing.T) {
	cat := MustCompile[indexed]([]Definition{
		{ID: "a", Name: "A", Condition: `A == "x" && (B in ["x", "y"]) && N > 1`, Guards: []Guard{{Name: "g", Expr: `B == "y" || C == "x"`}, {Name: "h", Expr: `"y" == B`}}},
		{ID: "b", Name: "B", Workflow: &Workflow{Field: "C", From: []string{"x", "z"}}, Condition: `C in ["z", "y"]`},
		{ID: "c", Name: "C", Condition: `A != "x" && string(D) == "y" && R == "z" && E == nil`},
	})
	type req struct {
		Field  string
		Values []string
	}
	got := map[string][]req{}
	for _, a := range cat.Actions() {
		for _, r := range cat.shape.requirements(a) {
			var vs []string
			for v := range r.values {
				vs = append(vs, v)
			}
			slicesSort(vs)
			got[a.ID()] = append(got[a.ID()], req{r.field.goName, vs})
		}
	}
	want := map[string][]req{
		"a": {{"A", []string{"x"}}, {"B", []string{"y"}}}, // B in [x, y] and "y" == B
		"b": {{"C", []string{"z"}}},                       // from x or z, and z or y
		"c": {{"Renamed", []string{"z"}}},                 // by its expr name; a call and != are not equalities
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requirements mismatch (-want +got):\n%s", diff)
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestResolveAllIsResolve resolves batches of random objects, some equal
// but for their ids, over random catalogs, with policies some of whose
// actions were executed on some of the objects, and compares ResolveAll's
// results with one Resolve per object (without the index); the batch reads
// the journal once, and the observer hears of the same rule failures as
// from one Resolve per object.
func TestResolveAllIsResolve(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	keyed := 0 // catalogs whose decisions ResolveAll may reuse
	defer func() {
		if keyed < 60 || keyed > 240 {
			t.Errorf("%d of 300 catalogs had a batch key, want some with and some without", keyed)
		}
	}()
	for range 300 {
		cat := randomCatalog(t, r)
		store := &MemoryStore[indexed]{}
		objects := make([]Item[indexed], 20)
		for i := range objects {
			obj := randomObject(r)
			if i > 0 && r.IntN(3) > 0 {
				// An earlier object, whole or with one field drawn again:
				// ResolveAll may reuse what it decided of that one, or
				// must not.
				obj = nearObject(r, objects[r.IntN(i)].Object)
			}
			objects[i] = Item[indexed]{ID: fmt.Sprint("o", i), Object: obj}
			if _, err := store.Create(ctx, objects[i].ID, objects[i].Object); err != nil {
				t.Fatal(err)
			}
		}
		for i, a := range cat.Actions() {
			if a.Policy() == Unlimited || r.IntN(2) == 0 {
				continue
			}
			o := objects[r.IntN(len(objects))]
			_, v, _ := store.Load(ctx, o.ID)
			rec := &Execution{ID: fmt.Sprint("x", i), ActionID: a.ID(), ObjectID: o.ID, ActorID: []string{"ann", "bob"}[r.IntN(2)]}
			if _, err := store.Save(ctx, o.ID, o.Object, v, rec); err != nil {
				t.Fatal(err)
			}
		}
		j := &countingPolicies{Journal: store}
		var failed []string // the rule failures the observer heard of, as object/action/guard
		e, err := New(cat, store, WithJournal(j), WithObserver(ObserverFunc(func(_ context.Context, ev Event) {
			if ev.Kind == EventRuleFailed {
				failed = append(failed, ev.ObjectID+"/"+ev.ActionID+"/"+ev.Guard)
			}
		})))
		if err != nil {
			t.Fatal(err)
		}
		actor := randomActor(r)
		got, err := e.ResolveAll(ctx, objects, actor)
		if err != nil {
			t.Fatal(err)
		}
		if j.calls > 1 {
			t.Errorf("ResolveAll made %d Policies calls, want at most 1", j.calls)
		}
		batchFailed := failed
		failed = nil
		for _, o := range objects {
			if _, err := e.Resolve(ctx, o.ID, o.Object, actor); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(failed, batchFailed); diff != "" {
			t.Fatalf("the observer heard of other failures from ResolveAll than from Resolve (-Resolve +ResolveAll):\n%s", diff)
		}
		if cat.batchKey != nil {
			keyed++
		}
		for i, o := range objects {
			want, err := e.Resolve(ctx, o.ID, o.Object, actor, func(c *resolveConfig) { c.noIndex = true })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(actionIDs(want), actionIDs(got[i])); diff != "" {
				t.Fatalf("object %s: ResolveAll and Resolve differ (-Resolve +ResolveAll):\n%s", o.ID, diff)
			}
		}
	}
}

type countingPolicies struct {
	Journal
	calls int
}

func (j *countingPolicies) Policies(ctx context.Context, q PolicyQuery) ([]PolicyState, error) {
	j.calls++
	return j.Journal.Policies(ctx, q)
}

// TestIndexSkipsWork: of 100 actions each requiring its own value of A
// (after a host function that counts its calls), a Resolve evaluates the
// condition of the one that matches and no other; without the index it
// evaluates every one.
func TestIndexSkipsWork(t *testing.T) {
	var calls int
	count := conditions.Function("counted", func(...any) (any, error) { calls++; return true, nil }, new(func() bool))
	defs := make([]Definition, 100)
	for i := range defs {
		defs[i] = Definition{ID: fmt.Sprint("a", i), Name: "A", Condition: fmt.Sprintf(`counted() && A == "v%d"`, i)}
	}
	cat, err := Compile[indexed](defs, WithConditionOptions(count))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(cat, &MemoryStore[indexed]{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		opts      []ResolveOption
		wantCalls int
	}{
		{"indexed", nil, 1},
		{"unindexed", []ResolveOption{func(c *resolveConfig) { c.noIndex = true }}, 100},
	} {
		calls = 0
		got, err := e.Resolve(ctx, "o", indexed{A: "v7"}, Actor{}, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a7"}, actionIDs(got)); diff != "" {
			t.Errorf("%s: listed (-want +got):\n%s", tt.name, diff)
		}
		if calls != tt.wantCalls {
			t.Errorf("%s: counted() ran %d times, want %d", tt.name, calls, tt.wantCalls)
		}
	}
}

// TestFastPathFailsAsWritten: when a part of a condition the index split
// fails at run time, the failure the observer hears of is the whole
// condition's, with its positions, as without the index.
func TestFastPathFailsAsWritten(t *testing.T) {
	cat, err := Compile[indexed]([]Definition{
		{ID: "a", Name: "A", Condition: `B == "y" && "x" in Actor.Roles && int(A) > 0`},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.index.fields) != 1 || len(cat.index.fields[0].byValue["y"]) != 1 || cat.index.fields[0].byValue["y"][0].fast == nil {
		t.Fatal("the condition is not split: the test would not exercise the fast path")
	}
	var got []string
	e, err := New(cat, &MemoryStore[indexed]{}, WithObserver(ObserverFunc(func(_ context.Context, ev Event) {
		if ev.Kind == EventRuleFailed {
			got = append(got, ev.Err.Error())
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obj, actor := indexed{A: "x", B: "y"}, Actor{Roles: []string{"x"}}
	if _, err := e.Resolve(ctx, "o", obj, actor); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Resolve(ctx, "o", obj, actor, func(c *resolveConfig) { c.noIndex = true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != got[1] {
		t.Fatalf("failures indexed and unindexed: %q, want two equal ones", got)
	}
}
