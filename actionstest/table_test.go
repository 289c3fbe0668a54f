package actionstest_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actionstest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with the file testdata/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestRunTable runs a passing table with a real *testing.T: every case is a
// subtest.
func TestRunTable(t *testing.T) {
	actionstest.RunTable(t, taskCatalog(), "testdata/tasks.json")
}

// TestRunTableFailures runs a table whose expectations are wrong: every
// wrong case is reported with its name and a diff.
func TestRunTableFailures(t *testing.T) {
	tb := runTB(func(t testing.TB) { actionstest.RunTable(t, taskCatalog(), "testdata/wrong.json") })
	if !tb.finished {
		t.Error("RunTable stopped early")
	}
	golden(t, "wrong.failures.txt", []byte(strings.Join(tb.messages(), "\n\n")+"\n"))
	want := []string{"to accept the current behaviour as expected, rewrite testdata/wrong.json with actionstest.Update(true) (usually: go test -update)"}
	if diff := cmp.Diff(want, tb.logs); diff != "" {
		t.Errorf("logs mismatch (-want +got):\n%s", diff)
	}
}

// TestRunTableUpdate rewrites a wrong table, which then passes; rewriting
// it again changes nothing.
func TestRunTableUpdate(t *testing.T) {
	src, err := os.ReadFile("testdata/wrong.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "table.json")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	cat := taskCatalog()

	tb := runTB(func(t testing.TB) { actionstest.RunTable(t, cat, path, actionstest.Update(true)) })
	if msgs := tb.messages(); len(msgs) > 0 || !tb.finished {
		t.Fatalf("update failed: %q", msgs)
	}
	if want := []string{"rewrote " + path}; !cmp.Equal(want, tb.logs) {
		t.Errorf("logs = %q, want %q", tb.logs, want)
	}
	updated, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "wrong.updated.json", updated)

	tb = runTB(func(t testing.TB) { actionstest.RunTable(t, cat, path) })
	if msgs := tb.messages(); len(msgs) > 0 {
		t.Errorf("the updated table fails: %q", msgs)
	}

	tb = runTB(func(t testing.TB) { actionstest.RunTable(t, cat, path, actionstest.Update(true)) })
	if len(tb.messages()) > 0 || len(tb.logs) > 0 {
		t.Errorf("a second update reported %q, logged %q", tb.messages(), tb.logs)
	}
	again, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(updated), string(again)); diff != "" {
		t.Errorf("a second update changed the table (-first +second):\n%s", diff)
	}

	tb = runTB(func(t testing.TB) { actionstest.RunTable(t, cat, path, actionstest.Update(false)) })
	if msgs := tb.messages(); len(msgs) > 0 {
		t.Errorf("Update(false) fails: %q", msgs)
	}
}

// TestRunTableErrors covers tables that cannot be run: the whole table is
// refused with Fatalf, a bad case fails alone.
func TestRunTableErrors(t *testing.T) {
	const object = `"object": {"title": "x", "status": "new", "priority": 2}`
	tests := []struct {
		name    string
		table   string // "" for a missing file
		want    []string
		stopped bool
	}{
		{
			name:    "missing file",
			want:    []string{"fatal: actionstest: open TABLE: no such file or directory"},
			stopped: true,
		},
		{
			name:    "not JSON",
			table:   `{"cases": [`,
			want:    []string{"fatal: actionstest: TABLE: unexpected EOF"},
			stopped: true,
		},
		{
			name:    "unknown key",
			table:   `{"cases": [{"name": "a", "applicabel": []}]}`,
			want:    []string{`fatal: actionstest: TABLE: json: unknown field "applicabel"`},
			stopped: true,
		},
		{
			name:    "trailing data",
			table:   `{"cases": []} {}`,
			want:    []string{"fatal: actionstest: TABLE: unexpected data after the JSON value"},
			stopped: true,
		},
		{
			name:    "case without a name",
			table:   `{"cases": [{"applicable": []}]}`,
			want:    []string{"fatal: actionstest: TABLE: case 0 has no name"},
			stopped: true,
		},
		{
			name:    "duplicate case",
			table:   `{"cases": [{"name": "a", "applicable": []}, {"name": "a", "applicable": []}]}`,
			want:    []string{`fatal: actionstest: TABLE: two cases are named "a"`},
			stopped: true,
		},
		{
			name:    "actors not an object",
			table:   `{"actors": [], "cases": []}`,
			want:    []string{`fatal: actionstest: TABLE: "actors" must be an object of actors by name`},
			stopped: true,
		},
		{
			name:    "unknown key in an actor",
			table:   `{"actors": {"a": {"id": "a", "role": "x"}}, "cases": []}`,
			want:    []string{`fatal: actionstest: TABLE: actor "a": json: unknown field "role"`},
			stopped: true,
		},
		{
			name:    "actor defined twice",
			table:   `{"actors": {"a": {"id": "a"}, "a": {"id": "b"}}, "cases": []}`,
			want:    []string{`fatal: actionstest: TABLE: actor "a" is defined twice`},
			stopped: true,
		},
		{
			name: "bad cases fail alone",
			table: `{"cases": [
				{"name": "unknown field", "object": {"titel": "x"}, "applicable": []},
				{"name": "unknown actor", ` + object + `, "actor": "bob", "applicable": []},
				{"name": "bad actor", ` + object + `, "actor": {"id": 1}, "applicable": []},
				{"name": "nothing to check", ` + object + `},
				{"name": "good", ` + object + `, "applicable": ["escalate"]}
			]}`,
			want: []string{
				`error: unknown field: object: json: unknown field "titel"`,
				`error: unknown actor: actor "bob" is not in the table's actors`,
				`error: bad actor: actor: json: cannot unmarshal number into Go struct field tableActor.id of type string`,
				`error: nothing to check: the case has neither "applicable" nor "apply"`,
			},
		},
		{
			name:  "unknown action",
			table: `{"cases": [{"name": "fly", ` + object + `, "apply": "fly", "error": "actions: action \"fly\" not found"}]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "table.json")
			if tc.table != "" {
				if err := os.WriteFile(path, []byte(tc.table), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tb := runTB(func(t testing.TB) { actionstest.RunTable(t, taskCatalog(), path) })
			got := tb.messages()
			for i := range got {
				got[i] = strings.ReplaceAll(got[i], path, "TABLE")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("failures mismatch (-want +got):\n%s", diff)
			}
			if tb.finished == tc.stopped {
				t.Errorf("returned = %v, want %v", tb.finished, !tc.stopped)
			}
		})
	}
}
