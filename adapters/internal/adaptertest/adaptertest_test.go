package adaptertest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errors, fatals []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestGolden(t *testing.T) {
	if adaptertest.Updating() {
		t.Skip("-update rewrites instead of comparing")
	}
	path := filepath.Join(t.TempDir(), "answer.golden")
	if err := os.WriteFile(path, []byte("200 OK\n{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		path       string
		got        string
		wantErrors int
		wantFatals int
	}{
		{"same", path, "200 OK\n{}\n", 0, 0},
		{"different", path, "500 Internal Server Error\n{}\n", 1, 0},
		{"missing file", path + ".missing", "", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			adaptertest.Golden(rec, tt.path, []byte(tt.got))
			if len(rec.errors) != tt.wantErrors || len(rec.fatals) != tt.wantFatals {
				t.Errorf("errors %q, fatals %q; want %d and %d", rec.errors, rec.fatals, tt.wantErrors, tt.wantFatals)
			}
			if tt.wantErrors > 0 && !strings.Contains(rec.errors[0], "500 Internal Server Error") {
				t.Errorf("report %q shows no diff", rec.errors[0])
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	log, lines := adaptertest.NewLogger()
	log.Error("x: internal error", "path", "/a", "stack", "goroutine 1 [running]:\n...")
	want := "level=ERROR msg=\"x: internal error\" path=/a stack=…\n"
	if got := lines.String(); got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
}

func TestConflictingStore(t *testing.T) {
	ctx := context.Background()
	s := adaptertest.NewConflictingStore(actions.NewMemoryStore[string](), 2)
	if _, err := s.Create(ctx, "1", "a"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{actions.ErrConflict, actions.ErrConflict, nil} {
		_, err := s.Save(ctx, "1", "b", 1, nil)
		if !errors.Is(err, want) || (err == nil) != (want == nil) {
			t.Errorf("save %d: %v, want %v", i+1, err, want)
		}
	}
	if got, v, _ := s.Load(ctx, "1"); got != "b" || v != 2 {
		t.Errorf("stored %q at version %d, want \"b\" at 2", got, v)
	}
}
