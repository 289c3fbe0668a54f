// Package eval is the engine room behind packages conditions and actions:
// it compiles expr expressions against a struct type, within limits that
// it checks before expr parses (limits.go) and meters as they run
// (patch.go, meter.go, metered.go), evaluates them on pooled VMs, evaluates
// many of them against one environment (a Batch), and explains a condition
// clause by clause.
//
// Package conditions wraps it for its public API; package actions uses it
// directly, for what only a resolver needs. Nothing here is API: the types a
// user of package conditions sees (Error, Clause, Value, Explanation and the
// sentinels) are declared here and aliased there, so that both packages
// produce the same values.
package eval

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Config is what compilation needs beyond the source and the environment.
// Package conditions fills it through its options. A Config is read, never
// written, once the first expression is compiled with it.
type Config struct {
	MaxNodes     uint
	MemoryBudget uint
	MaxLength    uint
	MaxDepth     uint
	MaxSteps     uint
	Clock        func() time.Time
	Funcs        []expr.Option
	// FuncNames are the names of the host functions in Funcs.
	FuncNames map[string]bool
}

// NewConfig returns a Config with the defaults.
func NewConfig() *Config {
	return &Config{
		MaxNodes:     DefaultMaxNodes,
		MemoryBudget: DefaultMemoryBudget,
		MaxLength:    DefaultMaxLength,
		MaxDepth:     DefaultMaxDepth,
		MaxSteps:     DefaultMaxSteps,
		Clock:        time.Now,
	}
}

// Now reads the clock of c.
func (c *Config) Now() time.Time { return c.Clock() }

// Expression is a compiled expr expression of any result type. It is
// immutable and safe for concurrent use.
type Expression struct {
	// What every evaluation reads comes first, in one cache line.
	envType reflect.Type
	program *vm.Program
	budget  uint
	vars    int  // of a metered program, the number of its variables, the first numFns the metering functions; 0 if not metered
	steps   uint // the step limit of a metered program
	source  string
	out     reflect.Type // static result type; nil when only known at run time
}

// EnvTypeOf accepts a sample value, a pointer to one, or a reflect.Type, and
// returns the struct type an environment must have.
func EnvTypeOf(env any) (reflect.Type, error) {
	t, ok := env.(reflect.Type)
	if !ok {
		t = reflect.TypeOf(env)
	}
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: environment must be a struct, got %v", ErrEnvType, t)
	}
	return t, nil
}

func compile(src string, env any, c *Config, extra ...expr.Option) (*Expression, error) {
	t, err := EnvTypeOf(env)
	if err != nil {
		return nil, err
	}
	if err := checkSource(src, c); err != nil {
		return nil, err
	}
	opts := []expr.Option{expr.Env(reflect.New(t).Elem().Interface()), expr.MaxNodes(c.MaxNodes)}
	opts = append(opts, builtins(c.Clock)...)
	opts = append(opts, c.Funcs...)
	opts = append(opts, extra...)
	p, vars, err := safeCompile(src, opts)
	if err != nil {
		return nil, wrapError(src, err)
	}
	e := &Expression{source: src, envType: t, program: p, budget: c.MemoryBudget, vars: vars, steps: c.MaxSteps}
	if rt := p.Node().Type(); rt != nil && rt.Kind() != reflect.Interface {
		e.out = rt
	}
	return e, nil
}

