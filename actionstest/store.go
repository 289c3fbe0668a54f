package actionstest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The ids TestStore uses.
const (
	storeID      = "actionstest-1"
	storeMissing = "actionstest-missing"
)

// Concurrency of the ConcurrentSaves check.
const (
	storeWorkers    = 8
	storeRounds     = 10 // rounds of all workers saving at the same version
	storeIncrements = 5  // successful saves per worker in the increment phase
	storeAttempts   = 1000
)

// storeTime is the time of the executions TestStore records: whole seconds
// in UTC, which every database keeps exactly.
var storeTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// Store is what TestStore checks: an [actions.Store] that can also create
// the objects the checks work on.
type Store[T any] interface {
	actions.Store[T]
	actions.Creator[T]
}

// TestStore checks that an [actions.Store] implementation behaves as the
// engine requires and as [actions.MemoryStore] does, and, when the store is
// also an [actions.Journal] or an [actions.Pruner], that it keeps their
// contracts. A host that writes its own store (SQL, Redis, ...) calls it from
// a test:
//
//	func TestPostgresStore(t *testing.T) {
//		actionstest.TestStore(t,
//			func() actionstest.Store[Task] { return newTestStore(t) }, // empty, isolated
//			func(i int) Task { return Task{Title: fmt.Sprint("task ", i), Tags: []string{"a"}} },
//			func(t *Task) { t.Tags[0] = "changed" })
//	}
//
// newStore returns an empty store; every check uses a new one. sample(i)
// returns a new value each time it is called, equal for equal i and
// different for different i. mutate changes a value in place through its
// references (an element of a slice, a map entry, a pointee), as a careless
// caller would; it may be nil only when T holds no slice, map or pointer in
// an exported field (the Isolation check fails otherwise). Values are
// compared with go-cmp and opts (cmpopts.IgnoreUnexported or
// cmpopts.EquateEmpty, say, for a store that reads back empty slices as nil).
// Execution times are whole seconds in UTC, which every database keeps
// exactly; a store must read back the Time it was given (time.Time.Equal)
// and in UTC.
//
// The checks, each a subtest when t is a *testing.T:
//   - CreateLoad: Create stores at version 1; Load returns the value and its
//     version.
//   - CreateTwice: creating an existing id matches actions.ErrConflict and
//     changes nothing.
//   - LoadUnknown: Load of an unknown id matches actions.ErrNotFound.
//   - SaveUnknown: Save of an unknown id fails (ErrNotFound or ErrConflict),
//     creates nothing and records nothing.
//   - Versions: Save at the current version returns it plus one; a stale, a
//     missing (0) or a future version matches actions.ErrConflict and
//     changes nothing.
//   - SaveWithoutRecord: Save with a nil record stores the value and
//     records no execution (not even an empty one).
//   - Isolation: mutating a value after Create or Save, or a value Load
//     returned, does not change what is stored.
//   - ConcurrentSaves: goroutines saving at the same version: exactly one
//     wins, the others get ErrConflict, and the winner's value is stored;
//     goroutines incrementing in a load-save loop: each version is won
//     exactly once, none is lost, and every Load returns a version together
//     with the value saved with it (a store that bumps the version and
//     writes the value in two steps loses updates).
//
// If the store is an [actions.Journal]:
//   - Journal: a record passed to a successful Save is readable, with the
//     Seq the store assigned and set on the record, and its inputs; one passed to a failed
//     Save is not, nor is one with the id of a recorded execution (that Save
//     matches ErrConflict and writes nothing); Seq grows with every record.
//   - Paging: filters select in Seq order, oldest first or newest first,
//     bounded by After and Before and cut at Limit, so that a journal can be
//     read page by page; NoActor selects the records without an actor; an
//     invalid filter is an error.
//   - Policies: one call answers for several actions of several objects:
//     who executed each first and whether the query's actor did, leaving
//     out the pairs never executed and the executions of other objects,
//     once per pair however often an id repeats.
//   - Finish: a pending execution is finished once; finishing it again
//     matches ErrConflict, an unknown id ErrNotFound.
//
// If the store is an [actions.Pruner]:
//   - Retention: Prune drops the oldest records beyond Keep and those
//     before Before, never a pending one, and Policies still reports the
//     executions it dropped.
//
// And, whatever the store is:
//   - OddIDs: ids that are not plain text (a NUL byte, invalid UTF-8), which
//     some databases cannot keep: a store either keeps them as they are
//     (Load returns the object under that id and no other) or refuses them
//     (Create and Save fail with an error that is neither ErrConflict nor
//     ErrNotFound, and store nothing); a Load of one never created is
//     ErrNotFound. The same for the execution id, action id and actor id
//     of a record; a journal lookup by such an id (Executions, Policies)
//     finds what was kept and fails for nothing, a Finish of one never
//     recorded is ErrNotFound.
//
// Run it with -race.
func TestStore[T any](t testing.TB, newStore func() Store[T], sample func(i int) T, mutate func(*T), opts ...cmp.Option) {
	t.Helper()
	if newStore == nil || sample == nil {
		t.Fatalf("actionstest: TestStore needs newStore and sample")
	}
	c := &storeCheck[T]{sample: sample, mutate: mutate, opts: opts}
	if msg, err := c.compare(sample(0), sample(0)); err != nil {
		t.Fatalf("actionstest: %v", err)
	} else if msg != "" {
		t.Fatalf("actionstest: sample(0) differs from sample(0): sample must be deterministic:\n%s", msg)
	}
	if c.diff(sample(0), sample(1)) == "" {
		t.Fatalf("actionstest: sample(0) equals sample(1): sample must return different values for different i")
	}
	checks := []struct {
		name string
		run  func(testing.TB, Store[T])
	}{
		{"CreateLoad", c.createLoad},
		{"CreateTwice", c.createTwice},
		{"LoadUnknown", c.loadUnknown},
		{"SaveUnknown", c.saveUnknown},
		{"Versions", c.versions},
		{"SaveWithoutRecord", c.saveWithoutRecord},
		{"Isolation", c.isolation},
		{"ConcurrentSaves", c.concurrentSaves},
		{"Journal", c.journal},
		{"Paging", c.paging},
		{"Policies", c.policies},
		{"Finish", c.finish},
		{"Retention", c.retention},
		{"OddIDs", c.oddIDs},
	}
	for _, ch := range checks {
		subtest(t, ch.name, func(t testing.TB) {
			t.Helper()
			s := newStore()
			if s == nil {
				t.Fatalf("newStore returned nil")
			}
			ch.run(t, s)
		})
	}
}

