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
// Whatever a rule says, compiling and evaluating it end: a rule that reaches
// a limit fails with an *Error whose cause is one of the sentinels below.
// Under the defaults, a runaway rule stops within about a tenth of a second,
// having built no more than its budgets allow (some tens of megabytes).
// Run-time faults (a nil dereference, a failed conversion of dynamic data)
// are errors too, never panics.
//
// Before expr reads the source, [Compile], [CompileExpression] and [Parse]
// check it in one pass of expr's lexer:
//
//   - its length: at most [DefaultMaxLength] bytes (128 KiB; [MaxLength]),
//     or [ErrTooLong];
//   - the nesting of its brackets, (), [] and {}: at most [DefaultMaxDepth]
//     (100; [MaxDepth]) deep, or [ErrTooDeep]. expr's parser recurses once
//     per bracket before it counts a node: a million brackets would exhaust
//     the stack, which no recover survives;
//   - its prefix operators (!, not, - and +), on which the parser recurses
//     the same way: more than the node limit is [ErrTooManyNodes] at once.
//
// The parser then counts the AST nodes: at most [DefaultMaxNodes] (1,000;
// [MaxNodes]), or [ErrTooManyNodes]. A constant regular expression (the
// right operand of matches) is at most 1,024 bytes long and compiles to at
// most 10,000 instructions, or [ErrTooLong]: Go matches in time linear in
// the input, but the factor is the size of the pattern, and compiling a few
// kilobytes of \pL takes hundreds of megabytes.
//
// An evaluation counts steps and memory; its program carries the counting,
// inserted by the compiler:
//
//   - Steps, at most [DefaultMaxSteps] (1,000,000; [MaxSteps]), or
//     [ErrTooManySteps]. Each iteration of a loop (all, none, any, one,
//     filter, map, count, sum, find, findIndex, findLast, findLastIndex,
//     groupBy, sortBy, reduce) is a step. Inside a loop, what takes time in
//     proportion to the size of its operands counts that size: the
//     non-constant operands of ==, !=, <, <=, >, >=, contains, startsWith and
//     endsWith, the right operand of in when it is a list, the arguments of
//     trim, trimPrefix, trimSuffix, indexOf, lastIndexOf, hasPrefix,
//     hasSuffix, max, min, mean, median, int, float, date, duration and
//     timezone, and the arguments of host functions and methods. Anywhere,
//     the built-ins that build strings and lists (below) count the size of
//     their arguments, and matches counts the length of its input times the
//     size of the compiled pattern, divided by 4 (Go matches a byte against
//     an instruction in up to 16 ns); a computed pattern also counts 32 steps
//     per byte for its compilation and is held to the limits of a constant
//     one. A step takes some tens of nanoseconds: the default stops a runaway
//     loop within about a tenth of a second.
//   - Memory, at most [DefaultMemoryBudget] (1,000,000; [MemoryBudget])
//     units, or [ErrMemoryBudget], in two counts each held to the budget.
//     expr counts the elements of the ranges, array and map literals and of
//     the results of map, filter and sortBy. This package counts the strings
//     that + builds, the results of string, toJSON, fromJSON, upper, lower,
//     split, splitAfter, replace, repeat, join, toBase64, fromBase64, keys,
//     values, toPairs, fromPairs, reverse, uniq, sort, concat and flatten, and,
//     inside loops, the strings, lists and maps that host functions and
//     methods return. Where the size of a result follows from the arguments
//     (+, repeat, join, replace, split, concat...) it is checked before the
//     result is built; otherwise an upper bound of it is checked before
//     (string and toJSON: a multiple of the size of their argument) and the
//     result charged after. The results of host functions can only be
//     charged after the call.
//
// Sizes are in units: an element of a list or map, a pointer followed or 8
// bytes of a string (rounded up) is a unit, counted through nested lists,
// maps and structs, so that a list holding the same large list a thousand
// times is as large as it prints.
//
// Nothing else is counted. Outside loops, comparisons, searches and
// arithmetic run once per node of the expression, on data whose size the
// host or the budgets bound. The work done inside a host function
// ([Function]) or a method of an environment value is the host's to bound;
// so is the size of the environment itself.
//
// An expression without loops, without matches, without the built-ins above
// and without + on strings (or on values whose type is known only at run
// time) compiles to exactly the program expr compiles, and runs at expr's
// speed; a metered one pays a function call per iteration of a loop, some
// ten nanoseconds, and a few per call of a built-in.
// The defaults let business rules through (dozens of clauses, loops over
// the tags or roles of an object, a loop over hundreds of elements inside
// another, strings of a few megabytes), and stop the rules that would run
// for seconds or allocate gigabytes well before that.
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
// clause; the batches of the actions package before their first and every
// 16th evaluation), and an evaluation that counts steps also reads it, and
// compares its deadline with the clock, every 1,024 steps as it runs: a
// context that ends stops it within some tens of microseconds, not only
// between conditions. A cancelled context gives an *Error wrapping ctx.Err()
// (context.DeadlineExceeded for a deadline the clock saw pass first). An
// evaluation that counts no steps has no loop: it runs each node of the
// expression once.
//
// Package actions evaluates the conditions of many actions against one
// object with one VM, through machinery of this module that is not part of
// this package's API.
package conditions
