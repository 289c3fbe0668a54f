package conditions

import "github.com/actionable-go/actionable/internal/eval"

// Sentinel causes carried by an [Error]. Match them with errors.Is.
var (
	// ErrTooManyNodes means the expression has more AST nodes than the
	// limit set with [MaxNodes].
	ErrTooManyNodes = eval.ErrTooManyNodes
	// ErrMemoryBudget means an evaluation allocated more than the budget
	// set with [MemoryBudget].
	ErrMemoryBudget = eval.ErrMemoryBudget
	// ErrTooLong means the source of an expression is longer than the
	// limit set with [MaxLength], or a regular expression it matches is
	// longer than 1,024 bytes or compiles to more than 10,000 instructions.
	ErrTooLong = eval.ErrTooLong
	// ErrTooDeep means the brackets of an expression nest deeper than the
	// limit set with [MaxDepth].
	ErrTooDeep = eval.ErrTooDeep
	// ErrTooManySteps means an evaluation took more steps than the limit
	// set with [MaxSteps].
	ErrTooManySteps = eval.ErrTooManySteps
	// ErrEnvType means a value of the wrong type was passed as the
	// environment of an evaluation.
	ErrEnvType = eval.ErrEnvType
)

// Error is a compile or run-time error of one expression. Retrieve it with
// errors.As. Its fields:
//
//	Source  string // the whole expression
//	Line    int    // 1-based; 0 when the position is unknown
//	Column  int    // 1-based, in runes; 0 when the position is unknown
//	Snippet string // the faulty line and a caret under the column
//	Message string // what went wrong, without position
//	Err     error  // the cause: a sentinel of this package, a context error, or expr's error
//
// Error() formats the message with its position and snippet; Unwrap returns
// Err.
//
// Error is declared in the module's engine room, which package actions
// shares, so that an error from either package is this one type.
type Error = eval.Error

// Explanation says which clauses of a condition decided its result:
//
//	Result  bool     // the value of the whole condition
//	Clauses []Clause // the deciding clauses, left to right
//
// For a false a && b, the clauses are the false ones among a and b; for a
// false a || b, all of them; for a true condition, the clauses that made it
// true. String joins them with "; ".
type Explanation = eval.Explanation

// Clause is one operand of the top-level &&/|| tree of a condition:
//
//	Source string  // the clause, as expr prints it
//	Result bool    // its value
//	Values []Value // the fields it read, in order of first appearance
//
// String renders it as `Status in ["new", "open"] is false: Status = "closed"`.
type Clause = eval.Clause

// Value is the value of one field an expression read, such as Status or
// Actor.Roles:
//
//	Name  string
//	Value any
//
// String renders it as `Name = value`, with strings, lists and maps in JSON
// notation.
type Value = eval.Value
