package actions_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/actionable-go/actionable/actions"
)

// BenchTicket is the 10-field object of the benchmarks.
type BenchTicket struct {
	Title    string   `json:"title" validate:"required,max=80"`
	Status   string   `json:"status" validate:"required"`
	Type     string   `json:"type" validate:"oneof=Bug Task Feature Epic"`
	Priority int      `json:"priority" validate:"gte=1,lte=5"`
	Progress int      `json:"percentageDone" validate:"gte=0,lte=100"`
	Estimate float64  `json:"estimate" validate:"gte=0"`
	Assignee string   `json:"assignee"`
	Email    string   `json:"email" validate:"omitempty,email"`
	Count    int      `json:"count" validate:"gte=0"`
	Tags     []string `json:"tags" validate:"max=10"`
}

// benchEnv is the environment the catalog compiles BenchTicket's
// expressions against: its fields at the top level, plus Actor. The floor
// runs the same programs against it.
type benchEnv struct {
	Title    string
	Status   string
	Type     string
	Priority int
	Progress int
	Estimate float64
	Assignee string
	Email    string
	Count    int
	Tags     []string
	Actor    actions.Actor
}

var (
	benchStatuses = []string{"new", "open", "review", "blocked", "closed"}
	benchTypes    = []string{"Bug", "Task", "Feature", "Epic"}
	benchActor    = actions.Actor{ID: "ann", Roles: []string{"developer", "manager"}, Permissions: []string{"edit"}}
)

func benchTicket() BenchTicket {
	return BenchTicket{
		Title: "Login fails", Status: "new", Type: "Bug", Priority: 3, Progress: 10, Estimate: 2.5,
		Assignee: "bob", Email: "bob@example.com", Count: 0, Tags: []string{"backend", "urgent"},
	}
}

// benchTypesOf is the pair of types action i accepts.
func benchTypesOf(i int) string {
	return fmt.Sprintf("[%q, %q]", benchTypes[i%4], benchTypes[(i+1)%4])
}

// benchCondition is the condition of action i: as in the conditions
// benchmark, spread over 5 statuses and 4 types.
func benchCondition(i int) string {
	return fmt.Sprintf(`Status == %q && Type in %s && Priority >= 2 && "manager" in Actor.Roles`, benchStatuses[i%5], benchTypesOf(i))
}

// benchDefs returns n actions with plain conditions (no workflow: the
// state index does not apply) or, with workflow, the same rules with the
// status test written as a workflow state (the index applies).
func benchDefs(n int, workflow bool) []actions.Definition {
	defs := make([]actions.Definition, n)
	for i := range defs {
		d := actions.Definition{ID: "a" + strconv.Itoa(i), Name: "Action " + strconv.Itoa(i), Position: i, Permission: "edit"}
		if workflow {
			d.Workflow = &actions.Workflow{Field: "status", From: []string{benchStatuses[i%5]}}
			d.Condition = fmt.Sprintf(`Type in %s && Priority >= 2 && "manager" in Actor.Roles`, benchTypesOf(i))
		} else {
			d.Condition = benchCondition(i)
		}
		defs[i] = d
	}
	return defs
}

// benchFloor runs the conditions of n actions, compiled with expr, in a loop
// on one reused VM: the floor a resolver is held to. With boxPerCall it
// boxes the environment in every iteration, as a resolver must.
func benchFloor(b *testing.B, n int, boxPerCall bool) {
	conds := make([]string, n)
	for i := range conds {
		conds[i] = benchCondition(i)
	}
	benchFloorOf(b, conds, "new", boxPerCall, n/10)
}

