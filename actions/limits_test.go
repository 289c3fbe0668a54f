package actions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/conditions"
)

// ruleFile returns a rule file of one action, "hostile", with condition
// cond and, if change is not empty, a change of the title to it.
func ruleFile(t *testing.T, cond, change string) []byte {
	t.Helper()
	a := map[string]any{"id": "hostile", "name": "Hostile", "condition": cond}
	if change != "" {
		a["changes"] = []map[string]string{{"field": "title", "expr": change}}
	}
	data, err := json.Marshal(map[string]any{"actions": []any{a}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRuleFileOverTheLimits: a rule file whose expressions would overflow
// the stack of the parser (or take seconds and gigabytes to refuse) is a
// *LoadError naming the action and the key, with the limit as the cause.
func TestRuleFileOverTheLimits(t *testing.T) {
	parens := strings.Repeat("(", 1_000_000) + "true" + strings.Repeat(")", 1_000_000)
	arrays := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	tests := []struct {
		name         string
		cond, change string
		opts         []actions.CompileOption
		key          string
		want         error
	}{
		{name: "a million parentheses", cond: parens, key: "condition", want: conditions.ErrTooLong},
		{
			name: "a million parentheses under a raised length", cond: parens, key: "condition", want: conditions.ErrTooDeep,
			opts: []actions.CompileOption{actions.WithConditionOptions(conditions.MaxLength(3_000_000))},
		},
		{name: "100,000 nested arrays in a change", cond: "true", change: `string(` + arrays + `)`, key: "changes[0].expr", want: conditions.ErrTooLong},
		{
			name: "100,000 nested arrays in a change under a raised length", cond: "true", change: `string(` + arrays + `)`, key: "changes[0].expr", want: conditions.ErrTooDeep,
			opts: []actions.CompileOption{actions.WithConditionOptions(conditions.MaxLength(300_000))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := ruleFile(t, tt.cond, tt.change)
			var err error
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = actions.LoadJSON[Ticket](bytes.NewReader(data), tt.opts...)
			runtime.ReadMemStats(&after)
			var le *actions.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("LoadJSON error = %.300v, want a *LoadError", err)
			}
			if len(le.Problems) != 1 {
				t.Fatalf("%d problems, want 1: %.300v", len(le.Problems), err)
			}
			p := le.Problems[0]
			if p.ActionID != "hostile" || p.Key != tt.key || !errors.Is(p.Err, tt.want) {
				t.Errorf("problem = {%q %q %.200v}, want {hostile %q %v}", p.ActionID, p.Key, p.Err, tt.key, tt.want)
			}
			var ce *conditions.Error
			if !errors.As(p.Err, &ce) {
				t.Errorf("problem error %T is not a *conditions.Error", p.Err)
			}
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
				t.Errorf("LoadJSON allocated %d MiB, want at most 64", grown>>20)
			}
		})
	}
}

// nestedLoops runs for 35 seconds without limits.
const nestedLoops = `let l = split(repeat(",", 30000), ","); all(l, {all(l, {true})})`

// TestResolveStopsALongCondition: a condition over the step limit is a
// rule failure, which refuses its action; a context that ends while a
// condition runs ends the whole Resolve, however long the condition.
func TestResolveStopsALongCondition(t *testing.T) {
	defs := []actions.Definition{{ID: "loops", Name: "Loops", Condition: nestedLoops}, {ID: "plain", Name: "Plain"}}
	t.Run("step limit", func(t *testing.T) {
		var failed []error
		cat := compile(t, defs)
		store := actions.NewMemoryStore[Ticket]()
		engine, err := actions.New(cat, store, actions.WithObserver(actions.ObserverFunc(func(_ context.Context, ev actions.Event) {
			if ev.Kind == actions.EventRuleFailed {
				failed = append(failed, ev.Err)
			}
		})))
		if err != nil {
			t.Fatal(err)
		}
		got, err := engine.Resolve(context.Background(), "T-1", newTicket(), ann)
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		if len(got) != 1 || got[0].ID() != "plain" {
			t.Errorf("Resolve = %v, want only plain", got)
		}
		if len(failed) != 1 || !errors.Is(failed[0], conditions.ErrTooManySteps) {
			t.Errorf("rule failures = %v, want one wrapping ErrTooManySteps", failed)
		}
	})
	t.Run("context", func(t *testing.T) {
		cat := compile(t, defs, actions.WithConditionOptions(conditions.MaxSteps(math.MaxUint)))
		engine, _ := newEngine(t, cat)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := engine.Resolve(ctx, "T-1", newTicket(), ann); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Resolve = %v, want context.DeadlineExceeded", err)
		}
	})
}
