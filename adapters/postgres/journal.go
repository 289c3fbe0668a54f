package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// recordParams is the number of parameters recordSQL takes before the
// object's values: $1 the collection, $2 the object's id, $3 the expected
// version, $4-$12 the record's id, action, actor, comment, time, versions,
// status and detail, $13 the record's object id, $14 its inputs (jsonb).
const recordParams = 14

// recordSQL returns the statement of a Save with a record, around update
// (the UPDATE ... RETURNING version of the object, with $1-$3 as above and
// the object's values from $15) and current (the object's version as the
// statement found it, for telling ErrNotFound from ErrConflict).
//
// Seq comes from the schema's sequence, taken while the statement holds
// the journal's advisory lock in shared mode, so that Saves of one journal
// run side by side (and commit together); a reader that needs a settled
// journal takes the lock in exclusive mode (see horizon).
func (s *Store[T]) recordSQL(update, current string) string {
	seq := strings.ReplaceAll(ident(s.schema, "executions_seq"), "'", "''")
	return `WITH obj AS (` + update + `),
	lock AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(` + strconv.Itoa(int(s.lockNS)) + `, $1) FROM obj),
	rec AS (
		INSERT INTO ` + ident(s.schema, "executions") + ` (collection, seq, id, action_id, object_id, actor_id, comment, time, from_version, to_version, status, detail, inputs)
		SELECT $1, nextval('` + seq + `'), $4, $5, $13, $6, $7, $8, $9, $10, $11, $12, $14 FROM lock
		RETURNING seq
	),
	first AS (
		INSERT INTO ` + ident(s.schema, "policies") + ` (collection, object_id, action_id, first_actor)
		SELECT $1, $13, $5, $6 FROM rec ON CONFLICT DO NOTHING
	),
	actor AS (
		INSERT INTO ` + ident(s.schema, "policy_actors") + ` (collection, object_id, action_id, actor_id)
		SELECT $1, $13, $5, $6 FROM rec WHERE $6 <> '' ON CONFLICT DO NOTHING
	)
	SELECT (SELECT version FROM obj), (SELECT seq FROM rec), (` + current + `)`
}

func (s *Store[T]) recordArgs(id string, expected int64, r *actions.Execution) ([]any, error) {
	var inputs []byte // NULL without inputs
	if r.Inputs != nil {
		var err error
		if inputs, err = json.Marshal(r.Inputs); err != nil {
			return nil, fmt.Errorf("postgres: encoding the inputs of execution %s: %w", r.ID, err)
		}
		if jsonHasNUL(inputs) {
			return nil, unstorableInput(r.Inputs)
		}
	}
	return []any{s.coll, id, expected, r.ID, r.ActionID, r.ActorID, r.Comment, r.Time,
		r.FromVersion, r.ToVersion, string(r.Status), r.Detail, r.ObjectID, inputs}, nil
}

// jsonHasNUL reports whether the JSON text b, as encoding/json writes it,
// holds the escape \u0000, which jsonb refuses.
func jsonHasNUL(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && string(b[i+2:i+6]) == "0000" {
			return true
		}
		i++ // the escaped character: a backslash escapes only what follows it
	}
	return false
}

// unstorableInput returns the *UnstorableError of the first input, in name
// order, whose name or value holds a NUL byte.
func unstorableInput(in actions.Inputs) *UnstorableError {
	names := slices.Sorted(maps.Keys(in))
	for _, name := range names {
		v, _ := json.Marshal(in[name])
		if jsonHasNUL(v) || !storable(name) {
			s, _ := in[name].(string)
			return &UnstorableError{Field: fmt.Sprintf("input %q", name), Value: s}
		}
	}
	return &UnstorableError{Field: "inputs"}
}

const execColumns = "seq, id, action_id, object_id, actor_id, comment, time, from_version, to_version, status, detail, inputs"

// scanExecution scans the execColumns of row, after the targets of first.
func scanExecution(row pgx.Row, first ...any) (actions.Execution, error) {
	var e actions.Execution
	var status string
	var inputs []byte
	err := row.Scan(append(first, &e.Seq, &e.ID, &e.ActionID, &e.ObjectID, &e.ActorID, &e.Comment, &e.Time,
		&e.FromVersion, &e.ToVersion, &status, &e.Detail, &inputs)...)
	e.Status, e.Time = actions.Status(status), e.Time.UTC()
	if err == nil && inputs != nil {
		if err = json.Unmarshal(inputs, &e.Inputs); err != nil {
			err = fmt.Errorf("postgres: decoding the inputs of execution %s: %w", e.ID, err)
		}
	}
	return e, err
}