// safeCompile is expr.Compile with the metering of patch.go between the
// optimizer and the compiler, and the patterns of matches checked before
// anything compiles them. It returns the number of variables of a metered
// program (0 if it is not metered). It turns a panic inside expr (a bug
// there, or a host function signature it rejects) into an error: rule text
// must never crash the host.
func safeCompile(src string, opts []expr.Option) (p *vm.Program, vars int, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, vars, err = nil, 0, fmt.Errorf("compiler panic: %v", r)
		}
	}()
	config := conf.CreateNew()
	for _, op := range opts {
		op(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	config.Check()
	tree, err := parser.ParseWithConfig(src, config)
	if err != nil {
		return nil, 0, err
	}
	if err := checkPatterns(tree); err != nil {
		return nil, 0, err
	}
	if _, err := new(checker.Checker).PatchAndCheck(tree, config); err != nil {
		return nil, 0, err
	}
	if config.Optimize {
		if err := optimizer.Optimize(&tree.Node, config); err != nil {
			var fe *file.Error
			if errors.As(err, &fe) {
				return nil, 0, fe.Bind(tree.Source)
			}
			return nil, 0, err
		}
		if err := checkPatterns(tree); err != nil { // the optimizer folds constant strings
			return nil, 0, err
		}
	}
	metered := meterTree(tree)
	p, err = compiler.Compile(tree, config)
	if err != nil || !metered {
		return p, 0, err
	}
	vars, err = meterProgram(p)
	return p, vars, err
}

// checkPatterns checks the constant patterns of matches against the
// limits, before expr's checker and compiler compile them.
func checkPatterns(tree *parser.Tree) error {
	v := &patternChecker{}
	ast.Walk(&tree.Node, v)
	if v.err != nil {
		return v.err.Bind(tree.Source)
	}
	return nil
}

type patternChecker struct{ err *file.Error }

func (v *patternChecker) Visit(n *ast.Node) {
	b, ok := (*n).(*ast.BinaryNode)
	if !ok || b.Operator != "matches" || v.err != nil {
		return
	}
	s, ok := b.Right.(*ast.StringNode)
	if !ok {
		return
	}
	var pe *patternError
	if _, err := patternSize(s.Value); errors.As(err, &pe) { // a syntax error is the checker's to report
		v.err = &file.Error{Location: s.Location(), Message: pe.Error(), Prev: pe}
	}
}

// CompileExpression compiles src against the environment type of env (a
// struct value, a pointer to one, or its reflect.Type).
func CompileExpression(src string, env any, c *Config) (*Expression, error) {
	return compile(src, env, c)
}

// Source returns the expression as written.
func (e *Expression) Source() string { return e.source }

// Type returns the static result type, or nil when the type is known only at
// run time.
func (e *Expression) Type() reflect.Type { return e.out }

// EnvType returns the struct type the expression was compiled against.
func (e *Expression) EnvType() reflect.Type { return e.envType }

// Run evaluates the expression with env, a value of the environment type.
func (e *Expression) Run(ctx context.Context, env any) (any, error) {
	if err := e.check(ctx, reflect.TypeOf(env)); err != nil {
		return nil, err
	}
	r := vms.Get().(*runner)
	out, err := e.exec(ctx, r, env)
	vms.Put(r)
	return out, err
}

// wrapError converts expr's errors into *Error, keeping the position.
func wrapError(src string, err error) error {
	out := &Error{Source: src, Message: err.Error(), Err: err}
	var fe *file.Error
	if errors.As(err, &fe) {
		out.Message = fe.Message
		if fe.Line > 0 {
			out.Line, out.Column = fe.Line, fe.Column+1
			out.Snippet = snippet(src, out.Line, out.Column)
		}
		if fe.Prev != nil {
			out.Err = fe.Prev
		}
	}
	switch {
	case strings.Contains(out.Message, "exceeds maximum allowed nodes"):
		out.Message, out.Err = "expression has too many nodes", ErrTooManyNodes
	case strings.Contains(out.Message, "memory budget exceeded"):
		out.Message, out.Err = "memory budget exceeded", ErrMemoryBudget
	case errors.Is(out.Err, ErrTooManySteps):
		out.Message = "evaluation takes too many steps"
	case errors.Is(out.Err, context.Canceled), errors.Is(out.Err, context.DeadlineExceeded):
		out.Message = "evaluation cancelled"
	}
	return out
}

// Condition is a compiled boolean expression. It is immutable and safe for
// concurrent use.
type Condition struct {
	expr Expression // by value: one pointer less to chase per evaluation
	cfg  *Config

	explainOnce sync.Once
	tree        *node // the top-level &&/|| tree, for Explain
}

// Compile compiles a boolean condition against the environment type of env.
func Compile(src string, env any, c *Config) (*Condition, error) {
	e, err := compile(src, env, c, expr.AsBool())
	if err != nil {
		return nil, err
	}
	return &Condition{expr: *e, cfg: c}, nil
}

// Source returns the condition as written.
func (c *Condition) Source() string { return c.expr.source }

// Evaluate reports whether the condition holds for env.
func (c *Condition) Evaluate(ctx context.Context, env any) (bool, error) {
	// Expression.Run and asBool written out, with the error paths out of
	// line: this is the call a host makes most, and a function call more
	// shows against expr's own cost.
	e := &c.expr
	typ := reflect.TypeOf(env)
	if ctx.Err() != nil || typ != e.envType {
		return false, e.checkError(ctx, typ)
	}
	r := vms.Get().(*runner)
	if e.vars > 0 {
		out, err := e.execMetered(ctx, r, env)
		vms.Put(r)
		if err != nil {
			return false, err
		}
		return e.asBool(out)
	}
	r.vm.MemoryBudget = e.budget
	out, err := r.vm.Run(e.program, env)
	vms.Put(r)
	if err != nil {
		return false, wrapError(e.source, err)
	}
	if v, ok := out.(bool); ok {
		return v, nil
	}
	return e.asBool(out)
}

// check returns the error for a cancelled ctx or an environment of the
// wrong type; checkError builds the error, off the common path.
func (e *Expression) check(ctx context.Context, typ reflect.Type) error {
	if ctx.Err() != nil || typ != e.envType {
		return e.checkError(ctx, typ)
	}
	return nil
}

func (e *Expression) checkError(ctx context.Context, typ reflect.Type) error {
	if err := ctx.Err(); err != nil {
		return &Error{Source: e.source, Message: "evaluation cancelled", Err: err}
	}
	return &Error{Source: e.source, Message: fmt.Sprintf("environment is %v, want %v", typ, e.envType), Err: ErrEnvType}
}

// exec runs the program on r within the expression's limits.
func (e *Expression) exec(ctx context.Context, r *runner, env any) (any, error) {
	if e.vars > 0 {
		return e.execMetered(ctx, r, env)
	}
	r.vm.MemoryBudget = e.budget
	out, err := r.vm.Run(e.program, env)
	if err != nil {
		return nil, wrapError(e.source, err)
	}
	return out, nil
}

// execMetered runs a metered program: its first variables are the metering
// functions of r, which the program never writes (see meterProgram), and
// which read ctx as the evaluation runs.
func (e *Expression) execMetered(ctx context.Context, r *runner, env any) (any, error) {
	v := &r.vm
	if len(v.Variables) < e.vars {
		v.Variables = make([]any, e.vars) // Run would replace a shorter one, functions and all
	}
	r.meter.reset(ctx, e.steps, e.budget)
	copy(v.Variables, r.fns[:])
	v.MemoryBudget = e.budget
	out, err := v.Run(e.program, env)
	clear(v.Variables[:e.vars]) // a pooled VM keeps neither the values of let nor the context
	r.meter.ctx = nil
	if err != nil {
		return nil, wrapError(e.source, err)
	}
	return out, nil
}

func (e *Expression) asBool(out any) (bool, error) {
	if v, ok := out.(bool); ok {
		return v, nil
	}
	// Unreachable with AsBool, kept so that a bug cannot panic.
	return false, &Error{Source: e.source, Message: fmt.Sprintf("result is %T, not bool", out)}
}

// Parse reports whether src is one complete expression, checking its syntax
// only, with the position of a syntax error, within the limits of c on its
// length, depth and nodes.
func Parse(src string, c *Config) error {
	if err := checkSource(src, c); err != nil {
		return err
	}
	pc := conf.CreateNew()
	pc.MaxNodes = c.MaxNodes
	if _, err := parser.ParseWithConfig(src, pc); err != nil {
		return wrapError(src, err)
	}
	return nil
}
