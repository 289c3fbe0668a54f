// Package adaptertest holds the test helpers the HTTP adapters share:
// golden files, rewritten when the tests run with -update,
//
//	go test ./adapters/akana/ -update
//
// and a logger whose lines a test can compare. Only tests import it: it
// registers the -update flag.
package adaptertest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Golden compares got with the file at path, the whole of it, and reports
// a mismatch as a diff (-want +got). With -update it writes got to path
// instead, creating its directory.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// Log is a logger's output, safe for concurrent use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the log.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns every line logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// NewLogger returns a logger that writes text lines to the returned Log,
// without the time, and with a stack (of a panic) as "stack=…", so that a
// test can compare whole lines.
func NewLogger() (*slog.Logger, *Log) {
	l := &Log{}
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey:
			return slog.Attr{}
		case "stack":
			a.Value = slog.StringValue("…")
		}
		return a
	}})), l
}

// ConflictingStore is a memory store (and journal) whose next Conflicts
// saves fail with actions.ErrConflict, as if a concurrent change had won
// the race each time: what an adapter's retries are tested with. It is
// safe for concurrent use.
type ConflictingStore[T any] struct {
	*actions.MemoryStore[T]
	Conflicts atomic.Int32
}

// NewConflictingStore returns a ConflictingStore over m whose next n saves
// fail.
func NewConflictingStore[T any](m *actions.MemoryStore[T], n int) *ConflictingStore[T] {
	s := &ConflictingStore[T]{MemoryStore: m}
	s.Conflicts.Store(int32(n))
	return s
}

// Save fails with actions.ErrConflict while Conflicts is above zero, and
// counts it down; then it saves.
func (s *ConflictingStore[T]) Save(ctx context.Context, id string, obj T, expected int64, rec *actions.Execution) (int64, error) {
	if s.Conflicts.Add(-1) >= 0 {
		return 0, fmt.Errorf("%w: simulated", actions.ErrConflict)
	}
	return s.MemoryStore.Save(ctx, id, obj, expected, rec)
}
