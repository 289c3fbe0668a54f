package postgres

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrUnstorable is matched (with errors.Is) by every *UnstorableError: a
// value that PostgreSQL cannot store.
var ErrUnstorable = errors.New("postgres: value cannot be stored")

// UnstorableError is a value that PostgreSQL cannot store: text that is
// not valid UTF-8 or that holds a NUL byte (text and jsonb refuse both), in
// an id, in an execution record, or in the object. The package checks the
// ids, the record's text and its inputs before it sends them (an input's
// Field is `input "name"`); the server finds the rest (a string of the
// object, in a jsonb document or in a host table's column), and Err is then
// its error. Nothing was stored. In a document
// store, encoding/json has already replaced invalid UTF-8 in the object's
// strings (and in a record's Inputs) with U+FFFD, so only a NUL byte is
// refused there; a host table's text column refuses both.
//
// It matches ErrUnstorable. An id that cannot be stored cannot have been
// stored either: a Load, Delete or Finish of one is actions.ErrNotFound,
// and a journal lookup by one finds nothing.
type UnstorableError struct {
	Field string // what holds the value: "object id", "actor id", `input "reason"`, `object "T-1"`, ...
	Value string // the value, when the package found it; "" when the server did
	Err   error  // the server's error (a *pgconn.PgError), or nil
}

// Error says what cannot be stored, and why.
func (e *UnstorableError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("postgres: %s cannot be stored: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("postgres: %s %q cannot be stored: PostgreSQL keeps only UTF-8 text without NUL bytes", e.Field, e.Value)
}

// Is reports whether target is ErrUnstorable.
func (e *UnstorableError) Is(target error) bool { return target == ErrUnstorable }

// Unwrap returns the server's error, if any.
func (e *UnstorableError) Unwrap() error { return e.Err }

// storable reports whether PostgreSQL can keep s as text: valid UTF-8
// without a NUL byte.
func storable(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// unstorable returns err as an *UnstorableError of field if it is the
// server's refusal of a character: invalid UTF-8 or a NUL byte in text
// (22021), or \u0000 in jsonb (22P05).
func unstorable(err error, field string) (*UnstorableError, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05") {
		return &UnstorableError{Field: field, Err: err}, true
	}
	return nil, false
}
