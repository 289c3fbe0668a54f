package conditions_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/conditions"
)

// FuzzCompile checks that no rule text makes Compile, Evaluate or Explain
// panic, and that every compile error is a *conditions.Error with a position
// inside the source.
func FuzzCompile(f *testing.F) {
	for _, src := range []string{
		fourClauses,
		`Status == "new" and Priority > 2 or Type == "Bug"`,
		`(Status == "new" || Status == "open") && not (Priority < 2)`,
		`hasAny(Actor.Roles, "admin", "manager") && daysSince(Created) > 3`,
		`now() - days(2) > Created && daysUntil(Due) < 7`,
		`Owner.Name == "ann" || Owner?.Name == "bob"`,
		`Data.count + 1 > 2 && Data["team"] == "core"`,
		`int(Status) > 0 || float(Type) < 1.5`,
		`all(Tags, # startsWith "x") && len(filter(1..Priority, # % 2 == 0)) > 1`,
		`let p = Priority; p * p > 10`,
		`Statu == "x"`,
		`Status ==`,
		`(((Status == "new"`,
		`"ünïcödé ✓" == Status && Type matches "^[\\p{L}]+$"`,
		"Status == \"new\" &&\n\tPriority\n== 2",
		strings.Repeat("(", 50) + "true" + strings.Repeat(")", 50),
		strings.Repeat("!", 100) + "true",
		strings.Repeat("Priority > 1 && ", 40) + "true",
		`len(1..1000000) > 0`,
		"\x00\xff",
	} {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		cond, err := conditions.Compile(src, Env{})
		if err != nil {
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q) error %T is not a *conditions.Error: %v", src, err, err)
			}
			if lines := strings.Count(src, "\n") + 1; ce.Line < 0 || ce.Line > lines {
				t.Fatalf("Compile(%q) error on line %d of %d", src, ce.Line, lines)
			}
			return
		}
		ctx := context.Background()
		got, err := cond.Evaluate(ctx, Env{})
		why, err2 := cond.Explain(ctx, Env{})
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Compile(%q): Evaluate error %v but Explain error %v", src, err, err2)
		}
		if err == nil && why.Result != got {
			t.Fatalf("Compile(%q): Evaluate = %v but Explain.Result = %v", src, got, why.Result)
		}
		_ = why.String()
	})
}