// loaded is what a Load returned.
type loaded[T any] struct {
	value   T
	version int64
}

type storeCheck[T any] struct {
	sample func(int) T
	mutate func(*T)
	opts   []cmp.Option
}

// compare returns cmp.Diff(want, got) with the options of TestStore,
// without its final newline; go-cmp's panic on a type it cannot compare
// (unexported fields) is returned as an error.
func (c *storeCheck[T]) compare(want, got T) (msg string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot compare values of %T: %v (pass a cmp.Option to TestStore)", want, r)
		}
	}()
	return strings.TrimSuffix(cmp.Diff(want, got, c.opts...), "\n"), nil
}

// diff is compare with its error as the message. TestStore has checked
// that values of T can be compared.
func (c *storeCheck[T]) diff(want, got T) string {
	msg, err := c.compare(want, got)
	if err != nil {
		return err.Error()
	}
	return msg
}

// sharedPath returns the first exported field (at any depth, through
// embedded structs and arrays) by which two copies of a value of type t
// share memory: a slice, a map or a pointer. It returns "" if there is none.
func sharedPath(t reflect.Type) string {
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, path string) string
	walk = func(t reflect.Type, path string) string {
		switch t.Kind() {
		case reflect.Slice, reflect.Map, reflect.Pointer:
			return fmt.Sprintf("%s (%s)", path, t)
		case reflect.Array:
			return walk(t.Elem(), path+"[0]")
		case reflect.Struct:
			if seen[t] {
				return ""
			}
			seen[t] = true
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() && !f.Anonymous {
					continue
				}
				if p := walk(f.Type, path+"."+f.Name); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(t, t.String())
}

var cmpEmpty = cmpopts.EquateEmpty()

// filterText renders the fields of f that are set.
func filterText(f actions.Filter) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, fmt.Sprintf("%s: %q", k, v))
		}
	}
	add("ID", f.ID)
	add("ActionID", f.ActionID)
	add("ObjectID", f.ObjectID)
	add("ActorID", f.ActorID)
	if f.NoActor {
		parts = append(parts, "NoActor: true")
	}
	add("Status", string(f.Status))
	for _, b := range []struct {
		name string
		v    int64
	}{{"After", f.After}, {"Before", f.Before}, {"Limit", int64(f.Limit)}} {
		if b.v != 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", b.name, b.v))
		}
	}
	if f.Newest {
		parts = append(parts, "Newest: true")
	}
	return "Filter{" + strings.Join(parts, ", ") + "}"
}

// record is an execution TestStore passes to Save.
func record(id string, from int64, actor string) *actions.Execution {
	return &actions.Execution{
		ID: id, ActionID: "actionstest", ObjectID: storeID, ActorID: actor, Comment: "saved by actionstest",
		Time: storeTime, FromVersion: from, ToVersion: from + 1, Status: actions.StatusPending,
	}
}

// is reports whether err matches one of targets.
func is(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// create stores sample(0) under id, reporting a failure.
func (c *storeCheck[T]) create(t testing.TB, s Store[T], id string) bool {
	t.Helper()
	if _, err := s.Create(context.Background(), id, c.sample(0)); err != nil {
		t.Errorf("Create(%q): %v", id, err)
		return false
	}
	return true
}

// stored checks that the store holds want at version under storeID.
func (c *storeCheck[T]) stored(t testing.TB, s Store[T], want T, version int64, after string) {
	t.Helper()
	got, v, err := s.Load(context.Background(), storeID)
	if err != nil {
		t.Errorf("Load(%q) %s: %v", storeID, after, err)
		return
	}
	if v != version {
		t.Errorf("Load(%q) %s = version %d, want %d", storeID, after, v, version)
	}
	if msg := c.diff(want, got); msg != "" {
		t.Errorf("Load(%q) %s returned another value (-want +got):\n%s", storeID, after, msg)
	}
}

// recorded checks, if s is a Journal, that it holds exactly want (in Seq
// order).
func recorded(t testing.TB, s any, after string, want ...actions.Execution) {
	t.Helper()
	j, ok := s.(actions.Journal)
	if !ok {
		return
	}
	got, err := j.Executions(context.Background(), actions.Filter{})
	if err != nil {
		t.Errorf("Executions(Filter{}) %s: %v", after, err)
		return
	}
	if diff := strings.TrimSuffix(cmp.Diff(want, got, cmpEmpty, cmpTime), "\n"); diff != "" {
		t.Errorf("the journal %s mismatch (-want +got):\n%s", after, diff)
	}
}

// cmpTime compares times by instant: a database may read a time back in
// another location.
var cmpTime = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// journalOf returns s as a Journal, or logs that the journal checks do not
// apply.
func journalOf(t testing.TB, s any) (actions.Journal, bool) {
	t.Helper()
	j, ok := s.(actions.Journal)
	if !ok {
		t.Logf("the store is not an actions.Journal: not checked")
	}
	return j, ok
}

func (c *storeCheck[T]) createLoad(t testing.TB, s Store[T]) {
	t.Helper()
	v, err := s.Create(context.Background(), storeID, c.sample(0))
	if err != nil {
		t.Errorf("Create(%q): %v", storeID, err)
		return
	}
	if v != 1 {
		t.Errorf("Create(%q) = version %d, want 1", storeID, v)
	}
	c.stored(t, s, c.sample(0), 1, "after Create")
}

func (c *storeCheck[T]) createTwice(t testing.TB, s Store[T]) {
	t.Helper()
	if !c.create(t, s, storeID) {
		return
	}
	v, err := s.Create(context.Background(), storeID, c.sample(1))
	if !errors.Is(err, actions.ErrConflict) {
		t.Errorf("Create(%q) of an existing id = version %d, error %v; want an error matching actions.ErrConflict", storeID, v, err)
	}
	c.stored(t, s, c.sample(0), 1, "after a second Create")
}

func (c *storeCheck[T]) loadUnknown(t testing.TB, s Store[T]) {
	t.Helper()
	_, v, err := s.Load(context.Background(), storeMissing)
	if !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Load(%q) of an unknown id = version %d, error %v; want an error matching actions.ErrNotFound", storeMissing, v, err)
	}
}

