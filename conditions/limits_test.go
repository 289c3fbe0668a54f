package conditions_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/conditions"
)

// maxHeapGrowth is what a pathological rule may allocate before it fails.
const maxHeapGrowth = 64 << 20

// allocated runs f and returns how many bytes it allocated, garbage
// included: an upper bound of how much it grew the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The rules of issue 14: each took the process down, or ran for seconds and
// gigabytes, before the limits.
var (
	million       = strings.Repeat("(", 1_000_000) + "true" + strings.Repeat(")", 1_000_000)
	nestedArrays  = strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + " != nil"
	bangs         = strings.Repeat("!", 100_000) + "true"
	nestedLoops   = `let l = split(repeat(",", 30000), ","); all(l, {all(l, {true})})`
	repeatRepeat  = `repeat(repeat("x", 999999), 999999) != ""`
	doubling40    = `reduce(1..40, #acc + #acc, "x") != ""`
	doubling30    = `reduce(1..30, #acc + #acc, "x") != ""`
	slowPattern   = `repeat("a", 900000) matches ("(a|b)*" + repeat("(a|b)", 150) + "c")`
	scanInLoop    = `let s = repeat("a", 900000); let l = split(repeat(",", 30000), ","); all(l, {not (s contains "b")})`
	inInLoop      = `let l = split(repeat(",", 30000), ","); all(l, {"x" not in l})`
	aliasedJSON   = `let l = 1..100000; len(toJSON(map(1..1000, l))) > 0`
	aliasedString = `let l = 1..100000; len(string(map(1..1000, l))) > 0`
	joinGrows     = `let l = split(repeat(",", 100000), ","); join(l, repeat("x", 100000)) != ""`
	splitGrows    = `len(split(repeat("ab", 450000), "")) > 0`
	replaceGrows  = `replace(repeat("a", 100000), "a", repeat("b", 1000)) != ""`
	bigPattern    = `Status matches "` + strings.Repeat(`\\pL`, 1000) + `"`
	computedBig   = `Status matches repeat("\\pL", 1000)`
	concatAliases = `let l = 1..100000; len(concat(l, l, l, l, l, l, l, l, l, l, l, l)) > 0`
	flattenGrows  = `let l = 1..100000; len(flatten(map(1..100, l))) > 0`
	hostInLoop    = `len(map(1..1000, pad(#))) > 0`
)

// pad is a host function that returns 100 KB, whatever its argument.
var pad = conditions.Function("pad", func(...any) (any, error) { return strings.Repeat("x", 100_000), nil }, new(func(int) string))

func TestPathologicalRulesAreBounded(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts []conditions.Option
		want error
		// atCompile: the error comes from Compile (and Parse, when
		// parse is set); otherwise from Evaluate.
		atCompile, parse bool
	}{
		{name: "a million parentheses", src: million, want: conditions.ErrTooLong, atCompile: true, parse: true},
		{name: "a million parentheses under a raised length", src: million, opts: []conditions.Option{conditions.MaxLength(3_000_000)}, want: conditions.ErrTooDeep, atCompile: true, parse: true},
		{name: "100,000 nested arrays", src: nestedArrays, want: conditions.ErrTooLong, atCompile: true, parse: true},
		{name: "100,000 nested arrays under a raised length", src: nestedArrays, opts: []conditions.Option{conditions.MaxLength(300_000)}, want: conditions.ErrTooDeep, atCompile: true, parse: true},
		{name: "100,000 negations under a raised length", src: bangs, opts: []conditions.Option{conditions.MaxLength(300_000)}, want: conditions.ErrTooManyNodes, atCompile: true, parse: true},
		{name: "a constant pattern over the limit", src: bigPattern, want: conditions.ErrTooLong, atCompile: true},
		{name: "nested loops", src: nestedLoops, want: conditions.ErrTooManySteps},
		{name: "repeat of repeat", src: repeatRepeat, want: conditions.ErrMemoryBudget},
		{name: "doubling 40 times", src: doubling40, want: conditions.ErrMemoryBudget},
		{name: "doubling 30 times", src: doubling30, want: conditions.ErrMemoryBudget},
		{name: "a slow pattern", src: slowPattern, want: conditions.ErrTooManySteps},
		{name: "a computed pattern over the limit", src: computedBig, want: conditions.ErrTooLong},
		{name: "a scan in a loop", src: scanInLoop, want: conditions.ErrTooManySteps},
		{name: "in in a loop", src: inInLoop, want: conditions.ErrTooManySteps},
		{name: "toJSON of an aliased list", src: aliasedJSON, want: conditions.ErrTooManySteps},
		{name: "string of an aliased list", src: aliasedString, want: conditions.ErrTooManySteps},
		{name: "join with a long glue", src: joinGrows, want: conditions.ErrMemoryBudget},
		{name: "split into runes", src: splitGrows, want: conditions.ErrMemoryBudget},
		{name: "replace that grows", src: replaceGrows, want: conditions.ErrMemoryBudget},
		{name: "concat of aliases", src: concatAliases, want: conditions.ErrTooManySteps},
		{name: "flatten of aliases", src: flattenGrows, want: conditions.ErrTooManySteps},
		{name: "a host function in a loop", src: hostInLoop, opts: []conditions.Option{pad}, want: conditions.ErrMemoryBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var compileErr, parseErr, evalErr error
			start := time.Now()
			bytes := allocated(func() {
				var cond *conditions.Condition
				cond, compileErr = conditions.Compile(tt.src, Env{}, tt.opts...)
				if tt.parse {
					parseErr = conditions.Parse(tt.src, tt.opts...)
				}
				if compileErr == nil {
					_, evalErr = cond.Evaluate(context.Background(), Env{Status: "new"})
				}
			})
			t.Logf("%v, %d KiB allocated", time.Since(start).Round(time.Millisecond), bytes>>10)
			got := evalErr
			if tt.atCompile {
				got = compileErr
			} else if compileErr != nil {
				t.Fatalf("Compile: %.300v", compileErr)
			}
			if !errors.Is(got, tt.want) {
				t.Fatalf("error = %.300v, want %v", got, tt.want)
			}
			var ce *conditions.Error
			if !errors.As(got, &ce) {
				t.Errorf("error %T is not a *conditions.Error", got)
			}
			if tt.parse && !errors.Is(parseErr, tt.want) {
				t.Errorf("Parse error = %.300v, want %v", parseErr, tt.want)
			}
			if bytes > maxHeapGrowth {
				t.Errorf("allocated %d MiB, want at most %d", bytes>>20, maxHeapGrowth>>20)
			}
		})
	}
}

