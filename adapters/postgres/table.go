package postgres

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// tableMap maps T to the columns of a host table.
type tableMap[T any] struct {
	read  []field // the fields Load fills, id and version columns included
	write []field // the fields Save and Create write: all but the id and version columns
	// textID: the id column is of a string type; otherwise the id is cast
	// from text, and an id that is no value of the type is no object's.
	textID bool
	// keyConstraints are the unique indexes of the id column alone: a
	// unique violation of one of them is an existing id.
	keyConstraints map[string]bool
}

// field is one exported field of T and its column.
type field struct {
	name   string // the Go name, for messages
	column string
	index  []int
}

func (m *tableMap[T]) values(obj *T) []any {
	v := reflect.ValueOf(obj).Elem()
	out := make([]any, len(m.write))
	for i, f := range m.write {
		out[i] = v.FieldByIndex(f.index).Interface()
	}
	return out
}

func (m *tableMap[T]) targets(version *int64, obj *T) []any {
	v := reflect.ValueOf(obj).Elem()
	out := make([]any, 1, len(m.read)+1)
	out[0] = version
	for _, f := range m.read {
		out = append(out, v.FieldByIndex(f.index).Addr().Interface())
	}
	return out
}

// fieldsOf returns the fields of the struct type T and their columns: the
// name its db tag gives. A field tagged db:"-" is left out; every other
// exported field needs a tag, so that no field is silently lost on the
// way through the table.
func fieldsOf[T any]() ([]field, error) {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("postgres: a table store needs a struct type, not %s", t)
	}
	var out []field
	seen := map[string]string{}
	for _, f := range reflect.VisibleFields(t) {
		tag, tagged := f.Tag.Lookup("db")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case !f.IsExported() && !f.Anonymous, name == "-":
			continue
		case f.Anonymous && !tagged && (f.Type.Kind() == reflect.Struct || f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct):
			continue // its fields are visible on their own
		case !f.IsExported():
			continue
		case name == "":
			return nil, fmt.Errorf("postgres: field %s of %s has no db tag naming its column (tag it db:\"-\" to leave it out)", f.Name, t)
		}
		// Fields promoted through an embedded pointer could be nil.
		for i := 1; i < len(f.Index); i++ {
			if t.FieldByIndex(f.Index[:i]).Type.Kind() == reflect.Pointer {
				return nil, fmt.Errorf("postgres: field %s of %s is promoted through an embedded pointer: embed the struct itself", f.Name, t)
			}
		}
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("postgres: fields %s and %s of %s both map to column %q", other, f.Name, t, name)
		}
		seen[name] = f.Name
		out = append(out, field{name: f.Name, column: name, index: f.Index})
	}
	return out, nil
}

