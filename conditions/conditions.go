package conditions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/parser/utils"

	"github.com/actionable-go/actionable/internal/eval"
)

// Default limits. They are generous for business rules and stop runaway
// ones; see the package documentation, Limits.
const (
	DefaultMaxNodes     = eval.DefaultMaxNodes
	DefaultMemoryBudget = eval.DefaultMemoryBudget
	DefaultMaxLength    = eval.DefaultMaxLength
	DefaultMaxDepth     = eval.DefaultMaxDepth
	DefaultMaxSteps     = eval.DefaultMaxSteps
)

// Option configures compilation. Options are applied in order; a nil Option
// is ignored.
type Option func(*eval.Config) error

// newConfig applies opts to the default configuration.
func newConfig(opts []Option) (*eval.Config, error) {
	c := eval.NewConfig()
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
	return func(c *eval.Config) error {
		if n == 0 {
			return errors.New("conditions: max nodes must be positive")
		}
		c.MaxNodes = n
		return nil
	}
}

// MemoryBudget limits what one evaluation may build, in units of one
// element of a list or map or 8 bytes of a string: the ranges, array and map
// literals and the results of map, filter and sortBy, as expr counts them,
// and, counted apart against the same limit, the strings that + and the
// string built-ins build and the lists that the list built-ins build, each
// checked before it is built. An evaluation over budget fails with
// [ErrMemoryBudget]. n must be positive. See the package documentation,
// Limits.
func MemoryBudget(n uint) Option {
	return func(c *eval.Config) error {
		if n == 0 {
			return errors.New("conditions: memory budget must be positive")
		}
		c.MemoryBudget = n
		return nil
	}
}

// MaxLength limits the length of an expression's source, in bytes; a longer
// one fails to compile (or to parse) with [ErrTooLong] before expr reads
// it. n must be positive.
func MaxLength(n uint) Option {
	return func(c *eval.Config) error {
		if n == 0 {
			return errors.New("conditions: max length must be positive")
		}
		c.MaxLength = n
		return nil
	}
}

// MaxDepth limits how deep the brackets ((), [] and {}) of an expression
// nest; a deeper one fails to compile (or to parse) with [ErrTooDeep],
// before expr parses it. n must be positive.
func MaxDepth(n uint) Option {
	return func(c *eval.Config) error {
		if n == 0 {
			return errors.New("conditions: max depth must be positive")
		}
		c.MaxDepth = n
		return nil
	}
}

// MaxSteps limits the steps of one evaluation: each iteration of a loop is
// a step, and the size of what a comparison or a search reads inside a loop,
// of what a string or list built-in reads, and of what matches matches,
// counts as steps too; see the package documentation, Limits. An evaluation
// that takes more fails with [ErrTooManySteps]. n must be positive.
func MaxSteps(n uint) Option {
	return func(c *eval.Config) error {
		if n == 0 {
			return errors.New("conditions: max steps must be positive")
		}
		c.MaxSteps = n
		return nil
	}
}

// WithClock sets the clock read by now() and the date functions. Tests use it
// to pin time; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *eval.Config) error {
		if now == nil {
			return errors.New("conditions: clock must not be nil")
		}
		c.Clock = now
		return nil
	}
}

// Function makes a host function callable from expressions. name must be
// an identifier of the language (letters, digits, _ and $, not starting with
// a digit). types are the function's signatures as nil pointers to func
// types, e.g. new(func(string) bool), so that calls are type-checked at
// compile time.
// fn must not panic; if it does, the evaluation fails with an error. fn may
// keep its arguments: no evaluation writes to a value it has handed out.
func Function(name string, fn func(args ...any) (any, error), types ...any) Option {
	return func(c *eval.Config) error {
		if name == "" || fn == nil {
			return errors.New("conditions: function needs a name and a body")
		}
		if !utils.IsValidIdentifier(name) {
			return fmt.Errorf("conditions: function name %q is not an identifier", name)
		}
		for _, t := range types {
			rt := reflect.TypeOf(t)
			if rt == nil || rt.Kind() != reflect.Pointer || rt.Elem().Kind() != reflect.Func {
				return fmt.Errorf("conditions: signature of %s must be a pointer to a func type", name)
			}
		}
		c.Funcs = append(c.Funcs, expr.Function(name, fn, types...))
		if c.FuncNames == nil {
			c.FuncNames = map[string]bool{}
		}
		c.FuncNames[name] = true
		return nil
	}
}

// Expression is a compiled expr expression of any result type. It is
// immutable and safe for concurrent use.
type Expression struct{ e *eval.Expression }

// CompileExpression compiles src against the environment type of env (a
// struct value, a pointer to one, or its reflect.Type).
func CompileExpression(src string, env any, opts ...Option) (*Expression, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	e, err := eval.CompileExpression(src, env, c)
	if err != nil {
		return nil, err
	}
	return &Expression{e: e}, nil
}

// Source returns the expression as written.
func (e *Expression) Source() string { return e.e.Source() }

// Type returns the static result type, or nil when the type is known only at
// run time (for example a value read from a map[string]any).
func (e *Expression) Type() reflect.Type { return e.e.Type() }

// EnvType returns the struct type the expression was compiled against.
func (e *Expression) EnvType() reflect.Type { return e.e.EnvType() }

// Run evaluates the expression with env, which must be a value of the
// environment type (a struct value, not a pointer: expr reads fields of a
// struct value without allocating). A cancelled ctx stops the evaluation
// before it starts; see the package documentation, Limits, for what bounds
// an evaluation once it runs. Run never panics.
func (e *Expression) Run(ctx context.Context, env any) (any, error) {
	return e.e.Run(ctx, env)
}

// Condition is a compiled boolean expression. It is immutable and safe for
// concurrent use: compile it once, evaluate it from any goroutine.
type Condition struct{ c *eval.Condition }

// Compile compiles a boolean condition against the environment type of env
// (a struct value, a pointer to one, or its reflect.Type). An unknown field,
// a type mismatch or a result that is not a bool is an *Error.
func Compile(src string, env any, opts ...Option) (*Condition, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	cond, err := eval.Compile(src, env, c)
	if err != nil {
		return nil, err
	}
	return &Condition{c: cond}, nil
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
func (c *Condition) Source() string { return c.c.Source() }

// String returns the condition as written.
func (c *Condition) String() string { return c.c.Source() }

// Evaluate reports whether the condition holds for env. See [Expression.Run]
// for what env must be.
func (c *Condition) Evaluate(ctx context.Context, env any) (bool, error) {
	return c.c.Evaluate(ctx, env)
}

// Explain evaluates the condition and reports the clauses that decided it,
// each with the values of the fields it read. A clause that fails at run time
// after the result is already decided is left out; one that fails before is
// an error. The clauses are compiled on the first call.
func (c *Condition) Explain(ctx context.Context, env any) (Explanation, error) {
	return c.c.Explain(ctx, env)
}

// Parse reports whether src is one complete expression, checking its syntax
// only (no environment, no types). It returns an *Error with the position of
// a syntax error, or wrapping [ErrTooLong], [ErrTooDeep] or
// [ErrTooManyNodes] for a source over the limits (set by [MaxLength],
// [MaxDepth] and [MaxNodes] among opts; the other options do not matter
// here). Use it to validate an expression before embedding it in a larger
// one: `a) || (b` compiles inside parentheses but does not parse alone.
func Parse(src string, opts ...Option) error {
	c, err := newConfig(opts)
	if err != nil {
		return err
	}
	return eval.Parse(src, c)
}
