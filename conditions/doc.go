// Package conditions compiles business-rule expressions written in the expr
// language (github.com/expr-lang/expr) once, type-checked against a Go struct
// type, and evaluates them many times, fast and within limits.
//
// # Quick start
//
//	type Env struct {
//		Status   string
//		Priority int
//		Actor    struct{ Roles []string }
//	}
//
//	cond, err := conditions.Compile(`Status == "new" && "manager" in Actor.Roles`, Env{})
//	if err != nil {
//		// a *conditions.Error with line, column and a caret snippet
//	}
//	ok, err := cond.Evaluate(ctx, Env{Status: "new"})
//	why, err := cond.Explain(ctx, Env{Status: "closed"})
//	fmt.Println(why) // Status == "new" is false: Status = "closed"
//
// # Environments
//
// An expression is compiled against the type of a struct (pass a value, a
// pointer to one or its reflect.Type) and evaluated with values of exactly
// that struct type. Pass struct values, not pointers: expr reads the fields of
// a struct value without allocating, which makes evaluation two to three times
// faster than with a pointer. The environment is boxed into an interface once
// by the caller, so evaluating several conditions against one environment
// boxes it once.
//
// # Type checking
//
// Compilation runs expr's type checker: an unknown field, an operator applied
// to the wrong types, or (for [Compile]) a result that is not a bool is an
// [*Error] carrying the source, the 1-based line and column, a caret snippet
// and the cause. [CompileExpression] compiles an expression of any type and
// reports its static type, which is how the actions package checks a change
// set against the field it assigns.
//
// # Functions
//
// Besides expr's built-ins, every expression can call now(), days(n),
// hours(n), daysSince(t), daysUntil(t), hasAny(list, v...) and hasAll(list,
// v...). The clock behind them is set with [WithClock]; hosts add their own
// functions with [Function].
//
// # Limits
//
// An expression may have at most [DefaultMaxNodes] AST nodes ([MaxNodes]
// changes it) and an evaluation may allocate at most [DefaultMemoryBudget]
// units ([MemoryBudget] changes it). Exceeding either is an *Error wrapping
// [ErrTooManyNodes] or [ErrMemoryBudget]. Run-time faults (a nil
// dereference, a failed conversion of dynamic data) are errors, never panics.
//
// The budget counts what expr counts: the elements of the ranges, arrays and
// maps an evaluation builds and the iterations of its loops. It does not
// count the bytes of the strings it builds (s + s, join, replace, toJSON) nor
// the lists some built-ins return (split), so the limits stop runaway rules
// written by mistake, not a hostile author: repeat(repeat("x", 900000),
// 1000000) still asks the runtime for 900 GB, which ends the process. Load
// rules only from authors trusted with the server.
//
// # Explain
//
// [Condition.Explain] evaluates each clause of the top-level &&/|| tree and
// reports the ones that decided the result, each with the values of the
// fields it read. This answers a user's "why can't I do this?".
//
// # Concurrency
//
// A compiled [Condition] or [Expression] is immutable and safe for
// concurrent use. Evaluation takes a VM from a pool, so it allocates nothing
// of its own, and never writes to a value it has handed out: a host function
// may keep its arguments.
//
// # Cancellation
//
// Evaluation checks its context before it starts (Explain before every
// clause); a cancelled context gives an *Error wrapping ctx.Err(). An expr
// program cannot be interrupted once running, which is why its size and
// memory are bounded.
//
// Package actions evaluates the conditions of many actions against one
// object with one VM, through machinery of this module that is not part of
// this package's API.
package conditions