// benchFloorOf runs conds, compiled with expr, in a loop on one reused VM,
// against the bench ticket in status, and checks that want of them hold.
func benchFloorOf(b *testing.B, conds []string, status string, boxPerCall bool, want int) {
	programs := make([]*vm.Program, len(conds))
	for i := range programs {
		p, err := expr.Compile(conds[i], expr.Env(benchEnv{}), expr.AsBool())
		if err != nil {
			b.Fatal(err)
		}
		programs[i] = p
	}
	t := benchTicket()
	t.Status = status
	var env any = benchEnv{
		Title: t.Title, Status: t.Status, Type: t.Type, Priority: t.Priority, Progress: t.Progress, Estimate: t.Estimate,
		Assignee: t.Assignee, Email: t.Email, Count: t.Count, Tags: t.Tags, Actor: benchActor,
	}
	var v vm.VM
	b.ReportAllocs()
	for b.Loop() {
		if boxPerCall {
			env = benchEnv{
				Title: t.Title, Status: t.Status, Type: t.Type, Priority: t.Priority, Progress: t.Progress, Estimate: t.Estimate,
				Assignee: t.Assignee, Email: t.Email, Count: t.Count, Tags: t.Tags, Actor: benchActor,
			}
		}
		applicable := 0
		for _, p := range programs {
			out, err := v.Run(p, env)
			if err != nil {
				b.Fatal(err)
			}
			if out.(bool) {
				applicable++
			}
		}
		if applicable != want {
			b.Fatalf("%d applicable, want %d", applicable, want)
		}
	}
}

// discriminatingCondition is the condition of action i of the
// discriminating catalog: its status is one of 50, so that about 2 % of the
// actions can apply to an object.
func discriminatingCondition(i int) string {
	return fmt.Sprintf(`Status == "s_%d" && Priority >= 2 && "manager" in Actor.Roles`, i%50)
}

// BenchmarkResolveDiscriminating resolves an object in status s_0 over
// 1,000 actions whose conditions open with an equality on one of 50
// statuses, beside the floor of running all 1,000 programs.
func BenchmarkResolveDiscriminating(b *testing.B) {
	const n = 1000
	conds := make([]string, n)
	defs := make([]actions.Definition, n)
	for i := range defs {
		conds[i] = discriminatingCondition(i)
		defs[i] = actions.Definition{ID: "a" + strconv.Itoa(i), Name: "Action", Position: i, Permission: "edit", Condition: conds[i]}
	}
	b.Run("resolve", func(b *testing.B) {
		cat, err := actions.Compile[BenchTicket](defs)
		if err != nil {
			b.Fatal(err)
		}
		engine, err := actions.New(cat, actions.NewMemoryStore[BenchTicket]())
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		obj := benchTicket()
		obj.Status = "s_0"
		b.ReportAllocs()
		for b.Loop() {
			list, err := engine.Resolve(ctx, "B-1", obj, benchActor)
			if err != nil {
				b.Fatal(err)
			}
			if len(list) != n/50 {
				b.Fatalf("%d applicable, want %d", len(list), n/50)
			}
		}
	})
	b.Run("floor-boxed", func(b *testing.B) {
		benchFloorOf(b, conds, "s_0", true, n/50)
	})
}

// BenchmarkResolve resolves one object over 10, 100 and 1,000 actions, beside
// the floor: the same conditions compiled with expr and run in a loop on one
// reused VM with the environment boxed once.
func BenchmarkResolve(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("actions=%d/resolve", n), func(b *testing.B) {
			benchResolve(b, benchDefs(n, false))
		})
		b.Run(fmt.Sprintf("actions=%d/floor", n), func(b *testing.B) {
			benchFloor(b, n, false)
		})
		// The floor above boxes its environment once, outside the loop; a
		// resolver must build one per object. This floor boxes one per
		// iteration, the least any resolver pays.
		b.Run(fmt.Sprintf("actions=%d/floor-boxed", n), func(b *testing.B) {
			benchFloor(b, n, true)
		})
		b.Run(fmt.Sprintf("actions=%d/resolve-workflow", n), func(b *testing.B) {
			benchResolve(b, benchDefs(n, true))
		})
	}
}

