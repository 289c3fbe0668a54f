package eval

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel causes carried by an [Error]. Match them with errors.Is.
var (
	// ErrTooManyNodes means the expression has more AST nodes than the
	// limit set with [MaxNodes].
	ErrTooManyNodes = errors.New("conditions: expression has too many nodes")
	// ErrMemoryBudget means an evaluation allocated more than the budget
	// set with [MemoryBudget].
	ErrMemoryBudget = errors.New("conditions: memory budget exceeded")
	// ErrTooLong means the source of an expression is longer than the
	// limit set with [MaxLength], or a regular expression it matches is
	// longer than 1,024 bytes or compiles to more than 10,000 instructions.
	ErrTooLong = errors.New("conditions: expression is too long")
	// ErrTooDeep means the brackets of an expression nest deeper than the
	// limit set with [MaxDepth].
	ErrTooDeep = errors.New("conditions: expression is nested too deeply")
	// ErrTooManySteps means an evaluation took more steps than the limit
	// set with [MaxSteps].
	ErrTooManySteps = errors.New("conditions: evaluation takes too many steps")
	// ErrEnvType means a value of the wrong type was passed as the
	// environment of an evaluation.
	ErrEnvType = errors.New("conditions: wrong environment type")
)

// Error is a compile or run-time error of one expression. It carries the
// source, the 1-based line and column of the fault, a caret snippet and the
// cause. Retrieve it with errors.As.
type Error struct {
	Source  string // the whole expression
	Line    int    // 1-based; 0 when the position is unknown
	Column  int    // 1-based, in runes; 0 when the position is unknown
	Snippet string // the faulty line and a caret under the column
	Message string // what went wrong, without position
	Err     error  // the cause: a sentinel of this package, context.Canceled, or expr's error
}

// Error formats the message with its position and snippet.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (%d:%d)", e.Line, e.Column)
	}
	if e.Snippet != "" {
		b.WriteString("\n")
		b.WriteString(e.Snippet)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// snippet renders the line of src holding (line, col) with a caret under
// col; both are 1-based.
func snippet(src string, line, col int) string {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	text := strings.ReplaceAll(lines[line-1], "\t", " ")
	pad := col - 1
	if pad < 0 {
		pad = 0
	}
	return " | " + text + "\n | " + strings.Repeat(".", pad) + "^"
}