func (c *storeCheck[T]) saveUnknown(t testing.TB, s Store[T]) {
	t.Helper()
	ctx := context.Background()
	for _, rec := range []*actions.Execution{nil, record("actionstest-unknown", 1, "alice")} {
		v, err := s.Save(ctx, storeMissing, c.sample(1), 1, rec)
		if !is(err, actions.ErrNotFound, actions.ErrConflict) {
			t.Errorf("Save(%q) of an unknown id = version %d, error %v; want an error matching actions.ErrNotFound or actions.ErrConflict", storeMissing, v, err)
		}
	}
	if _, _, err := s.Load(ctx, storeMissing); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Load(%q) after a Save of an unknown id: error %v; want an error matching actions.ErrNotFound", storeMissing, err)
	}
	recorded(t, s, "after Saves of an unknown id")
}

func (c *storeCheck[T]) versions(t testing.TB, s Store[T]) {
	t.Helper()
	ctx := context.Background()
	if !c.create(t, s, storeID) {
		return
	}
	v, err := s.Save(ctx, storeID, c.sample(1), 1, record("actionstest-v1", 1, "actionstest"))
	if err != nil {
		t.Errorf("Save(%q) at version 1: %v", storeID, err)
		return
	}
	if v != 2 {
		t.Errorf("Save(%q) at version 1 = version %d, want 2", storeID, v)
	}
	c.stored(t, s, c.sample(1), 2, "after Save")
	for _, bad := range []struct {
		what    string
		version int64
	}{{"stale", 1}, {"missing", 0}, {"future", 3}} {
		v, err := s.Save(ctx, storeID, c.sample(2), bad.version, record("actionstest-v-"+bad.what, bad.version, "actionstest"))
		if !errors.Is(err, actions.ErrConflict) {
			t.Errorf("Save(%q) at a %s version %d (the store has 2) = version %d, error %v; want an error matching actions.ErrConflict", storeID, bad.what, bad.version, v, err)
		}
	}
	c.stored(t, s, c.sample(1), 2, "after conflicting Saves")
}

func (c *storeCheck[T]) saveWithoutRecord(t testing.TB, s Store[T]) {
	t.Helper()
	ctx := context.Background()
	if !c.create(t, s, storeID) {
		return
	}
	v, err := s.Save(ctx, storeID, c.sample(1), 1, nil)
	if err != nil {
		t.Errorf("Save(%q) at version 1 without a record: %v", storeID, err)
		return
	}
	if v != 2 {
		t.Errorf("Save(%q) at version 1 without a record = version %d, want 2", storeID, v)
	}
	c.stored(t, s, c.sample(1), 2, "after a Save without a record")
	if _, err := s.Save(ctx, storeID, c.sample(2), 1, nil); !errors.Is(err, actions.ErrConflict) {
		t.Errorf("Save(%q) without a record at a stale version: error %v; want an error matching actions.ErrConflict", storeID, err)
	}
	recorded(t, s, "after Saves without a record (a nil record means none, not an empty one)")
}

func (c *storeCheck[T]) isolation(t testing.TB, s Store[T]) {
	t.Helper()
	if c.mutate == nil {
		typ := reflect.TypeFor[T]()
		if path := sharedPath(typ); path != "" {
			// A store that hands out what it holds would pass unseen.
			t.Errorf("no mutate hook, but values share memory through %s: pass a mutate that changes a value in place through it, so that isolation is checked", path)
			return
		}
		t.Logf("no mutate hook: %s holds no slice, map or pointer, so values cannot share memory", typ)
		return
	}
	changed := c.sample(0)
	c.mutate(&changed)
	if c.diff(c.sample(0), changed) == "" {
		t.Errorf("mutate does not change sample(0): isolation cannot be checked")
		return
	}
	ctx := context.Background()
	v := c.sample(0)
	if _, err := s.Create(ctx, storeID, v); err != nil {
		t.Errorf("Create(%q): %v", storeID, err)
		return
	}
	c.mutate(&v)
	c.stored(t, s, c.sample(0), 1, "after mutating the value passed to Create")

	got, _, err := s.Load(ctx, storeID)
	if err != nil {
		t.Errorf("Load(%q): %v", storeID, err)
		return
	}
	c.mutate(&got)
	c.stored(t, s, c.sample(0), 1, "after mutating a loaded value")

	w := c.sample(1)
	if _, err := s.Save(ctx, storeID, w, 1, record("actionstest-iso", 1, "actionstest")); err != nil {
		t.Errorf("Save(%q) at version 1: %v", storeID, err)
		return
	}
	c.mutate(&w)
	c.stored(t, s, c.sample(1), 2, "after mutating the value passed to Save")
}

