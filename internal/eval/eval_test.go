package eval

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/google/go-cmp/cmp"
)

type env struct {
	Status   string
	Priority int
	Tags     []string
	Data     map[string]any
}

// TestUnmeteredProgramsAreExprs: an expression without loops, string
// building or patterns compiles to exactly the program expr compiles, so
// that it runs at expr's speed.
func TestUnmeteredProgramsAreExprs(t *testing.T) {
	for _, src := range []string{
		`Status == "new" && Priority >= 2 && "manager" in Tags`,
		`Status in ["new", "open"] || Priority * 2 > len(Tags)`,
		`Data.count + 1 > 2 && Data["team"] == "core"`,
		`let p = Priority; p * p > 10 && hasAny(Tags, "a", "b") && now() > now() - days(2)`,
		`len(Status) > 1 ? Tags[0] == "x" : Status startsWith "n"`,
	} {
		t.Run(src, func(t *testing.T) {
			c := NewConfig()
			cond, err := Compile(src, env{}, c)
			if err != nil {
				t.Fatal(err)
			}
			if cond.expr.vars != 0 {
				t.Errorf("program is metered")
			}
			opts := append([]expr.Option{expr.Env(env{}), expr.MaxNodes(c.MaxNodes)}, builtins(c.Clock)...)
			want, err := expr.Compile(src, append(opts, expr.AsBool())...)
			if err != nil {
				t.Fatal(err)
			}
			got := cond.expr.program
			if diff := cmp.Diff(want.Bytecode, got.Bytecode); diff != "" {
				t.Errorf("bytecode mismatch (-expr +ours):\n%s", diff)
			}
			if diff := cmp.Diff(want.Arguments, got.Arguments); diff != "" {
				t.Errorf("arguments mismatch (-expr +ours):\n%s", diff)
			}
		})
	}
}

// TestMeteredProgramsJumpOverTheirDeclarations: a metered program's first
// instruction jumps over the declarations of the metering functions, so
// that the variables keep what the evaluator put there.
func TestMeteredProgramsJumpOverTheirDeclarations(t *testing.T) {
	for _, src := range []string{
		`all(Tags, # != "")`,
		`Status + "x" != ""`,
		`Status matches "^n"`,
		`len(split(Status, "")) > 0`,
		`let x = 1; let y = 2; all(Tags, {let z = x + y; z > 0})`,
	} {
		t.Run(src, func(t *testing.T) {
			cond, err := Compile(src, env{}, NewConfig())
			if err != nil {
				t.Fatal(err)
			}
			p := cond.expr.program
			if p.Bytecode[0] != vm.OpJump || p.Arguments[0] != 2*numFns-1 {
				t.Errorf("program starts with %v %d, want OpJump %d", p.Bytecode[0], p.Arguments[0], 2*numFns-1)
			}
			if cond.expr.vars < numFns {
				t.Errorf("vars = %d, want at least %d", cond.expr.vars, numFns)
			}
			if _, err := cond.Evaluate(context.Background(), env{Status: "new", Tags: []string{"a"}}); err != nil {
				t.Errorf("Evaluate: %v", err)
			}
		})
	}
}

// TestBatchStopsOnContext: a batch, which reads its context only every
// 16th evaluation, still stops a long evaluation when its context ends.
func TestBatchStopsOnContext(t *testing.T) {
	c := NewConfig()
	c.MaxSteps = math.MaxUint
	cond, err := Compile(`let l = split(repeat(",", 30000), ","); all(l, {all(l, {true})})`, env{}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	b := NewBatch(ctx, env{})
	defer b.Release()
	if _, err := b.Evaluate(cond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Evaluate = %v, want context.DeadlineExceeded", err)
	}
}

func TestMeasure(t *testing.T) {
	type node struct {
		Next *node
		Name string
	}
	cycle := &node{Name: "12345678"}
	cycle.Next = cycle
	tests := []struct {
		name  string
		v     any
		limit uint
		units uint
		depth int
	}{
		{name: "nil", v: nil, limit: 100},
		{name: "number", v: 3.5, limit: 100},
		{name: "string", v: "123456789", limit: 100, units: 2},
		{name: "strings", v: []string{"a", "123456789"}, limit: 100, units: 5, depth: 1},
		{name: "nested", v: []any{[]any{1, 2}, map[string]any{"k": "v"}}, limit: 100, units: 7, depth: 2},
		{name: "time", v: []time.Time{{}, {}}, limit: 100, units: 2, depth: 1},
		{name: "struct by reflection", v: node{Name: "12345678"}, limit: 100, units: 1, depth: 1},
		{name: "a cycle stops past the limit", v: cycle, limit: 100, units: 101, depth: 201}, // a pointer and a struct per node
		{name: "a long list stops past the limit", v: make([]any, 1000), limit: 10, units: 1000, depth: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units, depth := measure(tt.v, tt.limit)
			if diff := cmp.Diff([2]int{int(tt.units), tt.depth}, [2]int{int(units), depth}); diff != "" {
				t.Errorf("measure mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
