package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Counter is the object of the engine tests (testdata/counter.json).
type Counter struct {
	Count int    `json:"count" db:"count"`
	Label string `json:"label" db:"label"`
}

func counterCatalog(t testing.TB, file string, opts ...actions.CompileOption) *actions.Catalog[Counter] {
	t.Helper()
	cat, err := actions.LoadFile[Counter]("testdata/"+file, opts...)
	if err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	return cat
}

// instance is what one process of a host has: its pool, its store, its
// engine.
type instance struct {
	app    string // the pool's application_name
	pool   *pgxpool.Pool
	store  *postgres.Store[Counter]
	engine *actions.Engine[Counter]
}

func (d *testDB) instance(t testing.TB, app string, cat *actions.Catalog[Counter], params ...string) *instance {
	t.Helper()
	pool := d.pool(t, app, 10, params...)
	store, err := postgres.NewDocumentStore[Counter](context.Background(), pool, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatalf("NewDocumentStore: %v", err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatalf("actions.New: %v", err)
	}
	return &instance{app: app, pool: pool, store: store, engine: engine}
}

// execute executes action on object id for actor, reloading and retrying
// on a conflict; it returns the last error and how many conflicts it met.
func execute(ctx context.Context, e *actions.Engine[Counter], action, id, actor string) (int, error) {
	for conflicts := 0; ; conflicts++ {
		_, v, err := e.Load(ctx, id)
		if err != nil {
			return conflicts, err
		}
		_, err = e.Execute(ctx, actions.Request{ActionID: action, ObjectID: id, Version: v, Actor: actions.Actor{ID: actor}})
		if !errors.Is(err, actions.ErrConflict) {
			return conflicts, err
		}
	}
}

// Two instances, 8 goroutines each, incrementing one counter: every
// increment is kept, exactly once, with its record.
func TestTwoInstancesIncrement(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	// 8,000 saves of one row are 8,000 commits in series: with
	// synchronous_commit off, each waits for the one before it but not for
	// the disk. That changes durability on a crash, nothing this test
	// checks: locking, visibility and atomicity are the same.
	async := []string{"synchronous_commit", "off"}
	a, b := d.instance(t, "actionable-test-a", cat, async...), d.instance(t, "actionable-test-b", cat, async...)
	ctx := context.Background()
	if _, err := a.store.Create(ctx, "c", Counter{}); err != nil {
		t.Fatal(err)
	}
	perWorker := 500
	if testing.Short() {
		perWorker = 50
	}
	const workers = 8 // per instance
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers)
	start := time.Now()
	for _, in := range []*instance{a, b} {
		for w := range workers {
			wg.Go(func() {
				for i := range perWorker {
					n, err := execute(ctx, in.engine, "increment", "c", fmt.Sprintf("%s-%d", in.app, w))
					conflicts.Add(int64(n))
					if err != nil {
						errs <- fmt.Errorf("%s worker %d, increment %d: %w", in.app, w, i, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 2 * workers * perWorker
	t.Logf("%d increments in %v, %d conflicts retried", total, time.Since(start).Round(time.Millisecond), conflicts.Load())

	got, v, err := b.store.Load(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != total || v != int64(total+1) {
		t.Errorf("after %d increments: count %d at version %d; want count %d at version %d", total, got.Count, v, total, total+1)
	}
	recs, err := a.store.Executions(ctx, actions.Filter{ObjectID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != total {
		t.Errorf("the journal has %d records of object c, want %d", len(recs), total)
	}
	// Saves of one object are serial: in Seq order, the records go from
	// version to version without a gap or a repeat.
	for i, r := range recs {
		if r.FromVersion != int64(i+1) || r.ToVersion != int64(i+2) {
			t.Errorf("record %d (Seq %d) goes from version %d to %d, want %d to %d", i, r.Seq, r.FromVersion, r.ToVersion, i+1, i+2)
			break
		}
	}
}

// race runs n goroutines, spread over the instances, that each execute
// action on object id as actor(i), retrying on conflicts, all starting at
// once; it returns what each got.
func race(t *testing.T, ins []*instance, n int, action, id string, actor func(i int) string) []error {
	t.Helper()
	ctx := context.Background()
	errs := make([]error, n)
	startLine := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-startLine
			_, errs[i] = execute(ctx, ins[i%len(ins)].engine, action, id, actor(i))
		})
	}
	close(startLine)
	wg.Wait()
	return errs
}

func TestOnceAcrossInstances(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	ins := []*instance{d.instance(t, "actionable-test-a", cat), d.instance(t, "actionable-test-b", cat)}
	ctx := context.Background()
	for round := range 5 {
		id := fmt.Sprint("once-", round)
		if _, err := ins[0].store.Create(ctx, id, Counter{}); err != nil {
			t.Fatal(err)
		}
		errs := race(t, ins, 12, "claim", id, func(i int) string { return fmt.Sprint("user-", i) })
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, actions.ErrNotApplicable):
				t.Errorf("round %d, goroutine %d: %v; want success or ErrNotApplicable", round, i, err)
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d of 12 goroutines executed the Once action, want exactly 1", round, wins)
		}
		if recs, err := ins[1].store.Executions(ctx, actions.Filter{ObjectID: id}); err != nil || len(recs) != 1 {
			t.Errorf("round %d: the journal has %d records, %v; want 1", round, len(recs), err)
		}
	}
}

func TestOncePerUserAcrossInstances(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	ins := []*instance{d.instance(t, "actionable-test-a", cat), d.instance(t, "actionable-test-b", cat)}
	ctx := context.Background()
	if _, err := ins[0].store.Create(ctx, "poll", Counter{}); err != nil {
		t.Fatal(err)
	}
	const users = 4
	// Goroutine i acts as user i%3... spread so that each user races on
	// both instances.
	actor := func(i int) string { return fmt.Sprint("user-", i%users) }
	errs := race(t, ins, 12, "vote", "poll", actor)
	wins := map[string]int{}
	for i, err := range errs {
		switch {
		case err == nil:
			wins[actor(i)]++
		case !errors.Is(err, actions.ErrNotApplicable):
			t.Errorf("goroutine %d: %v; want success or ErrNotApplicable", i, err)
		}
	}
	for u := range users {
		if n := wins[fmt.Sprint("user-", u)]; n != 1 {
			t.Errorf("user-%d voted %d times, want exactly once", u, n)
		}
	}
	got, v, err := ins[1].store.Load(ctx, "poll")
	if err != nil || got.Count != users || v != users+1 {
		t.Errorf("after the votes: count %d at version %d (%v); want %d at version %d", got.Count, v, err, users, users+1)
	}
}

// While executes run, the test terminates the store's backends again and
// again. Every execute succeeds, each statement that lost its connection
// tried again on another, and afterwards each object's version has moved
// by exactly its number of records: nothing half-applied, nothing lost.
func TestFaultsTerminatedBackends(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	in := d.instance(t, "actionable-test-faults", cat)
	ctx := context.Background()
	const objects = 8
	start := map[string]int64{}
	for i := range objects {
		id := fmt.Sprint("o", i)
		if _, err := in.store.Create(ctx, id, Counter{}); err != nil {
			t.Fatal(err)
		}
		// Start each object at its own version, without records.
		v := int64(1)
		for range i {
			var err error
			if v, err = in.store.Save(ctx, id, Counter{}, v, nil); err != nil {
				t.Fatal(err)
			}
		}
		start[id] = v
	}

	retries, restore := postgres.CountRetries()
	defer restore()
	var (
		succeeded atomic.Int64 // executes that returned no error
		failed    atomic.Int64 // executes that failed for another reason than a conflict
		killed    atomic.Int64
	)
	done := make(chan struct{})
	killer := make(chan struct{})
	go func() {
		defer close(killer)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				killed.Add(int64(d.terminate(t, in.app, "")))
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range 100 {
				id := fmt.Sprint("o", rng.IntN(objects))
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := execute(cctx, in.engine, "increment", id, fmt.Sprint("w", w))
				cancel()
				if err == nil {
					succeeded.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(done)
	<-killer
	retried := retries()
	t.Logf("%d executes succeeded, %d failed; %d backends terminated, %d statements tried again", succeeded.Load(), failed.Load(), killed.Load(), retried)
	if killed.Load() == 0 || retried == 0 {
		t.Fatalf("no fault happened (%d backends terminated, %d statements tried again): the test proves nothing", killed.Load(), retried)
	}
	// Each statement that lost its connection was tried again on another.
	if failed.Load() != 0 {
		t.Errorf("%d executes failed: want none", failed.Load())
	}

	// The store keeps working: one more execute on each object.
	for i := range objects {
		id := fmt.Sprint("o", i)
		if _, err := execute(ctx, in.engine, "increment", id, "after"); err != nil {
			t.Fatalf("execute after the faults: %v", err)
		}
	}
	var records int64
	for i := range objects {
		id := fmt.Sprint("o", i)
		got, v, err := in.store.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := in.store.Executions(ctx, actions.Filter{ObjectID: id})
		if err != nil {
			t.Fatal(err)
		}
		records += int64(len(recs))
		if moved := v - start[id]; moved != int64(len(recs)) || got.Count != len(recs) {
			t.Errorf("object %s moved from version %d to %d (count %d) with %d execution records: want as many versions, counts and records", id, start[id], v, got.Count, len(recs))
		}
		for k, r := range recs {
			if want := start[id] + int64(k); r.FromVersion != want || r.ToVersion != want+1 {
				t.Errorf("object %s: record %d goes from version %d to %d, want %d to %d", id, k, r.FromVersion, r.ToVersion, want, want+1)
				break
			}
		}
	}
	// Every execute that succeeded was recorded; an execute that failed
	// may have committed before its connection died, but no more of them.
	ok := succeeded.Load() + objects
	if records < ok || records > ok+failed.Load() {
		t.Errorf("%d records for %d successful executes and %d failed ones: want between %d and %d", records, ok, failed.Load(), ok, ok+failed.Load())
	}
}

// Retention drops records, never what the execution policies read.
func TestRetentionKeepsPolicies(t *testing.T) {
	d := newTestDB(t)
	in := d.instance(t, "actionable-test-retention", counterCatalog(t, "counter.json"))
	ctx := context.Background()
	if _, err := in.store.Create(ctx, "c", Counter{}); err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct{ action, actor string }{{"claim", "alice"}, {"vote", "alice"}, {"increment", "bob"}} {
		if _, err := execute(ctx, in.engine, ex.action, "c", ex.actor); err != nil {
			t.Fatalf("%s by %s: %v", ex.action, ex.actor, err)
		}
	}
	n, err := in.store.Prune(ctx, actions.Retention{Before: time.Now().Add(time.Hour)})
	if err != nil || n != 3 {
		t.Fatalf("Prune = %d, %v; want 3 records dropped", n, err)
	}
	if recs, err := in.store.Executions(ctx, actions.Filter{}); err != nil || len(recs) != 0 {
		t.Fatalf("Executions after Prune = %d records, %v; want none", len(recs), err)
	}
	obj, _, err := in.store.Load(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		actor string
		want  []string
	}{
		{"alice", []string{"increment"}},
		{"bob", []string{"increment", "vote"}},
	} {
		list, err := in.engine.Resolve(ctx, "c", obj, actions.Actor{ID: tc.actor})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			got = append(got, a.ID())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Resolve for %s after Prune = %v, want %v", tc.actor, got, tc.want)
		}
	}
	if _, err := execute(ctx, in.engine, "claim", "c", "bob"); !errors.Is(err, actions.ErrNotApplicable) {
		t.Errorf("claim by bob after Prune: %v, want ErrNotApplicable (Once)", err)
	}
}

// A duplicate execution id fails the whole Save: the object stays.
func TestDuplicateExecutionID(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	pool := d.pool(t, "actionable-test-dup", 4)
	store, err := postgres.NewDocumentStore[Counter](context.Background(), pool, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, store, actions.WithExecutionIDs(func() string { return "always-the-same" }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.Create(ctx, "c", Counter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(ctx, engine, "increment", "c", "alice"); err != nil {
		t.Fatal(err)
	}
	_, err = engine.Execute(ctx, actions.Request{ActionID: "increment", ObjectID: "c", Version: 2, Actor: actions.Actor{ID: "alice"}})
	var pe *pgconn.PgError
	if !errors.Is(err, actions.ErrConflict) || errors.As(err, &pe) {
		t.Errorf("Execute with a recorded execution id: %v; want ErrConflict (and no driver error)", err)
	}
	if got, v, _ := store.Load(ctx, "c"); got.Count != 1 || v != 2 {
		t.Errorf("after the refused Save: count %d at version %d, want 1 at version 2", got.Count, v)
	}
}

// A reader tailing the journal page by page (After the last Seq it read)
// while 8 writers save with records gets every record exactly once: Seqs
// commit out of order, and the horizon keeps the reader behind the ones
// still in flight.
func TestPagingMissesNothing(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	pool := d.pool(t, "actionable-test-paging", 10)
	s, err := postgres.NewDocumentStore[Counter](ctx, pool, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	const writers, saves = 8, 100
	for w := range writers {
		if _, err := s.Create(ctx, fmt.Sprint("c", w), Counter{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var writing atomic.Int64
	writing.Store(writers)
	for w := range writers {
		wg.Go(func() {
			defer writing.Add(-1)
			id := fmt.Sprint("c", w)
			for v := int64(1); v <= saves; v++ {
				rec := &actions.Execution{ID: fmt.Sprintf("%s-%d", id, v), ActionID: "increment", ObjectID: id,
					Time: time.Now(), FromVersion: v, ToVersion: v + 1, Status: actions.StatusSucceeded}
				if _, err := s.Save(ctx, id, Counter{Count: int(v)}, v, rec); err != nil {
					t.Errorf("Save: %v", err)
					return
				}
			}
		})
	}
	seen := map[string]bool{}
	var after int64
	for {
		done := writing.Load() == 0 // read once more after the writers are done
		page, err := s.Executions(ctx, actions.Filter{After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if seen[r.ID] || r.Seq <= after {
				t.Fatalf("record %s (Seq %d) read twice or out of order after Seq %d", r.ID, r.Seq, after)
			}
			seen[r.ID], after = true, r.Seq
		}
		if done && len(page) == 0 {
			break
		}
	}
	wg.Wait()
	if len(seen) != writers*saves {
		all, _ := s.Executions(ctx, actions.Filter{})
		t.Errorf("the reader paged through %d records; the journal has %d (%d saved): it skipped some", len(seen), len(all), writers*saves)
	}
}

// idlePoolTerminated fills the pool of in with n idle connections, and returns
// once PostgreSQL has ended every one of them: the pool still holds them,
// as it does after a restart or a failover until it tries them.
func idlePoolTerminated(t *testing.T, d *testDB, in *instance, n int) {
	t.Helper()
	ctx := context.Background()
	var conns []*pgxpool.Conn
	for range n {
		c, err := in.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	if got := in.pool.Stat().IdleConns(); got != int32(n) {
		t.Fatalf("the pool holds %d idle connections, want %d", got, n)
	}
	if got := d.terminate(t, in.app, ""); got != n {
		t.Fatalf("terminated %d backends, want %d", got, n)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var alive int
		if err := d.admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", in.app).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if alive == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends of %s still alive after they were terminated", alive, in.app)
		}
	}
}

// After PostgreSQL ended every connection of the pool (a restart, a
// failover, pg_terminate_backend), the next load, execute and journal
// read succeed: the store tries them again on a new connection, where
// they fail today on each dead connection the pool hands out.
func TestLostConnections(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	in := d.instance(t, "actionable-test-lost", cat)
	ctx := context.Background()
	if _, err := in.store.Create(ctx, "c", Counter{}); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		op   func() error
	}{
		{"load", func() error { _, _, err := in.store.Load(ctx, "c"); return err }},
		{"execute", func() error {
			_, err := in.engine.Execute(ctx, actions.Request{ActionID: "increment", ObjectID: "c", Version: current(t, in, "c"), Actor: actions.Actor{ID: "u"}})
			return err
		}},
		{"journal by object", func() error {
			_, err := in.store.Executions(ctx, actions.Filter{ObjectID: "c"})
			return err
		}},
		{"journal by id", func() error {
			recs, err := in.store.Executions(ctx, actions.Filter{ID: "none"})
			if err == nil && len(recs) != 0 {
				t.Errorf("records of an unknown id: %v", recs)
			}
			return err
		}},
		{"policies", func() error {
			_, err := in.store.Policies(ctx, actions.PolicyQuery{ObjectIDs: []string{"c"}, ActionIDs: []string{"increment"}, ActorID: "u"})
			return err
		}},
	}
	for _, o := range ops {
		idlePoolTerminated(t, d, in, 10) // every connection the pool may hold
		if err := o.op(); err != nil {
			t.Errorf("%s after the pool's connections were terminated: %v", o.name, err)
		}
	}
	got, v, err := in.store.Load(ctx, "c")
	if err != nil || got.Count != 1 || v != 2 {
		t.Errorf("after one execute: count %d at version %d (%v), want 1 at version 2", got.Count, v, err)
	}
}

// current returns the version of object id, failing the test without it.
func current(t *testing.T, in *instance, id string) int64 {
	t.Helper()
	_, v, err := in.store.Load(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A Save whose connection is lost after PostgreSQL committed it is tried
// again, and finds the object moved on (or deleted, or the next try
// failing) and the record in the journal: it reports the version it saved,
// not an error, and nothing is applied twice.
func TestLostConnectionAfterCommit(t *testing.T) {
	d := newTestDB(t)
	cat := counterCatalog(t, "counter.json")
	in := d.instance(t, "actionable-test-lost-commit", cat)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		between func(id string) // before the next try
		next    error           // the next try's error
		deleted bool
	}{
		{name: "next try finds the object moved on"},
		{name: "next try finds the object deleted", deleted: true, between: func(id string) {
			if err := in.store.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "next try fails", next: &pgconn.PgError{Severity: "ERROR", Code: "57014", Message: "canceling statement due to statement timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.ReplaceAll(tc.name, " ", "-")
			if _, err := in.store.Create(ctx, id, Counter{}); err != nil {
				t.Fatal(err)
			}
			var between func()
			if tc.between != nil {
				between = func() { tc.between(id) }
			}
			restore := postgres.LoseCommittedSave(between, tc.next)
			res, err := in.engine.Execute(ctx, actions.Request{ActionID: "increment", ObjectID: id, Version: 1, Actor: actions.Actor{ID: "u"}})
			restore()
			if err != nil {
				t.Fatalf("Execute whose commit lost its connection: %v", err)
			}
			if res.Version != 2 {
				t.Errorf("result at version %d, want 2", res.Version)
			}
			got, v, err := in.store.Load(ctx, id)
			switch {
			case tc.deleted:
				if !errors.Is(err, actions.ErrNotFound) {
					t.Errorf("Load after the delete: %v, want ErrNotFound", err)
				}
			case err != nil || got.Count != 1 || v != 2:
				t.Errorf("after the execute: count %d at version %d (%v); want 1 at version 2", got.Count, v, err)
			}
			recs, err := in.store.Executions(ctx, actions.Filter{ObjectID: id})
			if err != nil || len(recs) != 1 {
				t.Fatalf("journal: %v (%v), want one record", recs, err)
			}
			if recs[0].ID != res.Execution.ID || recs[0].Seq != res.Execution.Seq || recs[0].ToVersion != 2 {
				t.Errorf("record %+v, result's %+v: want the same id and Seq, to version 2", recs[0], res.Execution)
			}
		})
	}
}

// When the server cannot be reached, a statement that lost its connection
// is tried on one new connection, not on as many as the pool may hold:
// the dials would only add to the load of a server that is starting.
func TestLostConnectionServerDown(t *testing.T) {
	d := newTestDB(t)
	cfg, err := pgxpool.ParseConfig(d.url)
	if err != nil {
		t.Fatal(err)
	}
	const app = "actionable-test-down"
	cfg.MaxConns = 4
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	var down atomic.Bool
	var dials atomic.Int64
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		dials.Add(1)
		if down.Load() {
			cc.Host, cc.Port, cc.Fallbacks = "127.0.0.1", 1, nil // nothing listens there
		}
		return nil
	}
	ctx := context.Background()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store, err := postgres.NewDocumentStore[Counter](ctx, pool, "counters", postgres.WithSchema(d.schema))
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{app: app, pool: pool, store: store}
	if _, err := store.Create(ctx, "c", Counter{}); err != nil {
		t.Fatal(err)
	}
	idlePoolTerminated(t, d, in, 1) // one dead connection in the pool
	down.Store(true)
	dials.Store(0)
	if _, _, err := store.Load(ctx, "c"); err == nil {
		t.Fatal("Load with the server down succeeded")
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("Load with the server down dialled %d times, want 1", n)
	}
	down.Store(false)
	if _, _, err := store.Load(ctx, "c"); err != nil {
		t.Errorf("Load with the server back: %v", err)
	}
}