func (c *storeCheck[T]) concurrentSaves(t testing.TB, s Store[T]) {
	t.Helper()
	ctx := context.Background()
	if !c.create(t, s, storeID) {
		return
	}
	saved := 0 // successful saves, each with a record
	version := int64(1)
	for round := range storeRounds {
		start := make(chan struct{})
		versions := make([]int64, storeWorkers)
		errs := make([]error, storeWorkers)
		var wg sync.WaitGroup
		for w := range storeWorkers {
			wg.Go(func() {
				obj := c.sample(w + 1)
				rec := record(fmt.Sprintf("actionstest-r%d-w%d", round, w), version, fmt.Sprint("worker-", w))
				<-start
				versions[w], errs[w] = s.Save(ctx, storeID, obj, version, rec)
			})
		}
		close(start)
		wg.Wait()
		wins, winner := 0, -1
		for w, err := range errs {
			switch {
			case err == nil:
				wins, winner = wins+1, w
				if versions[w] != version+1 {
					t.Errorf("round %d: Save at version %d = version %d, want %d", round, version, versions[w], version+1)
				}
			case !errors.Is(err, actions.ErrConflict):
				t.Errorf("round %d: a losing Save at version %d: error %v; want an error matching actions.ErrConflict", round, version, err)
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d of %d concurrent Saves at version %d succeeded, want exactly 1", round, wins, storeWorkers, version)
		}
		saved += wins
		got, v, err := s.Load(ctx, storeID)
		if err != nil {
			t.Errorf("Load(%q): %v", storeID, err)
			return
		}
		if want := version + int64(min(wins, 1)); v != want {
			t.Errorf("round %d: Load(%q) = version %d after the concurrent Saves, want %d", round, storeID, v, want)
		}
		if wins == 1 {
			if msg := c.diff(c.sample(winner+1), got); msg != "" {
				t.Errorf("round %d: Load(%q) after the concurrent Saves returned another value than the winner's (-want +got):\n%s", round, storeID, msg)
			}
		}
		version = v
	}

	// Every worker increments the version storeIncrements times in a
	// load-save loop; each new version must go to exactly one of them, and
	// every Load must return a version with the value saved with it.
	var mu sync.Mutex
	winner := map[int64]int{}
	var problems []string
	loads := make([][]loaded[T], storeWorkers) // what each worker's Loads returned
	var wg sync.WaitGroup
	for w := range storeWorkers {
		wg.Go(func() {
			won := 0
			for attempt := 0; won < storeIncrements; attempt++ {
				if attempt == storeAttempts {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("worker %d: no successful Save in %d attempts", w, storeAttempts))
					mu.Unlock()
					return
				}
				obj, v, err := s.Load(ctx, storeID)
				if err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("worker %d: Load: %v", w, err))
					mu.Unlock()
					return
				}
				loads[w] = append(loads[w], loaded[T]{obj, v})
				rec := record(fmt.Sprintf("actionstest-w%d-a%d", w, attempt), v, fmt.Sprint("worker-", w))
				nv, err := s.Save(ctx, storeID, c.sample(w+1), v, rec)
				if errors.Is(err, actions.ErrConflict) {
					continue
				}
				mu.Lock()
				switch {
				case err != nil:
					problems = append(problems, fmt.Sprintf("worker %d: Save at version %d: %v", w, v, err))
				case nv != v+1:
					problems = append(problems, fmt.Sprintf("worker %d: Save at version %d = version %d, want %d", w, v, nv, v+1))
				default:
					if other, dup := winner[nv]; dup {
						problems = append(problems, fmt.Sprintf("version %d was won by worker %d and worker %d", nv, other, w))
					}
					winner[nv] = w
				}
				mu.Unlock()
				if err != nil {
					return
				}
				won++
			}
		})
	}
	wg.Wait()
	if len(problems) > 0 {
		t.Errorf("concurrent increments:\n%s", strings.Join(problems, "\n"))
		return
	}
	saved += len(winner)
	want := version + storeWorkers*storeIncrements
	final, v, err := s.Load(ctx, storeID)
	switch {
	case err != nil:
		t.Errorf("Load(%q): %v", storeID, err)
	case v != want:
		t.Errorf("Load(%q) = version %d after %d successful increments from version %d, want %d", storeID, v, storeWorkers*storeIncrements, version, want)
	default:
		loads = append(loads, []loaded[T]{{final, v}})
	}
	// A version that comes with another value than the one saved with it
	// is a lost (or not yet written) update: the next load-save on it
	// would silently overwrite the change.
	torn, total, first := 0, 0, ""
	for _, ls := range loads {
		for _, l := range ls {
			w, ok := winner[l.version]
			if !ok {
				continue // the version the rounds left, checked there
			}
			total++
			if msg := c.diff(c.sample(w+1), l.value); msg != "" {
				if torn++; torn == 1 {
					first = fmt.Sprintf("Load(%q) returned version %d with another value than the Save that made it (worker %d) wrote (-want +got):\n%s", storeID, l.version, w, msg)
				}
			}
		}
	}
	if torn > 0 {
		t.Errorf("concurrent increments: %d of %d Loads returned a version with another value than the one saved with it; the first:\n%s", torn, total, first)
	}
	if j, ok := s.(actions.Journal); ok {
		recs, err := j.Executions(ctx, actions.Filter{ObjectID: storeID})
		if err != nil {
			t.Errorf("Executions: %v", err)
		} else if len(recs) != saved {
			t.Errorf("the journal has %d executions after %d successful concurrent Saves, want as many (a failed Save must record nothing)", len(recs), saved)
		}
	}
}

