package actionstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
)

// TestTableAgreesWithExecute runs every "apply" case of a passing table
// through a real Engine.Execute, on a store holding the case's object, and
// checks that Execute's outcome is the one the table records: the same
// error text for a refusal (a permission refusal included), the same
// violations, the same changes. RunTable decides without a store; if its
// decision or wording ever parted from Execute's, this test would say so.
func TestTableAgreesWithExecute(t *testing.T) {
	data, err := os.ReadFile("testdata/tasks.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Actors map[string]actions.Actor `json:"actors"`
		Cases  []struct {
			Name       string          `json:"name"`
			Object     Task            `json:"object"`
			Actor      json.RawMessage `json:"actor"`
			Apply      string          `json:"apply"`
			Inputs     actions.Inputs  `json:"inputs"`
			Changes    []jsonChange    `json:"changes"`
			Violations []struct {
				Field string `json:"field"`
				Rule  string `json:"rule"`
			} `json:"violations"`
			Error string `json:"error"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, c := range table.Cases {
		if c.Apply == "" {
			continue
		}
		applied++
		t.Run(c.Name, func(t *testing.T) {
			var actor actions.Actor
			var name string
			if json.Unmarshal(c.Actor, &name) == nil {
				actor = table.Actors[name]
			} else if err := json.Unmarshal(c.Actor, &actor); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			store := actions.NewMemoryStore[Task]()
			if _, err := store.Create(ctx, "T-1", c.Object); err != nil {
				t.Fatal(err)
			}
			engine, err := actions.New(taskCatalog(), store)
			if err != nil {
				t.Fatal(err)
			}
			res, err := engine.Execute(ctx, actions.Request{ActionID: c.Apply, ObjectID: "T-1", Version: 1, Actor: actor, Inputs: c.Inputs})
			var ve *actions.ValidationError
			switch {
			case c.Error != "":
				if err == nil || err.Error() != c.Error {
					t.Errorf("Execute error = %v\nthe table says %s", err, c.Error)
				}
			case len(c.Violations) > 0:
				if !errors.As(err, &ve) {
					t.Fatalf("Execute error = %v, the table says the result is invalid", err)
				}
				var got []string
				for _, v := range ve.Violations {
					got = append(got, v.Field+" "+v.Rule)
				}
				var want []string
				for _, v := range c.Violations {
					want = append(want, v.Field+" "+v.Rule)
				}
				slices.Sort(got) // the table lists violations in any order
				slices.Sort(want)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("violations mismatch (-table +Execute):\n%s", diff)
				}
			default:
				if err != nil {
					t.Fatalf("Execute: %v", err)
				}
				if diff := cmp.Diff(c.Changes, jsonChanges(t, res.Changes)); diff != "" {
					t.Errorf("changes mismatch (-table +Execute):\n%s", diff)
				}
			}
		})
	}
	if applied < 4 {
		t.Fatalf("the table has %d apply cases; it should cover a change, a violation, a refusal and a permission refusal", applied)
	}
}

// jsonChange is a change as JSON values, so that 80 and 80.0 compare equal.
type jsonChange struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

func jsonChanges(t *testing.T, changes []actions.FieldChange) []jsonChange {
	t.Helper()
	data, err := json.Marshal(changes)
	if err != nil {
		t.Fatal(err)
	}
	var out []struct {
		Field string
		Old   any
		New   any
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	res := make([]jsonChange, len(out))
	for i, c := range out {
		res[i] = jsonChange(c)
	}
	return res
}
