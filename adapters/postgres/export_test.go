package postgres

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
)

// MigrateKey is the key of the advisory lock Migrate holds for schema.
func MigrateKey(schema string) int64 { return migrateKey(schema) }

// UseCounterSeq makes s take the Seqs of its records from a counter row of
// its collection, updated in the Save statement, instead of from the
// sequence under a shared lock: the alternative the package documentation
// measures. The counter serialises the Saves with records of a collection:
// its row stays locked until the Save commits. s's collection must have no
// records yet.
func UseCounterSeq[T any](ctx context.Context, s *Store[T]) error {
	counters := ident(s.schema, "bench_counters")
	_, err := s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+counters+` (collection integer PRIMARY KEY, last_seq bigint NOT NULL);
		INSERT INTO `+counters+` VALUES (`+strconv.Itoa(int(s.coll))+`, 0) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	q := s.sql.record
	lock := q[strings.Index(q, "lock AS MATERIALIZED"):strings.Index(q, "rec AS")]
	q = strings.Replace(q, lock, `lock AS (UPDATE `+counters+` SET last_seq = last_seq + 1
		WHERE collection = $1 AND EXISTS (SELECT FROM obj) RETURNING last_seq),
	`, 1)
	seq := strings.ReplaceAll(ident(s.schema, "executions_seq"), "'", "''")
	s.sql.record = strings.Replace(q, "nextval('"+seq+"')", "last_seq", 1)
	return nil
}

// LoseCommittedSave makes the next Save with a record that commits report
// a lost connection instead, as when a backend dies between its commit and
// its answer. Then it runs between, if not nil, before the next try, and
// makes that try fail with next, if not nil. restore undoes it.
func LoseCommittedSave(between func(), next error) (restore func()) {
	tries := 0
	saveHook = func(err error) error {
		switch {
		case tries == 0 && err == nil:
			tries++
			if between != nil {
				between()
			}
			return &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}
		case tries == 1:
			tries++
			if next != nil {
				return next
			}
		}
		return err
	}
	return func() { saveHook = func(err error) error { return err } }
}

// CountRetries counts the statements tried again after a lost connection
// from now on; restore stops counting.
func CountRetries() (count func() int64, restore func()) {
	var n atomic.Int64
	retryHook = func(error) { n.Add(1) }
	return n.Load, func() { retryHook = func(error) {} }
}