// The second object of the journal checks.
const storeOther = "actionstest-2"

// saveRecord saves sample(i) over object id at version from with rec,
// reporting a failure.
func (c *storeCheck[T]) saveRecord(t testing.TB, s Store[T], id string, i int, from int64, rec *actions.Execution) bool {
	t.Helper()
	rec.ObjectID, rec.FromVersion, rec.ToVersion = id, from, from+1
	if _, err := s.Save(context.Background(), id, c.sample(i), from, rec); err != nil {
		t.Errorf("Save(%q) at version %d with record %q: %v", id, from, rec.ID, err)
		return false
	}
	return true
}

// executions checks what j returns for f.
func executions(t testing.TB, j actions.Journal, f actions.Filter, want ...actions.Execution) {
	t.Helper()
	got, err := j.Executions(context.Background(), f)
	if err != nil {
		t.Errorf("Executions(%s): %v", filterText(f), err)
		return
	}
	if diff := strings.TrimSuffix(cmp.Diff(want, got, cmpEmpty, cmpTime), "\n"); diff != "" {
		t.Errorf("Executions(%s) mismatch (-want +got):\n%s", filterText(f), diff)
	}
}

func (c *storeCheck[T]) journal(t testing.TB, s Store[T]) {
	t.Helper()
	j, ok := journalOf(t, s)
	if !ok || !c.create(t, s, storeID) {
		return
	}
	ctx := context.Background()
	first := record("actionstest-j1", 1, "alice")
	// Inputs in the form the engine records them: what encoding/json
	// decodes into an any.
	first.Inputs = map[string]any{"reason": "late", "amount": 12.5, "urgent": true, "tags": []any{"a", "b"}, "until": "2025-04-01T00:00:00Z"}
	if !c.saveRecord(t, s, storeID, 1, 1, first) {
		return
	}
	if first.Seq <= 0 {
		t.Errorf("Save left the record's Seq at %d: the store must set it to the sequence number it assigned (positive)", first.Seq)
	}
	executions(t, j, actions.Filter{ID: first.ID}, *first)

	lost := record("actionstest-lost", 1, "alice")
	if _, err := s.Save(ctx, storeID, c.sample(2), 1, lost); !errors.Is(err, actions.ErrConflict) {
		t.Errorf("Save(%q) at a stale version: error %v; want an error matching actions.ErrConflict", storeID, err)
		return // the rest would only repeat it
	}
	executions(t, j, actions.Filter{ID: lost.ID})

	again := record(first.ID, 2, "bob")
	if _, err := s.Save(ctx, storeID, c.sample(2), 2, again); !errors.Is(err, actions.ErrConflict) {
		t.Errorf("Save(%q) with the id of a recorded execution: error %v; want an error matching actions.ErrConflict (execution ids are unique)", storeID, err)
	}
	c.stored(t, s, c.sample(1), 2, "after a Save with a duplicate execution id")

	second := record("actionstest-j2", 2, "bob")
	if !c.saveRecord(t, s, storeID, 2, 2, second) {
		return
	}
	if second.Seq <= first.Seq {
		t.Errorf("the second record has Seq %d, the first %d: Seq must grow with every record", second.Seq, first.Seq)
	}
	recorded(t, s, "after two Saves with records", *first, *second)
}

func (c *storeCheck[T]) paging(t testing.TB, s Store[T]) {
	t.Helper()
	j, ok := journalOf(t, s)
	if !ok || !c.create(t, s, storeID) || !c.create(t, s, storeOther) {
		return
	}
	var r [7]*actions.Execution // r[1..5] on storeID, r[6] on storeOther
	for i, actor := range []string{"", "alice", "bob", "", "alice", "bob"} {
		if i == 0 {
			continue
		}
		r[i] = record(fmt.Sprint("actionstest-p", i), int64(i), actor)
		if !c.saveRecord(t, s, storeID, i, int64(i), r[i]) {
			return
		}
	}
	r[6] = record("actionstest-p6", 1, "alice")
	if !c.saveRecord(t, s, storeOther, 1, 1, r[6]) {
		return
	}
	all := func(idx ...int) []actions.Execution {
		out := make([]actions.Execution, len(idx))
		for k, i := range idx {
			out[k] = *r[i]
		}
		return out
	}
	for _, tc := range []struct {
		f    actions.Filter
		want []int
	}{
		{actions.Filter{ObjectID: storeID}, []int{1, 2, 3, 4, 5}},
		{actions.Filter{ObjectID: storeID, Limit: 2}, []int{1, 2}},
		{actions.Filter{ObjectID: storeID, After: r[2].Seq, Limit: 2}, []int{3, 4}},
		{actions.Filter{ObjectID: storeID, After: r[4].Seq, Limit: 2}, []int{5}},
		{actions.Filter{ObjectID: storeID, After: r[5].Seq, Limit: 2}, nil},
		{actions.Filter{ObjectID: storeID, Newest: true, Limit: 2}, []int{5, 4}},
		{actions.Filter{ObjectID: storeID, Newest: true, Before: r[4].Seq, Limit: 2}, []int{3, 2}},
		{actions.Filter{After: r[1].Seq, Before: r[5].Seq}, []int{2, 3, 4}},
		{actions.Filter{Newest: true}, []int{6, 5, 4, 3, 2, 1}},
		{actions.Filter{ActorID: "alice"}, []int{1, 4, 6}},
		{actions.Filter{ActorID: "alice", Newest: true, Limit: 1}, []int{6}},
		{actions.Filter{NoActor: true}, []int{3}},
		{actions.Filter{ObjectID: storeOther}, []int{6}},
		{actions.Filter{ActionID: "actionstest-unknown"}, nil},
	} {
		executions(t, j, tc.f, all(tc.want...)...)
	}
	for _, f := range []actions.Filter{
		{Limit: -1},
		{After: -1},
		{Before: -1},
		{NoActor: true, ActorID: "alice"},
	} {
		if got, err := j.Executions(context.Background(), f); err == nil {
			t.Errorf("Executions(%s) = %d records, no error; want an error for an invalid filter", filterText(f), len(got))
		}
	}
}

