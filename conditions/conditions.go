package conditions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Default limits. They are generous for business rules and stop runaway
// ones; they do not bound the strings an evaluation builds (see the package
// documentation, Limits).
const (
	DefaultMaxNodes     = 1000
	DefaultMemoryBudget = 1_000_000
)

// Option configures compilation. Options are applied in order.
type Option func(*config) error

type config struct {
	maxNodes     uint
	memoryBudget uint
	clock        func() time.Time
	funcs        []expr.Option
}

func newConfig(opts []Option) (*config, error) {
	c := &config{maxNodes: DefaultMaxNodes, memoryBudget: DefaultMemoryBudget, clock: time.Now}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// MaxNodes limits the number of AST nodes of an expression; a larger
// expression fails to compile with [ErrTooManyNodes]. n must be positive.
func MaxNodes(n uint) Option {
	return func(c *config) error {
		if n == 0 {
			return errors.New("conditions: max nodes must be positive")
		}
		c.maxNodes = n
		return nil
	}
}

// MemoryBudget limits what one evaluation may allocate, in expr's units
// (roughly one per element of every range, array or map an expression builds
// and per loop iteration; the bytes of strings are not counted). An
// evaluation over budget fails with [ErrMemoryBudget]. n must be positive.
func MemoryBudget(n uint) Option {
	return func(c *config) error {
		if n == 0 {
			return errors.New("conditions: memory budget must be positive")
		}
		c.memoryBudget = n
		return nil
	}
}

// WithClock sets the clock read by now() and the date functions. Tests use it
// to pin time; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("conditions: clock must not be nil")
		}
		c.clock = now
		return nil
	}
}

// Function makes a host function callable from expressions. types are the
// function's signatures as nil pointers to func types, e.g.
// new(func(string) bool), so that calls are type-checked at compile time.
// fn must not panic; if it does, the evaluation fails with an error.
func Function(name string, fn func(args ...any) (any, error), types ...any) Option {
	return func(c *config) error {
		if name == "" || fn == nil {
			return errors.New("conditions: function needs a name and a body")
		}
		for _, t := range types {
			rt := reflect.TypeOf(t)
			if rt == nil || rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Func {
				return fmt.Errorf("conditions: signature of %s must be a pointer to a func type", name)
			}
		}
		c.funcs = append(c.funcs, expr.Function(name, fn, types...))
		return nil
	}
}

// Expression is a compiled expr expression of any result type. It is
// immutable and safe for concurrent use.
type Expression struct {
	// What every evaluation reads comes first, in one cache line.
	envType reflect.Type
	program *vm.Program
	budget  uint
	source  string
	out     reflect.Type // static result type; nil when only known at run time
}

// envTypeOf accepts a sample value, a pointer to one, or a reflect.Type, and
// returns the struct type an environment must have.
func envTypeOf(env any) (reflect.Type, error) {
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

func compile(src string, env any, c *config, extra ...expr.Option) (*Expression, error) {
	t, err := envTypeOf(env)
	if err != nil {
		return nil, err
	}
	opts := []expr.Option{expr.Env(reflect.New(t).Elem().Interface()), expr.MaxNodes(c.maxNodes)}
	opts = append(opts, builtins(c.clock)...)
	opts = append(opts, c.funcs...)
	opts = append(opts, extra...)
	p, err := safeCompile(src, opts)
	if err != nil {
		return nil, wrapError(src, err)
	}
	e := &Expression{source: src, envType: t, program: p, budget: c.memoryBudget}
	if rt := p.Node().Type(); rt != nil && rt.Kind() != reflect.Interface {
		e.out = rt
	}
	return e, nil
}

// safeCompile turns a panic inside expr (a bug there, or a host function
// signature it rejects) into an error: rule text must never crash the host.
func safeCompile(src string, opts []expr.Option) (p *vm.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("compiler panic: %v", r)
		}
	}()
	return expr.Compile(src, opts...)
}

// CompileExpression compiles src against the environment type of env (a
// struct value, a pointer to one, or its reflect.Type).
func CompileExpression(src string, env any, opts ...Option) (*Expression, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return compile(src, env, c)
}

// Source returns the expression as written.
func (e *Expression) Source() string { return e.source }

// Type returns the static result type, or nil when the type is known only at
// run time (for example a value read from a map[string]any).
func (e *Expression) Type() reflect.Type { return e.out }

// EnvType returns the struct type the expression was compiled against.
func (e *Expression) EnvType() reflect.Type { return e.envType }

// Run evaluates the expression with env, which must be a value of the
// environment type (a struct value, not a pointer: expr reads fields of a
// struct value without allocating). A cancelled ctx stops the evaluation
// before it starts; expr programs cannot be interrupted mid-run, which is why
// their size and memory are bounded. Run never panics.
func (e *Expression) Run(ctx context.Context, env any) (any, error) {
	if err := e.check(ctx, reflect.TypeOf(env)); err != nil {
		return nil, err
	}
	m := vms.Get().(*vm.VM)
	out, err := e.exec(m, env)
	vms.Put(m)
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
	}
	return out
}

// Condition is a compiled boolean expression. It is immutable and safe for
// concurrent use: compile it once, evaluate it from any goroutine.
type Condition struct {
	expr Expression // by value: one pointer less to chase per evaluation
	cfg  *config

	explainOnce sync.Once
	tree        *node // the top-level &&/|| tree, for Explain
}

// Compile compiles a boolean condition against the environment type of env
// (a struct value, a pointer to one, or its reflect.Type). An unknown field,
// a type mismatch or a result that is not a bool is an *Error.
func Compile(src string, env any, opts ...Option) (*Condition, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	e, err := compile(src, env, c, expr.AsBool())
	if err != nil {
		return nil, err
	}
	return &Condition{expr: *e, cfg: c}, nil
}

// MustCompile is like Compile but panics on error. Use it for conditions
// written in Go source, never for rules read at run time.
func MustCompile(src string, env any, opts ...Option) *Condition {
	c, err := Compile(src, env, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

// Source returns the condition as written.
func (c *Condition) Source() string { return c.expr.source }

// String returns the condition as written.
func (c *Condition) String() string { return c.expr.source }

// Evaluate reports whether the condition holds for env. See [Expression.Run]
// for what env must be.
func (c *Condition) Evaluate(ctx context.Context, env any) (bool, error) {
	// Expression.Run and asBool written out, with the error paths out of
	// line: this is the call a host makes most, and a function call more
	// shows against expr's own cost.
	e := &c.expr
	typ := reflect.TypeOf(env)
	if ctx.Err() != nil || typ != e.envType {
		return false, e.checkError(ctx, typ)
	}
	m := vms.Get().(*vm.VM)
	m.MemoryBudget = e.budget
	out, err := m.Run(e.program, env)
	vms.Put(m)
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

// exec runs the program on m within the expression's memory budget.
func (e *Expression) exec(m *vm.VM, env any) (any, error) {
	m.MemoryBudget = e.budget
	out, err := m.Run(e.program, env)
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
// only (no environment, no types). It returns an *Error with the position of
// a syntax error. Use it to validate an expression before embedding it in a
// larger one: `a) || (b` compiles inside parentheses but does not parse
// alone.
func Parse(src string) error {
	if _, err := parser.Parse(src); err != nil {
		return wrapError(src, err)
	}
	return nil
}
