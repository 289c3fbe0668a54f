package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The benchmarks need ACTIONABLE_TEST_POSTGRES, as the tests do; the
// memory-store variants run beside them for comparison. Run them with
//
//	go test -run '^$' -bench . -count 6 ./adapters/postgres/ | tee new.txt
//
// and compare with pgbench -b simple-update at 1 and 8 clients (see
// README.md).

type benchStore interface {
	actions.Store[Counter]
	actions.Creator[Counter]
}

// stores returns the stores a benchmark compares: PostgreSQL documents and
// memory.
func benchStores(b *testing.B) []struct {
	name  string
	store func(b *testing.B) benchStore
} {
	return []struct {
		name  string
		store func(b *testing.B) benchStore
	}{
		{"postgres", func(b *testing.B) benchStore {
			d := newTestDB(b)
			s, err := postgres.NewDocumentStore[Counter](context.Background(), d.benchPool(b), "counters", postgres.WithSchema(d.schema))
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"memory", func(*testing.B) benchStore { return actions.NewMemoryStore[Counter]() }},
	}
}

// benchPool returns a pool of 10 connections, all of them connected, so
// that no benchmark times the dialling of one.
func (d *testDB) benchPool(b *testing.B) *pgxpool.Pool {
	pool := d.pool(b, "actionable-bench", 10)
	conns := make([]*pgxpool.Conn, 10)
	for i := range conns {
		var err error
		if conns[i], err = pool.Acquire(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range conns {
		c.Release()
	}
	return pool
}

// clients runs b.N calls of op spread over n goroutines; goroutine i
// passes its own i.
func clients(b *testing.B, n int, op func(i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	b.ResetTimer()
	for i := range n {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) && failed.Load() == nil {
				if err := op(i); err != nil {
					failed.Store(&err)
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
}

// BenchmarkExecute executes "increment" (a load and a save with its record,
// no policy) with 1 and 8 clients, each on an object of its own, as
// pgbench's clients update random accounts.
func BenchmarkExecute(b *testing.B) {
	for _, st := range benchStores(b) {
		for _, n := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", st.name, n), func(b *testing.B) {
				store := st.store(b)
				engine, err := actions.New(counterCatalog(b, "counter.json"), store)
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				versions := make([]int64, n)
				for i := range n {
					if versions[i], err = store.Create(ctx, fmt.Sprint("c", i), Counter{}); err != nil {
						b.Fatal(err)
					}
				}
				clients(b, n, func(i int) error {
					res, err := engine.Execute(ctx, actions.Request{ActionID: "increment", ObjectID: fmt.Sprint("c", i), Version: versions[i], Actor: actions.Actor{ID: "bench"}})
					versions[i] = res.Version
					return err
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executes/s")
			})
		}
	}
}

// BenchmarkResolve resolves an object whose catalog has two actions with an
// execution policy (Once, OncePerUser), one executed: the journal is read
// once per Resolve.
func BenchmarkResolve(b *testing.B) {
	for _, st := range benchStores(b) {
		b.Run(st.name, func(b *testing.B) {
			store := st.store(b)
			engine, err := actions.New(counterCatalog(b, "counter.json"), store)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if _, err := store.Create(ctx, "c", Counter{}); err != nil {
				b.Fatal(err)
			}
			if _, err := execute(ctx, engine, "vote", "c", "alice"); err != nil {
				b.Fatal(err)
			}
			obj, _, err := store.Load(ctx, "c")
			if err != nil {
				b.Fatal(err)
			}
			actor := actions.Actor{ID: "alice"}
			b.ResetTimer()
			for range b.N {
				list, err := engine.Resolve(ctx, "c", obj, actor)
				if err != nil || len(list) != 2 { // increment, claim; alice has voted
					b.Fatalf("Resolve = %d actions, %v; want 2", len(list), err)
				}
			}
		})
	}
}

// BenchmarkResolveAll resolves a list view of 100 objects whose catalog
// has two actions with an execution policy, in one ResolveAll (one journal
// query for the whole list) and in 100 Resolve calls (one query each).
func BenchmarkResolveAll(b *testing.B) {
	const n = 100
	for _, st := range benchStores(b) {
		store := st.store(b)
		engine, err := actions.New(counterCatalog(b, "counter.json"), store)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		items := make([]actions.Item[Counter], n)
		for i := range items {
			id := fmt.Sprint("c", i)
			if _, err := store.Create(ctx, id, Counter{}); err != nil {
				b.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := execute(ctx, engine, "vote", id, "alice"); err != nil {
					b.Fatal(err)
				}
			}
			obj, _, err := store.Load(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			items[i] = actions.Item[Counter]{ID: id, Object: obj}
		}
		actor := actions.Actor{ID: "alice"}
		b.Run(st.name+"/resolve-all", func(b *testing.B) {
			for range b.N {
				if _, err := engine.ResolveAll(ctx, items, actor); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(st.name+"/resolve-each", func(b *testing.B) {
			for range b.N {
				for _, it := range items {
					if _, err := engine.Resolve(ctx, it.ID, it.Object, actor); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkSeq compares the two ways of numbering the journal that keep a
// reader from skipping a record (see the package documentation, "Seq"):
// the sequence taken under a shared advisory lock, which Saves hold side
// by side, and a counter row per collection, which each Save holds until
// it commits. Each client saves its own object with a record.
func BenchmarkSeq(b *testing.B) {
	for _, scheme := range []string{"sequence", "counter"} {
		for _, n := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", scheme, n), func(b *testing.B) {
				d := newTestDB(b)
				ctx := context.Background()
				s, err := postgres.NewDocumentStore[Counter](ctx, d.benchPool(b), "counters", postgres.WithSchema(d.schema))
				if err != nil {
					b.Fatal(err)
				}
				if scheme == "counter" {
					if err := postgres.UseCounterSeq(ctx, s); err != nil {
						b.Fatal(err)
					}
				}
				versions := make([]int64, n)
				for i := range n {
					if versions[i], err = s.Create(ctx, fmt.Sprint("c", i), Counter{}); err != nil {
						b.Fatal(err)
					}
				}
				var ids atomic.Int64
				clients(b, n, func(i int) error {
					rec := &actions.Execution{ID: fmt.Sprint("e", ids.Add(1)), ActionID: "increment", ObjectID: fmt.Sprint("c", i),
						Time: time.Now(), FromVersion: versions[i], ToVersion: versions[i] + 1, Status: actions.StatusSucceeded}
					v, err := s.Save(ctx, fmt.Sprint("c", i), Counter{Count: int(versions[i])}, versions[i], rec)
					versions[i] = v
					return err
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
			})
		}
	}
}

// BenchmarkExecutionsPage reads a page of one object's executions (After,
// Limit 20) from a journal of 10,000 records over 100 objects: the
// horizon and the indexed read, two round trips.
func BenchmarkExecutionsPage(b *testing.B) {
	d := newTestDB(b)
	ctx := context.Background()
	s, err := postgres.NewDocumentStore[Counter](ctx, d.benchPool(b), "counters", postgres.WithSchema(d.schema))
	if err != nil {
		b.Fatal(err)
	}
	fillJournal(b, d, s, 100, 100)
	after := int64(0)
	b.ResetTimer()
	for range b.N {
		page, err := s.Executions(ctx, actions.Filter{ObjectID: "c7", After: after, Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 20 {
			after = page[19].Seq
		} else {
			after = 0
		}
	}
}

// fillJournal creates objects c0... and records perObject executions on
// each, in one statement per object.
func fillJournal(tb testing.TB, d *testDB, s *postgres.Store[Counter], objects, perObject int) {
	tb.Helper()
	ctx := context.Background()
	for i := range objects {
		id := fmt.Sprint("c", i)
		if _, err := s.Create(ctx, id, Counter{}); err != nil {
			tb.Fatal(err)
		}
	}
	var coll int32
	if err := d.admin.QueryRow(ctx, "SELECT id FROM "+d.table("collections")+" WHERE name = $1", s.Collection()).Scan(&coll); err != nil {
		tb.Fatal(err)
	}
	d.exec(tb, `INSERT INTO `+d.table("executions")+`
		SELECT $1, nextval('`+d.table("executions_seq")+`'), 'e' || o || '-' || v, 'increment', 'c' || o, 'actor' || (v % 10), '',
			now(), v, v + 1, 'succeeded', ''
		FROM generate_series(1, $3::int) v, generate_series(0, $2::int - 1) o ORDER BY v, o`, coll, objects, perObject)
	d.exec(tb, "ANALYZE "+d.table("executions"))
}