func (c *storeCheck[T]) policies(t testing.TB, s Store[T]) {
	t.Helper()
	j, ok := journalOf(t, s)
	if !ok || !c.create(t, s, storeID) || !c.create(t, s, storeOther) {
		return
	}
	saves := []struct {
		object, action, actor string
	}{
		{storeID, "once", "alice"},
		{storeID, "once", "bob"},
		{storeID, "per-user", "bob"},
		{storeID, "anonymous", ""},
		{storeOther, "elsewhere", "alice"},
	}
	versions := map[string]int64{storeID: 1, storeOther: 1}
	for i, sv := range saves {
		rec := record(fmt.Sprint("actionstest-pol", i), 0, sv.actor)
		rec.ActionID = sv.action
		if !c.saveRecord(t, s, sv.object, i, versions[sv.object], rec) {
			return
		}
		versions[sv.object]++
	}
	one := func(id string) []string { return []string{id} }
	for _, tc := range []struct {
		q    actions.PolicyQuery
		want []actions.PolicyState
	}{
		{
			actions.PolicyQuery{ObjectIDs: one(storeID), ActorID: "alice", ActionIDs: []string{"once", "per-user", "anonymous", "never", "elsewhere"}},
			[]actions.PolicyState{
				{ObjectID: storeID, ActionID: "anonymous", FirstActorID: ""},
				{ObjectID: storeID, ActionID: "once", FirstActorID: "alice", ByActor: true},
				{ObjectID: storeID, ActionID: "per-user", FirstActorID: "bob"},
			},
		},
		{
			actions.PolicyQuery{ObjectIDs: one(storeID), ActorID: "bob", ActionIDs: []string{"per-user", "once"}},
			[]actions.PolicyState{
				{ObjectID: storeID, ActionID: "once", FirstActorID: "alice", ByActor: true},
				{ObjectID: storeID, ActionID: "per-user", FirstActorID: "bob", ByActor: true},
			},
		},
		{
			actions.PolicyQuery{ObjectIDs: one(storeID), ActionIDs: []string{"once"}},
			[]actions.PolicyState{{ObjectID: storeID, ActionID: "once", FirstActorID: "alice"}},
		},
		{
			actions.PolicyQuery{ObjectIDs: one(storeOther), ActorID: "alice", ActionIDs: []string{"elsewhere", "once"}},
			[]actions.PolicyState{{ObjectID: storeOther, ActionID: "elsewhere", FirstActorID: "alice", ByActor: true}},
		},
		{
			// Several objects in one call, as a list view asks.
			actions.PolicyQuery{ObjectIDs: []string{storeID, storeOther, storeMissing}, ActorID: "alice", ActionIDs: []string{"elsewhere", "once"}},
			[]actions.PolicyState{
				{ObjectID: storeID, ActionID: "once", FirstActorID: "alice", ByActor: true},
				{ObjectID: storeOther, ActionID: "elsewhere", FirstActorID: "alice", ByActor: true},
			},
		},
		{
			// An id given twice is answered once.
			actions.PolicyQuery{ObjectIDs: []string{storeID, storeOther, storeID}, ActorID: "bob", ActionIDs: []string{"once", "once"}},
			[]actions.PolicyState{{ObjectID: storeID, ActionID: "once", FirstActorID: "alice", ByActor: true}},
		},
		{actions.PolicyQuery{ObjectIDs: one(storeMissing), ActorID: "alice", ActionIDs: []string{"once"}}, nil},
		{actions.PolicyQuery{ObjectIDs: one(storeID), ActorID: "alice"}, nil},
		{actions.PolicyQuery{ActorID: "alice", ActionIDs: []string{"once"}}, nil},
	} {
		policiesMatch(t, j, tc.q, tc.want)
	}
}

// policiesMatch checks what j.Policies returns for q, in any order.
func policiesMatch(t testing.TB, j actions.Journal, q actions.PolicyQuery, want []actions.PolicyState) {
	t.Helper()
	got, err := j.Policies(context.Background(), q)
	if err != nil {
		t.Errorf("Policies(%s): %v", policyText(q), err)
		return
	}
	byID := cmpopts.SortSlices(func(a, b actions.PolicyState) bool {
		return a.ObjectID < b.ObjectID || a.ObjectID == b.ObjectID && a.ActionID < b.ActionID
	})
	if diff := strings.TrimSuffix(cmp.Diff(want, got, byID, cmpEmpty), "\n"); diff != "" {
		t.Errorf("Policies(%s) mismatch (-want +got):\n%s", policyText(q), diff)
	}
}

