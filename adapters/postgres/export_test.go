package postgres

import (
	"context"
	"strconv"
	"strings"
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

// RecordSQL returns the statement of s's Saves with a record.
func RecordSQL[T any](s *Store[T]) string { return s.sql.record }
