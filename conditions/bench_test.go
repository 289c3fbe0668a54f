package conditions_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/actionable-go/actionable/conditions"
)

func benchEnv() Env {
	return Env{
		Status:   "new",
		Type:     "Bug",
		Priority: 3,
		Actor:    Actor{ID: "u1", Roles: []string{"developer", "manager"}},
		Tags:     []string{"backend", "urgent"},
		Score:    0.75,
		Created:  pinned.Add(-72 * time.Hour),
		Due:      pinned.Add(48 * time.Hour),
		Owner:    &Owner{Name: "ann"},
		Data:     map[string]any{"team": "core"},
	}
}

// BenchmarkEvaluate compares Condition.Evaluate with running the same
// program with expr directly on one reused VM: the difference is the cost of
// the package (context check, env type check, VM pool).
func BenchmarkEvaluate(b *testing.B) {
	b.Run("conditions", func(b *testing.B) {
		cond := conditions.MustCompile(fourClauses, Env{})
		var env any = benchEnv()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ok, err := cond.Evaluate(ctx, env)
			if err != nil || !ok {
				b.Fatalf("Evaluate = %v, %v", ok, err)
			}
		}
	})
	b.Run("expr-direct", func(b *testing.B) {
		program, err := expr.Compile(fourClauses, expr.Env(Env{}), expr.AsBool())
		if err != nil {
			b.Fatal(err)
		}
		var env any = benchEnv()
		var v vm.VM
		b.ReportAllocs()
		for b.Loop() {
			out, err := v.Run(program, env)
			if err != nil || out != true {
				b.Fatalf("Run = %v, %v", out, err)
			}
		}
	})
}

// BenchmarkEvaluateLoop compares a condition with a loop, which the
// compiler meters (a step per iteration, see the package documentation,
// Limits), with the same program run by expr without metering.
func BenchmarkEvaluateLoop(b *testing.B) {
	const src = `all(Tags, # != "") && any(1..100, # == 100)`
	b.Run("conditions", func(b *testing.B) {
		cond := conditions.MustCompile(src, Env{})
		var env any = benchEnv()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			ok, err := cond.Evaluate(ctx, env)
			if err != nil || !ok {
				b.Fatalf("Evaluate = %v, %v", ok, err)
			}
		}
	})
	b.Run("expr-direct", func(b *testing.B) {
		program, err := expr.Compile(src, expr.Env(Env{}), expr.AsBool())
		if err != nil {
			b.Fatal(err)
		}
		var env any = benchEnv()
		var v vm.VM
		b.ReportAllocs()
		for b.Loop() {
			out, err := v.Run(program, env)
			if err != nil || out != true {
				b.Fatalf("Run = %v, %v", out, err)
			}
		}
	})
}

// BenchmarkCancellation measures how long an evaluation that only its
// context can stop runs past the context's deadline, 10 ms into its loops:
// the metric ns-past-deadline.
func BenchmarkCancellation(b *testing.B) {
	cond := conditions.MustCompile(`let l = split(repeat(",", 30000), ","); all(l, {all(l, {true})})`, Env{}, conditions.MaxSteps(math.MaxUint))
	var late time.Duration
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		deadline, _ := ctx.Deadline()
		_, err := cond.Evaluate(ctx, Env{})
		late += time.Since(deadline)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			b.Fatalf("Evaluate = %v, want context.DeadlineExceeded", err)
		}
	}
	b.ReportMetric(float64(late.Nanoseconds())/float64(b.N), "ns-past-deadline")
}

// BenchmarkEvaluatePointerEnv documents why the package asks for struct
// values: expr reads fields of a struct value faster than through a pointer.
func BenchmarkEvaluatePointerEnv(b *testing.B) {
	run := func(b *testing.B, sample, env any) {
		program, err := expr.Compile(fourClauses, expr.Env(sample), expr.AsBool())
		if err != nil {
			b.Fatal(err)
		}
		var v vm.VM
		b.ReportAllocs()
		for b.Loop() {
			out, err := v.Run(program, env)
			if err != nil || out != true {
				b.Fatalf("Run = %v, %v", out, err)
			}
		}
	}
	e := benchEnv()
	b.Run("value", func(b *testing.B) { run(b, Env{}, any(e)) })
	b.Run("pointer", func(b *testing.B) { run(b, &Env{}, any(&e)) })
}
