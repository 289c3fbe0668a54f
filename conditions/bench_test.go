package conditions_test

import (
	"context"
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