func benchResolve(b *testing.B, defs []actions.Definition) {
	cat, err := actions.Compile[BenchTicket](defs)
	if err != nil {
		b.Fatal(err)
	}
	engine, err := actions.New(cat, actions.NewMemoryStore[BenchTicket]())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	obj := benchTicket()
	b.ReportAllocs()
	for b.Loop() {
		list, err := engine.Resolve(ctx, "B-1", obj, benchActor)
		if err != nil {
			b.Fatal(err)
		}
		// Status new is action i%5 == 0; Bug is in the types of i%4 == 0
		// and i%4 == 3: one action in ten.
		if len(list) != len(defs)/10 {
			b.Fatalf("%d applicable, want %d", len(list), len(defs)/10)
		}
	}
}

var benchExecuteDefs = []actions.Definition{{
	ID: "bump", Name: "Bump", Permission: "edit",
	Condition: `Status == "new" && "manager" in Actor.Roles`,
	Changes: []actions.Change{
		{Field: "count", Expr: "Count + 1"},
		{Field: "percentageDone", Expr: "(Progress + 1) % 100"},
	},
}}

// BenchmarkExecute executes an action on the in-memory store: load, version
// check, permission, condition, apply, validation of the 10-field object,
// save with the execution record.
func BenchmarkExecute(b *testing.B) {
	cat, err := actions.Compile[BenchTicket](benchExecuteDefs)
	if err != nil {
		b.Fatal(err)
	}
	store := actions.NewMemoryStore[BenchTicket]()
	ctx := context.Background()
	version, err := store.Create(ctx, "B-1", benchTicket())
	if err != nil {
		b.Fatal(err)
	}
	engine, err := actions.New(cat, store, actions.WithExecutionIDs(benchIDs()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := engine.Execute(ctx, actions.Request{ActionID: "bump", ObjectID: "B-1", Version: version, Actor: benchActor})
		if err != nil {
			b.Fatal(err)
		}
		version = res.Version
	}
}

// BenchmarkApply is the pure part of Execute: apply and validate.
func BenchmarkApply(b *testing.B) {
	cat, err := actions.Compile[BenchTicket](benchExecuteDefs)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	obj := benchTicket()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cat.Apply(ctx, "bump", obj, benchActor); err != nil {
			b.Fatal(err)
		}
	}
}

// policyJournals holds, by size, a store whose journal holds that many
// records (built once: a million records take a few seconds to write).
var policyJournals sync.Map

// policyStore returns a memory store holding B-1 and a journal of n records:
// executions of the benchmark's actions on other objects, and of other
// actions on B-1, none of which exhausts B-1's policies.
func policyStore(b *testing.B, n int) *actions.MemoryStore[BenchTicket] {
	if s, ok := policyJournals.Load(n); ok {
		return s.(*actions.MemoryStore[BenchTicket])
	}
	ctx := context.Background()
	store := actions.NewMemoryStore[BenchTicket]()
	for _, id := range []string{"B-1", "filler"} {
		if _, err := store.Create(ctx, id, benchTicket()); err != nil {
			b.Fatal(err)
		}
	}
	// The filler object carries the records; their ObjectID says which
	// object each is about, as the journal reads them.
	obj := benchTicket()
	for i := range n {
		rec := actions.Execution{
			ID: "r" + strconv.Itoa(i), ActionID: "a" + strconv.Itoa(i%10), ObjectID: "B-" + strconv.Itoa(2+i%5000),
			ActorID: "u" + strconv.Itoa(i%100), Status: actions.StatusSucceeded,
		}
		if i%7 == 0 {
			rec.ObjectID, rec.ActionID = "B-1", "other" // B-1's history, of an action without a policy
		}
		if _, err := store.Save(ctx, "filler", obj, int64(i+1), &rec); err != nil {
			b.Fatal(err)
		}
	}
	policyJournals.Store(n, store)
	runtime.GC() // the garbage of filling it is not the benchmark's
	return store
}