// NewTableStore returns the store of the objects kept in a table of the
// host's: an existing table (the package never creates or alters it) with
// an id column, unique, and an integer version column (WithIDColumn,
// WithVersionColumn; OpenProject's is lock_version). Each exported field
// of T maps to the column its db tag names:
//
//	type WorkPackage struct {
//		ID      int64   `db:"id"`
//		Subject string  `db:"subject"`
//		Status  string  `db:"status"`
//		DueDate *string `db:"due_date"` // a nullable column needs a pointer
//		Notes   string  `db:"-"`        // not in the table
//	}
//
// Load reads every mapped column (a field mapped to the id or the version
// column reads it too); Save and Create write all but those two, which the
// store keeps itself. Values are converted by pgx: a jsonb column takes a
// struct, map or slice as JSON, an array column a slice. An id column of a
// type other than text is compared with the id cast from text (an id that
// does not cast, "x" for a bigint column, is no object's). The journal is
// the package's, under the name WithCollection gives (default: table, as
// given).
//
// table may be qualified with its schema ("app.work_packages"). The
// constructor checks the table and every column against the database, so
// that a typo fails here and not on the first request. The package's
// schema must have been migrated (see Migrate).
func NewTableStore[T any](ctx context.Context, pool *pgxpool.Pool, table string, opts ...Option) (*Store[T], error) {
	cfg, err := newConfig(forTable, opts)
	if err != nil {
		return nil, err
	}
	if table == "" {
		return nil, errors.New("postgres: the table name must not be empty")
	}
	fields, err := fieldsOf[T]()
	if err != nil {
		return nil, err
	}
	if pool == nil {
		return nil, errors.New("postgres: the pool must not be nil")
	}
	var name pgx.Identifier
	if schema, rel, ok := strings.Cut(table, "."); ok {
		name = pgx.Identifier{schema, rel}
	} else {
		name = pgx.Identifier{table}
	}
	qtable := name.Sanitize()
	cols, err := columnsOf(ctx, pool, qtable)
	if err != nil {
		return nil, err
	}
	idCol, ok := cols[cfg.idColumn]
	if !ok {
		return nil, fmt.Errorf("postgres: table %s has no id column %q", qtable, cfg.idColumn)
	}
	verCol, ok := cols[cfg.verColumn]
	if !ok {
		return nil, fmt.Errorf("postgres: table %s has no version column %q", qtable, cfg.verColumn)
	}
	switch verCol.typ {
	case "smallint", "integer", "bigint":
	default:
		return nil, fmt.Errorf("postgres: the version column %q of table %s is %s, not an integer", cfg.verColumn, qtable, verCol.typ)
	}
	m := &tableMap[T]{textID: idCol.category == "S", read: fields}
	for _, f := range fields {
		if _, ok := cols[f.column]; !ok {
			return nil, fmt.Errorf("postgres: table %s has no column %q (field %s of %s)", qtable, f.column, f.name, reflect.TypeFor[T]())
		}
		if f.column != cfg.idColumn && f.column != cfg.verColumn {
			m.write = append(m.write, f)
		}
	}
	if m.keyConstraints, err = uniqueIndexes(ctx, pool, qtable, idCol.num); err != nil {
		return nil, err
	}
	if len(m.keyConstraints) == 0 {
		return nil, fmt.Errorf("postgres: the id column %q of table %s is not unique: make it the primary key", cfg.idColumn, qtable)
	}

	collection := cfg.collection
	if collection == "" {
		collection = table
	}
	s, err := newStore[T](ctx, pool, cfg.schema, collection)
	if err != nil {
		return nil, err
	}
	s.table = m
	id, ver := pgx.Identifier{cfg.idColumn}.Sanitize(), pgx.Identifier{cfg.verColumn}.Sanitize()
	key := func(n int) string { // the id as parameter $n
		if m.textID {
			return fmt.Sprintf("$%d", n)
		}
		return fmt.Sprintf("$%d::text::%s", n, idCol.typ)
	}
	read := make([]string, len(m.read))
	for i, f := range m.read {
		read[i] = pgx.Identifier{f.column}.Sanitize()
	}
	// update returns the UPDATE of the object with the id as $k, the
	// expected version as $k+1 and the values from $first.
	update := func(k, first int) string {
		var set strings.Builder
		for i, f := range m.write {
			fmt.Fprintf(&set, "%s = $%d, ", pgx.Identifier{f.column}.Sanitize(), first+i)
		}
		return fmt.Sprintf("UPDATE %s SET %s%s = %s + 1 WHERE %s = %s AND %s = $%d RETURNING %s AS version",
			qtable, set.String(), ver, ver, id, key(k), ver, k+1, ver)
	}
	current := func(k int) string { return fmt.Sprintf("SELECT %s FROM %s WHERE %s = %s", ver, qtable, id, key(k)) }
	insertCols, insertVals := []string{id, ver}, []string{key(1), "1"}
	for i, f := range m.write {
		insertCols = append(insertCols, pgx.Identifier{f.column}.Sanitize())
		insertVals = append(insertVals, fmt.Sprintf("$%d", i+2))
	}
	s.sql = statements{
		load:   fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s = %s", ver, strings.Join(read, ", "), qtable, id, key(1)),
		create: fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", qtable, strings.Join(insertCols, ", "), strings.Join(insertVals, ", ")),
		delete: fmt.Sprintf("DELETE FROM %s WHERE %s = %s", qtable, id, key(1)),
		update: "WITH obj AS (" + update(1, 3) + ") SELECT (SELECT version FROM obj), (" + current(1) + ")",
	}
	if len(m.read) == 0 {
		s.sql.load = fmt.Sprintf("SELECT %s FROM %s WHERE %s = %s", ver, qtable, id, key(1))
	}
	s.sql.record = s.recordSQL(update(2, recordParams+1), current(2))
	return s, nil
}

type column struct {
	num      int16
	typ      string // format_type: "bigint", "character varying(64)"
	category string // pg_type.typcategory: "S" for strings, "N" for numbers
}

// columnsOf returns the columns of a table.
func columnsOf(ctx context.Context, pool *pgxpool.Pool, table string) (map[string]column, error) {
	rows, err := pool.Query(ctx, `SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), t.typcategory::text
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, table)
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the columns of %s: %w", table, err)
	}
	cols := map[string]column{}
	var name string
	var c column
	_, err = pgx.ForEachRow(rows, []any{&name, &c.num, &c.typ, &c.category}, func() error {
		cols[name] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("postgres: table %s does not exist", table)
	}
	return cols, nil
}

// uniqueIndexes returns the names of the unique indexes on column num of
// table alone (a unique constraint's index has the constraint's name).
func uniqueIndexes(ctx context.Context, pool *pgxpool.Pool, table string, num int16) (map[string]bool, error) {
	rows, err := pool.Query(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1 AND i.indkey[0] = $2 AND i.indpred IS NULL`, table, num)
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the indexes of %s: %w", table, err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: reading the indexes of %s: %w", table, err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}
