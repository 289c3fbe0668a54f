package actions_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/actionable-go/actionable/actions"
)

// FuzzLoadJSON checks that no rule file makes LoadJSON panic, that a
// failure is a *LoadError with at least one problem, and that what loads can
// be resolved, explained and applied without a panic.
func FuzzLoadJSON(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"actions": []}`,
		`{"actions": null}`,
		`{}`,
		`[]`,
		`null`,
		``,
		`{"actions": [{"id": "a", "name": "A", "changes": [{"field": "due", "expr": "now() + days(Priority)"}]}]}`,
		`{"actions": [{"id": "a", "name": "A", "changes": [{"field": "percentageDone", "expr": "Estimate / Count"}]}]}`,
		`{"actions": [{"id": "a", "name": "A", "changes": [{"field": "assignee", "expr": "Labels.owner ?? nil"}]}]}`,
		`{"actions": [{"id": "a", "name": "A", "condition": "all(Tags, # startsWith \"b\")", "reserved": true, "permission": "*"}]}`,
		`{"actions": [{"id": "a", "name": "A", "postConditions": [{"expr": "Priority > 0", "message": "m", "field": "priority"}]}]}`,
		`{"actions": [{"id": "a", "name": "A", "workflow": {"field": "stage", "from": ["triage", ""], "to": ""}, "policy": "Once"}]}`,
		`{"actions": [{"id": "a", "name": "A", "policy": "OncePerUser", "effects": ["notify", "notify"]}]}`,
		`{"actions": [{"id": "\u0000", "name": "\ud800", "position": -9223372036854775808}]}`,
		`{"actions": [{"id": "a", "name": "A", "position": 1e400}]}`,
		`{"actions": [{"id": "a", "name": "A", "changes": [{"field": "points", "expr": "1 << 70"}]}]}`,
		`{"actions": [{"id": "a"}, {"id": "a"}, {"id": "a", "id": "b"}]}`,
		`{"actions": [{"workflow": null, "changes": null, "effects": [null]}]}`,
		`{"actions": [[]], "actions": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := actions.LoadJSON[Ticket](bytes.NewReader(data), notify)
		if err != nil {
			if cat != nil {
				t.Fatalf("LoadJSON returned a catalog and an error: %v", err)
			}
			le, ok := errorAs[*actions.LoadError](err)
			if !ok {
				t.Fatalf("LoadJSON error %T is not a *LoadError: %v", err, err)
			}
			if len(le.Problems) == 0 {
				t.Fatal("LoadJSON returned a *LoadError without problems")
			}
			_ = err.Error()
			return
		}
		ctx := context.Background()
		store := actions.NewMemoryStore[Ticket]()
		if _, err := store.Create(ctx, "T-1", newTicket()); err != nil {
			t.Fatal(err)
		}
		engine, err := actions.New(cat, store)
		if err != nil {
			t.Fatal(err)
		}
		obj := newTicket()
		if _, err := engine.Resolve(ctx, "T-1", obj, ann, actions.IncludeReserved(true)); err != nil {
			return // a condition may fail at run time
		}
		for _, a := range cat.Actions() {
			why, err := engine.Explain(ctx, a.ID(), "T-1", obj, ann)
			if err == nil {
				for _, r := range why {
					_ = r.String()
				}
			}
			_, _ = cat.Apply(ctx, a.ID(), obj, ann)
		}
	})
}
