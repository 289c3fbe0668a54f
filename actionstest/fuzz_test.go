package actionstest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzTable checks that any table the kit accepts is written back in a form
// it accepts again, and that writing is stable: formatting the formatted
// table changes nothing (so -update never makes spurious diffs).
func FuzzTable(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"actors": {"a\u0062": {"id": "<&>"}}, "cases": [{"name": "x", "actor": "ab", "apply": "y", "changes": [{"field": "f", "old": 1e2, "new": {"b": [1, "two"], "a": null}}], "error": "a \"quoted\" <tag>"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, _, err := parseTable(data)
		if err != nil {
			return
		}
		once, err := formatTable(tab)
		if err != nil {
			return // a value encoding/json cannot write back
		}
		tab2, _, err := parseTable(once)
		if err != nil {
			t.Fatalf("the formatted table does not parse: %v\n%s", err, once)
		}
		if len(tab2.Cases) != len(tab.Cases) {
			t.Fatalf("%d cases after formatting, want %d", len(tab2.Cases), len(tab.Cases))
		}
		twice, err := formatTable(tab2)
		if err != nil {
			t.Fatalf("formatting the formatted table: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("formatting is not stable:\n%s\n---\n%s", once, twice)
		}
	})
}