// BenchmarkResolvePolicies resolves an object with 10 actions, 2 of them
// Once, against journals of 0, 10,000 and 1,000,000 records: the policy
// check is one indexed lookup, so the three cost the same.
func BenchmarkResolvePolicies(b *testing.B) {
	defs := benchDefs(10, false)
	for i := range defs {
		defs[i].Condition = `Status == "new"`
	}
	defs[3].Policy, defs[7].Policy = actions.Once, actions.Once
	cat, err := actions.Compile[BenchTicket](defs)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{0, 10_000, 1_000_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			engine, err := actions.New(cat, policyStore(b, n))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			obj := benchTicket()
			b.ReportAllocs()
			for b.Loop() {
				list, err := engine.Resolve(ctx, "B-1", obj, benchActor)
				if err != nil {
					b.Fatal(err)
				}
				if len(list) != 10 {
					b.Fatalf("%d applicable, want 10", len(list))
				}
			}
		})
	}
}

// BenchmarkExecuteJournalGrowth executes b.N times on one object, timing
// each Execute, and reports the distribution: the median of the first and
// of the last tenth of the calls, the 99.9th percentile and the slowest.
// Run it with -benchtime 1000000x: the journal then grows to a million
// records, and no single Execute may stall while it does.
func BenchmarkExecuteJournalGrowth(b *testing.B) {
	cat, err := actions.Compile[BenchTicket](benchExecuteDefs)
	if err != nil {
		b.Fatal(err)
	}
	store := actions.NewMemoryStore[BenchTicket]()
	ctx := context.Background()
	version, err := store.Create(ctx, "B-1", benchTicket())
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	engine, err := actions.New(cat, store, actions.WithExecutionIDs(func() string { n++; return strconv.FormatInt(n, 10) }))
	if err != nil {
		b.Fatal(err)
	}
	took := make([]time.Duration, 0, b.N)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res, err := engine.Execute(ctx, actions.Request{ActionID: "bump", ObjectID: "B-1", Version: version, Actor: benchActor})
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		version = res.Version
	}
	b.StopTimer()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(store)
	// What the journal keeps per record (and the one object), in use after
	// a collection; the latency samples themselves are 8 bytes each.
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-int64(8*cap(took)))/float64(b.N), "heap-B/record")
	if len(took) < 20 {
		return
	}
	tenth := len(took) / 10
	median := func(d []time.Duration) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[len(s)/2]
	}
	all := slices.Clone(took)
	slices.Sort(all)
	b.ReportMetric(float64(median(took[:tenth])), "p50-first-ns")
	b.ReportMetric(float64(median(took[len(took)-tenth:])), "p50-last-ns")
	b.ReportMetric(float64(all[len(all)*999/1000]), "p99.9-ns")
	b.ReportMetric(float64(all[len(all)*9999/10000]), "p99.99-ns")
	b.ReportMetric(float64(all[len(all)-1]), "max-ns")
	over := len(all) - sort.Search(len(all), func(i int) bool { return all[i] > 5*time.Millisecond })
	b.ReportMetric(float64(over), "over-5ms")
}

// BenchmarkExecuteInputs executes an action with three validated inputs (a
// string with min and max, a number in a range, a time) on the memory store.
func BenchmarkExecuteInputs(b *testing.B) {
	cat, err := actions.Compile[BenchTicket]([]actions.Definition{{
		ID: "estimate", Name: "Estimate", Permission: "edit",
		Inputs: []actions.Input{
			{Name: "note", Type: actions.InputString, Required: true, Validate: "min=3,max=80"},
			{Name: "hours", Type: actions.InputNumber, Required: true, Validate: "gte=0,lte=100"},
			{Name: "until", Type: actions.InputTime},
		},
		Changes: []actions.Change{
			{Field: "estimate", Expr: "Input.hours"},
			{Field: "title", Expr: `Input.note + " by " + Input.until.Format("2006-01-02")`},
		},
	}})
	if err != nil {
		b.Fatal(err)
	}
	store := actions.NewMemoryStore[BenchTicket]()
	ctx := context.Background()
	version, err := store.Create(ctx, "B-1", benchTicket())
	if err != nil {
		b.Fatal(err)
	}
	engine, err := actions.New(cat, store, actions.WithExecutionIDs(benchIDs()))
	if err != nil {
		b.Fatal(err)
	}
	// As a client's JSON body decodes.
	inputs := actions.Inputs{"note": "needs a review", "hours": 2.5, "until": "2025-04-01"}
	b.ReportAllocs()
	for b.Loop() {
		res, err := engine.Execute(ctx, actions.Request{ActionID: "estimate", ObjectID: "B-1", Version: version, Actor: benchActor, Inputs: inputs})
		if err != nil {
			b.Fatal(err)
		}
		version = res.Version
	}
}