func (c *storeCheck[T]) finish(t testing.TB, s Store[T]) {
	t.Helper()
	j, ok := journalOf(t, s)
	if !ok || !c.create(t, s, storeID) {
		return
	}
	ctx := context.Background()
	first, second := record("actionstest-f1", 1, "alice"), record("actionstest-f2", 2, "bob")
	if !c.saveRecord(t, s, storeID, 1, 1, first) || !c.saveRecord(t, s, storeID, 2, 2, second) {
		return
	}
	done := *first
	done.Status, done.Detail = actions.StatusSucceeded, "done"
	got, err := j.Finish(ctx, first.ID, actions.StatusSucceeded, "done")
	if err != nil {
		t.Errorf("Finish(%q) of a pending execution: %v", first.ID, err)
	} else if diff := strings.TrimSuffix(cmp.Diff(done, got, cmpTime), "\n"); diff != "" {
		t.Errorf("Finish(%q) mismatch (-want +got):\n%s", first.ID, diff)
	}
	executions(t, j, actions.Filter{ID: first.ID}, done)
	executions(t, j, actions.Filter{ObjectID: storeID, Status: actions.StatusPending}, *second)
	executions(t, j, actions.Filter{ObjectID: storeID, Status: actions.StatusSucceeded}, done)
	if _, err := j.Finish(ctx, first.ID, actions.StatusFailed, "again"); !errors.Is(err, actions.ErrConflict) || errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Finish(%q) of a finished execution: error %v; want an error matching actions.ErrConflict (and not ErrNotFound)", first.ID, err)
	}
	executions(t, j, actions.Filter{ID: first.ID}, done)
	if _, err := j.Finish(ctx, "actionstest-unknown", actions.StatusSucceeded, ""); !errors.Is(err, actions.ErrNotFound) || errors.Is(err, actions.ErrConflict) {
		t.Errorf("Finish of an unknown execution: error %v; want an error matching actions.ErrNotFound (and not ErrConflict)", err)
	}
}

func (c *storeCheck[T]) retention(t testing.TB, s Store[T]) {
	t.Helper()
	p, ok := s.(actions.Pruner)
	if !ok {
		t.Logf("the store is not an actions.Pruner: not checked")
		return
	}
	j, ok := journalOf(t, s)
	if !ok {
		t.Errorf("the store is an actions.Pruner but not an actions.Journal")
		return
	}
	if !c.create(t, s, storeID) {
		return
	}
	ctx := context.Background()
	saves := []struct {
		action, actor string
		status        actions.Status
	}{
		{"once", "alice", actions.StatusPending}, // never dropped
		{"once", "bob", actions.StatusSucceeded},
		{"per-user", "alice", actions.StatusSucceeded},
		{"per-user", "bob", actions.StatusFailed},
		{"per-user", "carol", actions.StatusSucceeded},
	}
	r := make([]*actions.Execution, len(saves))
	for i, sv := range saves {
		r[i] = record(fmt.Sprint("actionstest-ret", i), 0, sv.actor)
		r[i].ActionID, r[i].Status = sv.action, sv.status
		r[i].Time = storeTime.Add(time.Duration(i) * time.Hour)
		if !c.saveRecord(t, s, storeID, i, int64(i+1), r[i]) {
			return
		}
	}
	prune := func(ret actions.Retention, want int) {
		t.Helper()
		n, err := p.Prune(ctx, ret)
		if err != nil {
			t.Errorf("Prune(%+v): %v", ret, err)
		} else if n != want {
			t.Errorf("Prune(%+v) dropped %d records, want %d", ret, n, want)
		}
	}
	prune(actions.Retention{Keep: 3}, 2) // the two oldest that are not pending
	recorded(t, s, "after Prune(Keep: 3)", *r[0], *r[3], *r[4])
	prune(actions.Retention{Before: r[4].Time}, 1)
	recorded(t, s, "after Prune(Before: the last record's time)", *r[0], *r[4])
	prune(actions.Retention{Keep: 5}, 0)
	recorded(t, s, "after Prune(Keep: 5)", *r[0], *r[4])
	// What the policies read outlives the records.
	policiesMatch(t, j, actions.PolicyQuery{ObjectIDs: []string{storeID}, ActorID: "bob", ActionIDs: []string{"once", "per-user"}}, []actions.PolicyState{
		{ObjectID: storeID, ActionID: "once", FirstActorID: "alice", ByActor: true},
		{ObjectID: storeID, ActionID: "per-user", FirstActorID: "alice", ByActor: true},
	})
	policiesMatch(t, j, actions.PolicyQuery{ObjectIDs: []string{storeID}, ActorID: "alice", ActionIDs: []string{"per-user"}}, []actions.PolicyState{
		{ObjectID: storeID, ActionID: "per-user", FirstActorID: "alice", ByActor: true},
	})
	if _, err := j.Finish(ctx, r[0].ID, actions.StatusSucceeded, ""); err != nil {
		t.Errorf("Finish(%q) of the pending execution Prune kept: %v", r[0].ID, err)
	}
}

// storeOddIDs are the ids of the OddIDs check: text that some databases
// cannot keep (PostgreSQL's text and jsonb refuse both).
var storeOddIDs = []string{"actionstest-nul-\x00-id", "actionstest-utf8-\xff-id"}

// neighbours returns the ids a store that cannot keep id might mistake it
// for: cut at its first NUL byte, or with its invalid UTF-8 replaced.
func neighbours(id string) []string {
	var out []string
	if before, _, ok := strings.Cut(id, "\x00"); ok {
		out = append(out, before)
	}
	if fixed := strings.ToValidUTF8(id, "\uFFFD"); fixed != id {
		out = append(out, fixed, strings.ToValidUTF8(id, ""))
	}
	return out
}

// refusal checks the error of a call that refused an odd value: it must
// not claim a conflict or a missing object.
func refusal(t testing.TB, call string, err error) {
	t.Helper()
	if is(err, actions.ErrConflict, actions.ErrNotFound) {
		t.Errorf("%s refused an id it cannot keep with %v; want an error that says so, not actions.ErrConflict or actions.ErrNotFound", call, err)
	}
}