// horizon returns a Seq up to which the journal is settled: every Save
// that took a Seq up to it has committed or failed, so that a read bounded
// by it returns every record of its range that will ever be, and the next
// page (After the last Seq read) misses none.
//
// Seqs are taken in one order and committed in another: a Save may take
// Seq 11 and commit while the Save of Seq 10 is still running. Each Save
// therefore takes its Seq under the journal's advisory lock in shared
// mode; horizon takes it in exclusive mode, which waits for the Saves in
// flight (at most one commit) and holds new ones back as long as it reads
// the sequence, then lets go.
func (s *Store[T]) horizon(ctx context.Context) (int64, error) {
	var h int64
	err := s.pool.QueryRow(ctx, `WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock($1, $2))
		SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM `+ident(s.schema, "executions_seq")+`) FROM lock`,
		s.lockNS, s.coll).Scan(&h)
	if err != nil {
		return 0, fmt.Errorf("postgres: reading the journal's horizon: %w", err)
	}
	return h, nil
}

// Executions implements actions.Journal. A filter by ID reads the unique
// index of execution ids, a filter by ObjectID the index on (object, Seq);
// the others read the journal in Seq order from the first record their
// bounds allow, and stop at Limit. Every read but one by ID first waits
// for the Saves in flight on the journal (see the package documentation,
// "Seq"): it costs a round trip more, and never misses a record.
func (s *Store[T]) Executions(ctx context.Context, f actions.Filter) ([]actions.Execution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	for _, v := range [...]string{f.ID, f.ActionID, f.ObjectID, f.ActorID, string(f.Status)} {
		if !storable(v) { // no record has it
			return nil, nil
		}
	}
	var b strings.Builder
	args := []any{s.coll}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString("SELECT " + execColumns + " FROM " + ident(s.schema, "executions") + " WHERE collection = $1")
	cond := func(col string, v string) {
		if v != "" {
			b.WriteString(" AND " + col + " = " + arg(v))
		}
	}
	cond("id", f.ID)
	cond("action_id", f.ActionID)
	cond("object_id", f.ObjectID)
	cond("actor_id", f.ActorID)
	cond("status", string(f.Status))
	if f.NoActor {
		b.WriteString(" AND actor_id = ''")
	}
	if f.After > 0 {
		b.WriteString(" AND seq > " + arg(f.After))
	}
	if f.Before > 0 {
		b.WriteString(" AND seq < " + arg(f.Before))
	}
	horizonArg := 0 // the index in args of the horizon, read by each try
	if f.ID == "" {
		b.WriteString(" AND seq <= " + arg(int64(0)))
		horizonArg = len(args) - 1
	}
	if f.Newest {
		b.WriteString(" ORDER BY seq DESC")
	} else {
		b.WriteString(" ORDER BY seq")
	}
	if f.Limit > 0 {
		b.WriteString(" LIMIT " + arg(f.Limit))
	}
	var out []actions.Execution
	err := s.retry(ctx, lostConnection, func() error {
		if horizonArg > 0 {
			h, err := s.horizon(ctx)
			if err != nil {
				return err
			}
			args[horizonArg] = h
		}
		rows, err := s.pool.Query(ctx, b.String(), args...)
		if err != nil {
			return fmt.Errorf("postgres: reading the journal: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (actions.Execution, error) { return scanExecution(row) })
		if err != nil {
			return fmt.Errorf("postgres: reading the journal: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Policies implements actions.Journal in one query: one index lookup per
// action in the policies table and one in policy_actors, tables that Prune
// never touches.
func (s *Store[T]) Policies(ctx context.Context, q actions.PolicyQuery) ([]actions.PolicyState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(q.ActionIDs) == 0 {
		return nil, nil
	}
	// The EXISTS probes the whole primary key of policy_actors for each
	// action: a join would let the planner scan every actor of the object.
	// An id PostgreSQL cannot keep is no record's: it is left out (an
	// actor's, by asking for the anonymous actor, whom policy_actors
	// never holds).
	objects, actionIDs, actor := storableOnly(q.ObjectIDs), storableOnly(q.ActionIDs), q.ActorID
	if !storable(actor) {
		actor = ""
	}
	if len(objects) == 0 || len(actionIDs) == 0 {
		return nil, nil
	}
	var out []actions.PolicyState
	err := s.retry(ctx, lostConnection, func() error {
		rows, err := s.pool.Query(ctx, `SELECT p.object_id, p.action_id, p.first_actor, EXISTS (
			SELECT FROM `+ident(s.schema, "policy_actors")+` a
			WHERE a.collection = p.collection AND a.object_id = p.object_id AND a.action_id = p.action_id AND a.actor_id = $3
		)
		FROM `+ident(s.schema, "policies")+` p
		WHERE p.collection = $1 AND p.object_id = ANY($2) AND p.action_id = ANY($4)`,
			s.coll, objects, actor, actionIDs)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (actions.PolicyState, error) {
			var st actions.PolicyState
			err := row.Scan(&st.ObjectID, &st.ActionID, &st.FirstActorID, &st.ByActor)
			return st, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the execution policies: %w", err)
	}
	return out, nil
}

// Finish implements actions.Journal in one statement when the execution
// is pending, and a second that reads it as it is when it is not. A detail that
// PostgreSQL cannot keep is kept with U+FFFD in place of each NUL byte and
// each run of invalid UTF-8 bytes (the execution must not stay pending for
// want of its detail); an id it cannot keep is no execution's.
func (s *Store[T]) Finish(ctx context.Context, id string, status actions.Status, detail string) (actions.Execution, error) {
	if err := ctx.Err(); err != nil {
		return actions.Execution{}, err
	}
	if status != actions.StatusSucceeded && status != actions.StatusFailed {
		return actions.Execution{}, fmt.Errorf("postgres: cannot finish an execution as %q", status)
	}
	if !storable(id) { // no record has it
		return actions.Execution{}, &actions.NotFoundError{Kind: "execution", ID: id}
	}
	if !storable(detail) {
		// Refusing it would leave the execution pending for good: the
		// detail is an effect's error, which may quote anything.
		detail = strings.ToValidUTF8(strings.ReplaceAll(detail, "\x00", "\uFFFD"), "\uFFFD")
	}
	execs := ident(s.schema, "executions")
	var e actions.Execution
	err := s.retry(ctx, pgconn.SafeToRetry, func() (err error) {
		e, err = scanExecution(s.pool.QueryRow(ctx, `UPDATE `+execs+` SET status = $3, detail = $4
			WHERE collection = $1 AND id = $2 AND status = 'pending'
			RETURNING `+execColumns, s.coll, id, string(status), detail))
		return err
	})
	if err == nil {
		return e, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return actions.Execution{}, fmt.Errorf("postgres: finishing execution %s: %w", id, err)
	}
	// Not pending, or not there. The UPDATE's snapshot may have seen it
	// pending while it waited for a concurrent Finish, which changed it:
	// a statement of its own reads the row as that Finish left it.
	err = s.retry(ctx, lostConnection, func() (err error) {
		e, err = scanExecution(s.pool.QueryRow(ctx, `SELECT `+execColumns+` FROM `+execs+`
			WHERE collection = $1 AND id = $2`, s.coll, id))
		return err
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return actions.Execution{}, &actions.NotFoundError{Kind: "execution", ID: id}
	case err != nil:
		return actions.Execution{}, fmt.Errorf("postgres: finishing execution %s: %w", id, err)
	}
	return e, fmt.Errorf("%w: execution %s is %s, not pending", actions.ErrConflict, id, e.Status)
}

// Prune implements actions.Pruner in one statement. It reads every record
// of the journal that is not pending, so run it now and then, not per
// request. What the execution policies read is kept.
func (s *Store[T]) Prune(ctx context.Context, r actions.Retention) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.Keep < 0 {
		return 0, fmt.Errorf("postgres: retention keep %d is negative", r.Keep)
	}
	if r.Keep == 0 && r.Before.IsZero() {
		return 0, nil
	}
	// In Seq order, a record is dropped while fewer than excess have been,
	// and after that if it is older than Before: the first excess records
	// that are not pending, and every later one before Before.
	var before *time.Time
	if !r.Before.IsZero() {
		before = &r.Before
	}
	execs := ident(s.schema, "executions")
	var tag pgconn.CommandTag
	err := s.retry(ctx, pgconn.SafeToRetry, func() (err error) {
		tag, err = s.pool.Exec(ctx, `WITH excess AS (
			SELECT CASE WHEN $2::bigint > 0 THEN greatest(count(*) - $2::bigint, 0) ELSE 0 END AS n
			FROM `+execs+` WHERE collection = $1
		), doomed AS (
			SELECT seq FROM (
				SELECT seq, time, row_number() OVER (ORDER BY seq) AS n
				FROM `+execs+` WHERE collection = $1 AND status <> 'pending'
			) r
			WHERE r.n <= (SELECT n FROM excess) OR r.time < $3
		)
		DELETE FROM `+execs+` e USING doomed WHERE e.collection = $1 AND e.seq = doomed.seq`,
			s.coll, int64(r.Keep), before)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: pruning the journal: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// storableOnly returns the ids PostgreSQL can keep; ids itself when it can
// keep them all.
func storableOnly(ids []string) []string {
	for i, id := range ids {
		if !storable(id) {
			out := slices.Clone(ids[:i])
			for _, id := range ids[i+1:] {
				if storable(id) {
					out = append(out, id)
				}
			}
			return out
		}
	}
	return ids
}
