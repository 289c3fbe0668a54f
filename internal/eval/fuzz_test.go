package eval

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzMeteringAgreesWithExpr checks that metering changes nothing but the
// limits: an expression that evaluates within them has the value, and the
// error, that expr gives it without metering.
func FuzzMeteringAgreesWithExpr(f *testing.F) {
	for _, src := range []string{
		`all(Tags, # startsWith "b") && any(Tags, # in ["x", "urgent"])`,
		`map(Tags, upper(#) + "!")`,
		`filter(1..Priority, # % 2 == 0) | map(# * 2)`,
		`reduce(Tags, #acc + #, "") + Status`,
		`reduce(1..Priority, #acc + #)`,
		`count([true, false, Priority > 1]) + count(Tags, # != "") + sum(1..Priority) + sum(Tags, len(#))`,
		`count(Tags)`,
		`groupBy(Tags, len(#))`,
		`sortBy(Tags, #, "desc")`,
		`find(Tags, # == "urgent") ?? findLast(Tags, true)`,
		`findIndex(Tags, # == "x") + findLastIndex(Tags, # != "")`,
		`split(Status + "," + Status, ",") == [Status, Status]`,
		`replace(Status, "e", "ee") + repeat("-", Priority) + join(Tags, "/")`,
		`toJSON(Data) + string(Tags) + toBase64(Status) + fromBase64(toBase64(Status))`,
		`[keys(Data), values(Data), concat(Tags, Tags), flatten([Tags, [1, [2]]])]`,
		`[toPairs(Data), fromPairs([["a", 1]]), uniq(concat(Tags, Tags)), sort(Tags), reverse(Tags)]`,
		`fromJSON(toJSON({"a": [1, 2.5, "x", nil, true]}))`,
		`Status matches "^n" && (Status + "x") matches ("^" + Status) && not (Status matches Data.team)`,
		`Data.count + 1 > 2 || Data.missing + "x" == "x" || Data.team + Data.team == "corecore"`,
		`trim("  x  ") + trimPrefix(Status, "n") + trimSuffix(Status, "w") + lower(upper(Status))`,
		`all(Tags, indexOf(#, "a") < lastIndexOf(#, "n") || hasPrefix(#, "u") && hasSuffix(#, "t"))`,
		`max(map(Tags, len(#))) + min(1, 2) + mean(1..3) + median(1..4) + int("3") + float("2.5")`,
		`map(Tags, {let t = #; t + string(#index)})`,
		`Status + 1`,
		`repeat(Status, -1)`,
		`fromJSON("{")`,
		`Status matches "("`,
		`1 + Status`,
	} {
		f.Add(src)
	}
	clock := func() time.Time { return time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC) }
	in := env{Status: "new", Priority: 3, Tags: []string{"backend", "urgent"}, Data: map[string]any{"team": "core", "count": 2}}
	limit := func(err error) bool {
		return errors.Is(err, ErrTooLong) || errors.Is(err, ErrTooDeep) || errors.Is(err, ErrTooManyNodes) ||
			errors.Is(err, ErrTooManySteps) || errors.Is(err, ErrMemoryBudget)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c := NewConfig()
		c.Clock = clock
		e, err := CompileExpression(src, env{}, c)
		if err != nil {
			return // a limit, or an expression expr refuses too (the tests of package conditions check errors)
		}
		opts := append([]expr.Option{expr.Env(env{}), expr.MaxNodes(c.MaxNodes)}, builtins(c.Clock)...)
		program, err := expr.Compile(src, opts...)
		if err != nil {
			t.Fatalf("%q compiles metered but not with expr: %v", src, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		got, err := e.Run(ctx, in)
		if limit(err) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		want, wantErr := expr.Run(program, in)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: metered error %v, expr's %v", src, err, wantErr)
		}
		if err != nil {
			return
		}
		if reflect.TypeOf(want) != reflect.TypeOf(got) {
			t.Fatalf("%q: metered %T, expr's %T", src, got, want)
		}
		if reflect.TypeOf(want) != nil && reflect.TypeOf(want).Kind() == reflect.Func {
			return
		}
		if strings.Contains(src, "keys") || strings.Contains(src, "values") || strings.Contains(src, "toPairs") {
			return // lists in the order of a map's iteration
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
			t.Fatalf("%q: result mismatch (-expr +metered):\n%s", src, diff)
		}
	})
}