// benchIDs returns a generator of the execution ids 1, 2, ...: a journal
// refuses an id it holds already.
func benchIDs() func() string {
	var n int64
	return func() string { n++; return strconv.FormatInt(n, 10) }
}

// BenchmarkResolveAll resolves 1,000 objects over 100 actions for one
// actor, in one ResolveAll and in 1,000 Resolve calls: objects in 20
// combinations of the fields the rules read (5 statuses, 4 types), as a
// list view's rows are, and objects that all differ in one of those fields
// (Priority), where ResolveAll cannot reuse a decision.
func BenchmarkResolveAll(b *testing.B) {
	cat, err := actions.Compile[BenchTicket](benchDefs(100, false))
	if err != nil {
		b.Fatal(err)
	}
	engine, err := actions.New(cat, actions.NewMemoryStore[BenchTicket]())
	if err != nil {
		b.Fatal(err)
	}
	for _, distinct := range []bool{false, true} {
		items := make([]actions.Item[BenchTicket], 1000)
		for i := range items {
			t := benchTicket()
			t.Status, t.Type = benchStatuses[i%5], benchTypes[i%4]
			if distinct {
				t.Priority = 2 + i
			}
			items[i] = actions.Item[BenchTicket]{ID: "B-" + strconv.Itoa(i), Object: t}
		}
		name := "objects=1000"
		if distinct {
			name = "objects=1000-distinct"
		}
		ctx := context.Background()
		b.Run(name+"/resolve-all", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.ResolveAll(ctx, items, benchActor); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/resolve-each", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, it := range items {
					if _, err := engine.Resolve(ctx, it.ID, it.Object, benchActor); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// benchWorkPackage is shaped as the example server's OpenProject work
// package: strings, a number and an optional date behind a pointer.
type benchWorkPackage struct {
	Subject        string  `json:"subject" validate:"required"`
	Project        string  `json:"project"`
	Type           string  `json:"type"`
	Status         string  `json:"status"`
	Assignee       string  `json:"assignee"`
	PercentageDone int     `json:"percentageDone" validate:"gte=0,lte=100"`
	StartDate      *string `json:"startDate"`
}

// BenchmarkLoad loads an object from the memory store, which copies it
// deeply: a ticket (a slice of strings), a work package (a pointer to a
// string) and Deep (every kind of reference).
func BenchmarkLoad(b *testing.B) {
	b.Run("ticket", func(b *testing.B) { benchLoad(b, benchTicket()) })
	start := "2025-04-01"
	b.Run("work_package", func(b *testing.B) {
		benchLoad(b, benchWorkPackage{Subject: "Login fails", Project: "demo", Type: "Bug", Status: "New",
			Assignee: "bob", PercentageDone: 10, StartDate: &start})
	})
	b.Run("deep", func(b *testing.B) { benchLoad(b, newDeep()) })
}

func benchLoad[T any](b *testing.B, obj T) {
	ctx := context.Background()
	store := actions.NewMemoryStore[T]()
	if _, err := store.Create(ctx, "B-1", obj); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := store.Load(ctx, "B-1"); err != nil {
			b.Fatal(err)
		}
	}
}
