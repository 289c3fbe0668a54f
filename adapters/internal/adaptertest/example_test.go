package adaptertest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
)

// printer is the *testing.T of the example: it prints what Check reports.
type printer struct{ testing.TB }

func (printer) Helper()                           {}
func (printer) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (printer) Fatalf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// A test compares a whole response with its golden file under testdata/;
// go test -update rewrites the file.
func ExampleGolden() {
	dir, _ := os.MkdirTemp("", "golden")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "get-42.golden")
	_ = os.WriteFile(path, []byte("HTTP 200\n"), 0o644)

	var t printer
	adaptertest.Golden(t, path, []byte("HTTP 200\n")) // the same: nothing to report
	fmt.Println("checked")
	// Output: checked
}

// A test logs through NewLogger and compares whole lines.
func ExampleNewLogger() {
	log, lines := adaptertest.NewLogger()
	log.Error("akana: internal error", "method", "GET", "path", "/api/workflow/objects/x/actions", "error", "panic: boom", "stack", "…")
	fmt.Print(lines)
	// Output: level=ERROR msg="akana: internal error" method=GET path=/api/workflow/objects/x/actions error="panic: boom" stack=…
}