func TestLimitErrorPosition(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts []conditions.Option
		want position
	}{
		{
			name: "too deep",
			src:  "Priority > 1 &&\n  ((Status == \"new\"))",
			opts: []conditions.Option{conditions.MaxDepth(1)},
			want: position{Line: 2, Column: 4, Snippet: ` |   ((Status == "new"))` + "\n | ...^"},
		},
		{
			name: "too long",
			src:  `Status == "new"`,
			opts: []conditions.Option{conditions.MaxLength(10)},
			want: position{},
		},
		{
			name: "too many steps",
			src:  `Priority > 1 && all(1..100, # > 0)`,
			opts: []conditions.Option{conditions.MaxSteps(10)},
			want: position{Line: 1, Column: 17, Snippet: " | Priority > 1 && all(1..100, # > 0)\n | ................^"},
		},
		{
			name: "too much memory",
			src:  `Priority > 1 && Status + Status != ""`,
			opts: []conditions.Option{conditions.MemoryBudget(1)},
			want: position{Line: 1, Column: 24, Snippet: " | Priority > 1 && Status + Status != \"\"\n | .......................^"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cond, err := conditions.Compile(tt.src, Env{}, tt.opts...)
			if err == nil {
				_, err = cond.Evaluate(context.Background(), Env{Priority: 2, Status: "new"})
			}
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want a *conditions.Error", err)
			}
			if diff := cmp.Diff(tt.want, position{ce.Line, ce.Column, ce.Snippet}); diff != "" {
				t.Errorf("position mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimitsLetBusinessRulesThrough(t *testing.T) {
	// Rules with loops, strings and patterns, well inside the defaults.
	srcs := []string{
		`all(Tags, # startsWith "b" || # == "urgent") && any(Actor.Roles, # in ["manager", "admin"])`,
		`len(filter(1..Priority, # % 2 == 0)) == 1 && sum(map(Tags, len(#))) == 13`,
		`join(map(Tags, upper(#)), ", ") == "BACKEND, URGENT" && lower(Status) + "!" == "new!"`,
		`Owner.Name matches "^[a-z]+$" && Status matches ("^" + "n")`,
		`reduce(Tags, #acc + len(#), 0) == 13 && toJSON(Tags) contains "backend" && string(Priority) == "3"`,
		`count(split("a,b,c", ","), # != "") == 3 && replace(Status, "e", "E") == "nEw" && repeat("ab", 3) == "ababab"`,
		`len(keys(Data)) == 1 && values(Data)[0] == "core" && len(toPairs(Data)) == 1 && fromPairs([["a", 1]]).a == 1`,
		`len(concat(Tags, Tags)) == 4 && len(flatten([Tags, [Tags]])) == 4 && uniq(concat(Tags, Tags)) == Tags`,
		`sort(Tags) == Tags && reverse(Tags)[0] == "urgent" && fromJSON(toJSON(Tags))[1] == "urgent"`,
		`fromBase64(toBase64(Status)) == Status && trim("  " + Status) == Status && indexOf(Status, "w") == 2`,
		`groupBy(Tags, len(#) > 6)[true][0] == "backend" && sortBy(Tags, -len(#))[0] == "backend"`,
		`max(map(Tags, len(#))) == 7 && mean(1..3) == 2.0 && median(1..3) == 2.0 && min(1, 2) == 1`,
		`all(1..100, {let x = # * 2; all(1..100, x + # > 0)})`, // 10,100 steps
		strings.Repeat("(", 60) + "Priority > 1" + strings.Repeat(")", 60),
	}
	for _, src := range srcs {
		t.Run(src, func(t *testing.T) {
			cond, err := conditions.Compile(src, Env{})
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			ok, err := cond.Evaluate(context.Background(), benchEnv())
			if err != nil || !ok {
				t.Fatalf("Evaluate = %v, %v, want true", ok, err)
			}
			// Metering changes neither the result nor its type: expr alone
			// agrees.
			program, err := expr.Compile(src, expr.Env(Env{}), expr.AsBool())
			if err != nil {
				t.Fatal(err)
			}
			if want, err := expr.Run(program, benchEnv()); err != nil || want != true {
				t.Fatalf("expr.Run = %v, %v", want, err)
			}
		})
	}
}

func TestMeteringKeepsTypes(t *testing.T) {
	srcs := []string{
		`map(Tags, upper(#))`,
		`filter(Tags, # startsWith "b")`,
		`reduce(Tags, #acc + #, "")`,
		`reduce(1..Priority, #acc + #)`,
		`Status + "x"`,
		`repeat(Status, 2)`,
		`split(Status, ",")`,
		`sum(1..Priority)`,
		`sum(Tags, len(#))`,
		`count(Tags, # == "x")`,
		`toJSON(Tags)`,
		`Status matches "^n"`,
		`groupBy(Tags, #)`,
		`sortBy(Tags, #)`,
		`findIndex(Tags, # == "a")`,
		`find(Tags, # == "a")`,
		`filter(Tags, # != "") | map(# + "!")`,
		`let s = Status + Type; all(Tags, # != s) ? s : Type`,
	}
	for _, src := range srcs {
		t.Run(src, func(t *testing.T) {
			e, err := conditions.CompileExpression(src, Env{})
			if err != nil {
				t.Fatalf("CompileExpression: %v", err)
			}
			program, err := expr.Compile(src, expr.Env(Env{}))
			if err != nil {
				t.Fatal(err)
			}
			want := program.Node().Type()
			if want.Kind() == reflect.Interface {
				want = nil
			}
			if got := e.Type(); got != want {
				t.Errorf("Type() = %v, want %v, as expr types it", got, want)
			}
			got, err := e.Run(context.Background(), benchEnv())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			exp, err := expr.Run(program, benchEnv())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(exp, got); diff != "" {
				t.Errorf("result mismatch with expr's (-expr +metered):\n%s", diff)
			}
		})
	}
}

func TestMeterCannotBeNamed(t *testing.T) {
	for _, src := range []string{`@meter == nil`, `let x = @meter; true`, `@step(nil) == nil`} {
		t.Run(src, func(t *testing.T) {
			_, err := conditions.Compile(src, Env{})
			var ce *conditions.Error
			if !errors.As(err, &ce) || ce.Line != 1 || ce.Column == 0 {
				t.Fatalf("Compile(%q) = %v, want a syntax error", src, err)
			}
		})
	}
	t.Run("as a host function", func(t *testing.T) {
		_, err := conditions.Compile(`true`, Env{}, conditions.Function("@step", func(...any) (any, error) { return nil, nil }))
		if err == nil {
			t.Fatal("Compile with a function named @step succeeded")
		}
	})
}

func TestStepsArePerEvaluation(t *testing.T) {
	// 600 steps under a limit of 1,000: a count shared between
	// evaluations, sequential on pooled VMs or concurrent, would exceed it.
	cond := conditions.MustCompile(`all(1..600, # > 0)`, Env{}, conditions.MaxSteps(1000))
	var wg sync.WaitGroup
	errs := make(chan error, 8*50)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if _, err := cond.Evaluate(context.Background(), Env{}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Evaluate: %v", err)
	}
	tight := conditions.MustCompile(`all(1..600, # > 0)`, Env{}, conditions.MaxSteps(500))
	if _, err := tight.Evaluate(context.Background(), Env{}); !errors.Is(err, conditions.ErrTooManySteps) {
		t.Fatalf("tight Evaluate error = %v, want ErrTooManySteps", err)
	}
	if _, err := cond.Evaluate(context.Background(), Env{}); err != nil {
		t.Fatalf("Evaluate after tight: %v", err)
	}
}

func TestContextStopsALongEvaluation(t *testing.T) {
	// Only the context can stop this one: its step limit is out of reach.
	e, err := conditions.CompileExpression(nestedLoops, Env{}, conditions.MaxSteps(math.MaxUint))
	if err != nil {
		t.Fatal(err)
	}
	cond := conditions.MustCompile(nestedLoops, Env{}, conditions.MaxSteps(math.MaxUint))
	runs := map[string]func(ctx context.Context) error{
		"Run":      func(ctx context.Context) error { _, err := e.Run(ctx, Env{}); return err },
		"Evaluate": func(ctx context.Context) error { _, err := cond.Evaluate(ctx, Env{}); return err },
		"Explain":  func(ctx context.Context) error { _, err := cond.Explain(ctx, Env{}); return err },
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := run(ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want context.DeadlineExceeded", err)
			}
			var ce *conditions.Error
			if !errors.As(err, &ce) || ce.Message != "evaluation cancelled" {
				t.Errorf("error = %#v, want a *conditions.Error for a cancelled evaluation", err)
			}
		})
	}
}