func (c *storeCheck[T]) oddIDs(t testing.TB, s Store[T]) {
	t.Helper()
	ctx := context.Background()
	var kept []actions.Execution // the records the store took
	n := 0                       // records tried
	save := func(object string, from int64, rec *actions.Execution) error {
		t.Helper()
		n++
		rec.ObjectID, rec.FromVersion, rec.ToVersion = object, from, from+1
		v, err := s.Save(ctx, object, c.sample(n), from, rec)
		if err != nil {
			return err
		}
		if v != from+1 {
			t.Errorf("Save(%q) at version %d with record %q = version %d, want %d", object, from, rec.ID, v, from+1)
		}
		kept = append(kept, *rec)
		return nil
	}
	for i, id := range storeOddIDs {
		if _, v, err := s.Load(ctx, id); !errors.Is(err, actions.ErrNotFound) {
			t.Errorf("Load(%q) of an id never created = version %d, error %v; want an error matching actions.ErrNotFound", id, v, err)
		}
		_, err := s.Create(ctx, id, c.sample(i))
		if err != nil {
			// The store cannot keep the id: then nothing has it.
			refusal(t, fmt.Sprintf("Create(%q)", id), err)
			if _, v, err := s.Load(ctx, id); !errors.Is(err, actions.ErrNotFound) {
				t.Errorf("Load(%q) after Create refused it = version %d, error %v; want an error matching actions.ErrNotFound", id, v, err)
			}
			rec := record(fmt.Sprint("actionstest-odd-object-", i), 1, "alice")
			if err := save(id, 1, rec); err == nil {
				t.Errorf("Save(%q) of an object whose Create was refused succeeded", id)
			}
		} else {
			got, v, err := s.Load(ctx, id)
			switch {
			case err != nil:
				t.Errorf("Load(%q) after Create: %v", id, err)
			case v != 1:
				t.Errorf("Load(%q) after Create = version %d, want 1", id, v)
			default:
				if msg := c.diff(c.sample(i), got); msg != "" {
					t.Errorf("Load(%q) after Create returned another value (-want +got):\n%s", id, msg)
				}
			}
			rec := record(fmt.Sprint("actionstest-odd-object-", i), 1, "alice")
			rec.ActionID = rec.ID
			if err := save(id, 1, rec); err != nil {
				t.Errorf("Save(%q) at version 1 of an object the store created: %v", id, err)
			}
		}
		for _, other := range neighbours(id) {
			if _, v, err := s.Load(ctx, other); !errors.Is(err, actions.ErrNotFound) {
				t.Errorf("Load(%q) after a Create of %q = version %d, error %v; want an error matching actions.ErrNotFound (the ids are different)", other, id, v, err)
			}
		}
	}

	// Records with odd text in their ids, on an object every store keeps.
	if !c.create(t, s, storeID) {
		return
	}
	version := int64(1)
	for i, odd := range storeOddIDs {
		for _, field := range []string{"execution id", "action id", "actor id"} {
			rec := record(fmt.Sprintf("actionstest-odd-%d-%d", i, n), 0, "alice")
			rec.ActionID = rec.ID
			switch field {
			case "execution id":
				rec.ID = odd
			case "action id":
				rec.ActionID = odd
			case "actor id":
				rec.ActorID = odd
			}
			if err := save(storeID, version, rec); err != nil {
				refusal(t, fmt.Sprintf("Save(%q) with %s %q", storeID, field, odd), err)
				continue
			}
			version++
		}
	}
	if _, v, err := s.Load(ctx, storeID); err != nil || v != version {
		t.Errorf("Load(%q) after Saves with odd records = version %d, %v; want %d (a refused Save changes nothing)", storeID, v, err, version)
	}

	j, ok := journalOf(t, s)
	if !ok {
		return
	}
	// Lookups by odd ids find what was kept and fail for nothing.
	recorded(t, s, "after Saves with odd ids (a refused Save records nothing)", kept...)
	for _, odd := range storeOddIDs {
		pick := func(match func(actions.Execution) bool) []actions.Execution {
			var out []actions.Execution
			for _, r := range kept {
				if match(r) {
					out = append(out, r)
				}
			}
			return out
		}
		executions(t, j, actions.Filter{ID: odd}, pick(func(r actions.Execution) bool { return r.ID == odd })...)
		executions(t, j, actions.Filter{ActionID: odd}, pick(func(r actions.Execution) bool { return r.ActionID == odd })...)
		executions(t, j, actions.Filter{ObjectID: odd, Limit: 5}, pick(func(r actions.Execution) bool { return r.ObjectID == odd })...)
		newest := pick(func(r actions.Execution) bool { return r.ActorID == odd })
		slices.Reverse(newest)
		executions(t, j, actions.Filter{ActorID: odd, Newest: true}, newest...)
		var want []actions.PolicyState
		for _, r := range kept {
			if r.ObjectID == odd || r.ObjectID == storeID && (r.ActionID == odd || r.ActorID == odd) {
				want = append(want, actions.PolicyState{ObjectID: r.ObjectID, ActionID: r.ActionID, FirstActorID: r.ActorID, ByActor: r.ActorID == odd})
			}
		}
		actionIDs := []string{odd}
		for _, r := range kept {
			if r.ObjectID == odd || r.ActorID == odd {
				actionIDs = append(actionIDs, r.ActionID)
			}
		}
		policiesMatch(t, j, actions.PolicyQuery{ObjectIDs: []string{odd, storeID}, ActorID: odd, ActionIDs: actionIDs}, want)
		if len(pick(func(r actions.Execution) bool { return r.ID == odd })) == 0 {
			if _, err := j.Finish(ctx, odd, actions.StatusSucceeded, ""); !errors.Is(err, actions.ErrNotFound) {
				t.Errorf("Finish(%q) of an execution never recorded: error %v; want an error matching actions.ErrNotFound", odd, err)
			}
		}
	}
}

// policyText renders q, its ids quoted.
func policyText(q actions.PolicyQuery) string {
	return fmt.Sprintf("PolicyQuery{ObjectIDs: %q, ActorID: %q, ActionIDs: %q}", q.ObjectIDs, q.ActorID, q.ActionIDs)
}
