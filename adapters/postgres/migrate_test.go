package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/adapters/postgres"
	"github.com/jackc/pgx/v5"
)

// The migrations the package embeds.
const migrationCount = 3

func TestMigrateIdempotent(t *testing.T) {
	d := newTestDB(t) // migrated once
	ctx := context.Background()
	for range 2 {
		n, err := postgres.Migrate(ctx, d.admin, postgres.WithSchema(d.schema))
		if err != nil || n != 0 {
			t.Errorf("Migrate of a migrated schema = %d applied, %v; want 0", n, err)
		}
	}
	var versions []int
	rows, err := d.admin.Query(ctx, "SELECT version FROM "+d.table("schema_migrations")+" ORDER BY version")
	if err == nil {
		versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	}
	if err != nil || len(versions) != migrationCount || versions[0] != 1 || versions[migrationCount-1] != migrationCount {
		t.Errorf("schema_migrations = %v, %v; want 1 to %d", versions, err, migrationCount)
	}
}

// Instances starting at once: one migrates, the others find it done.
func TestMigrateConcurrent(t *testing.T) {
	d := newTestDB(t)
	schema := d.schema + "_fresh"
	t.Cleanup(func() { d.exec(t, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE") })
	pool := d.pool(t, "actionable-test-migrate", 8)
	var applied atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			n, err := postgres.Migrate(context.Background(), pool, postgres.WithSchema(schema))
			if err != nil {
				t.Errorf("Migrate: %v", err)
			}
			applied.Add(int64(n))
		})
	}
	wg.Wait()
	if applied.Load() != migrationCount {
		t.Errorf("8 concurrent Migrates applied %d migrations in all, want %d", applied.Load(), migrationCount)
	}
	// The connections went back to the pool without the lock.
	if n := migrateLocks(t, d, schema, ""); n != 0 {
		t.Errorf("%d migration locks held or awaited after Migrate, want 0", n)
	}
	if _, err := postgres.NewDocumentStore[Task](context.Background(), pool, "tasks", postgres.WithSchema(schema)); err != nil {
		t.Errorf("a store on the migrated schema: %v", err)
	}
}

// Migrate whose context ends while another instance holds the lock gives
// up and leaves no lock behind.
func TestMigrateCancelledWhileWaiting(t *testing.T) {
	d := newTestDB(t)
	ctx := context.Background()
	conn, err := d.admin.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	key := postgres.MigrateKey(d.schema) // another instance holds the lock
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		t.Fatal(err)
	}
	pool := d.pool(t, "actionable-test-migrate-wait", 2)
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := postgres.Migrate(cctx, pool, postgres.WithSchema(d.schema)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Migrate while another instance migrates, until its context ends: %v; want context.DeadlineExceeded", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
		t.Fatal(err)
	}
	if n := migrateLocks(t, d, d.schema, ""); n != 0 {
		t.Errorf("%d migration locks held or awaited after a cancelled Migrate, want 0", n)
	}
	if n, err := postgres.Migrate(ctx, pool, postgres.WithSchema(d.schema)); n != 0 || err != nil {
		t.Errorf("Migrate after the other instance = %d, %v; want 0, nil", n, err)
	}
}

// migrateLocks counts the holders and waiters of the migration lock of
// schema (where narrows them down).
func migrateLocks(t *testing.T, d *testDB, schema, where string) int {
	t.Helper()
	key := uint64(postgres.MigrateKey(schema))
	q := `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1
		AND classid = $1::bigint::oid AND objid = $2::bigint::oid`
	if where != "" {
		q += " AND " + where
	}
	var n int
	if err := d.admin.QueryRow(context.Background(), q, int64(key>>32), int64(key&0xffffffff)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
