package conditions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/actionable-go/actionable/conditions"
)

// FuzzCompile checks that no rule text makes Compile, Evaluate or Explain
// panic or run away, that every error is a *conditions.Error with a
// position inside the source, and that Evaluate and Explain agree. Each
// evaluation has a deadline: the limits, or the context, must end it.
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
		nestedLoops,
		repeatRepeat,
		doubling40,
		`all(Tags, {all(Tags, # in Tags)}) && join(map(Tags, upper(#)), ",") contains "B"`,
		`Status + Type matches ("^" + Status) && toJSON(Data) != string(Tags)`,
		`reduce(split(Status, ""), #acc + #, "") == Status && len(replace(Status, "", "-")) > 0`,
	} {
		f.Add(src)
	}
	env := benchEnv()
	lines := func(src string) int { return strings.Count(src, "\n") + 1 }
	check := func(t *testing.T, what, src string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		var ce *conditions.Error
		if !errors.As(err, &ce) {
			t.Fatalf("%s(%q) error %T is not a *conditions.Error: %v", what, src, err, err)
		}
		if ce.Line < 0 || ce.Line > lines(src) {
			t.Fatalf("%s(%q) error on line %d of %d", what, src, ce.Line, lines(src))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		cond, err := conditions.Compile(src, Env{})
		if err != nil {
			check(t, "Compile", src, err)
			return
		}
		evaluate, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		got, err := cond.Evaluate(evaluate, env)
		check(t, "Evaluate", src, err)
		explain, cancel2 := context.WithTimeout(context.Background(), time.Second)
		defer cancel2()
		why, err2 := cond.Explain(explain, env)
		check(t, "Explain", src, err2)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Compile(%q): Evaluate error %v but Explain error %v", src, err, err2)
		}
		if err == nil && why.Result != got {
			t.Fatalf("Compile(%q): Evaluate = %v but Explain.Result = %v", src, got, why.Result)
		}
		_ = why.String()
	})
}
