package eval

import (
	"fmt"

	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser/lexer"
)

// Default limits; see package conditions, Limits, for what each bounds and
// why it has this value.
const (
	DefaultMaxNodes     = 1000
	DefaultMemoryBudget = 1_000_000
	DefaultMaxLength    = 128 << 10
	DefaultMaxDepth     = 100
	DefaultMaxSteps     = 1_000_000
)

// checkSource enforces, before expr parses src, the limits that expr's
// parser cannot: it recurses once per bracket and once per prefix operator
// before it creates (and counts) a node, so that a million nested brackets
// overflow the stack. A single pass of expr's own lexer, which skips string
// literals and comments and does not recurse, measures the length, the
// bracket depth and the prefix operators. A lexing error is left for the
// parser to report, with its position: the lexer stops there, and so does
// the parser.
func checkSource(src string, c *Config) error {
	if uint(len(src)) > c.MaxLength {
		return &Error{
			Source:  src,
			Message: fmt.Sprintf("expression is %d bytes long, over the limit of %d", len(src), c.MaxLength),
			Err:     ErrTooLong,
		}
	}
	var (
		l       = lexer.New()
		depth   uint
		prefix  uint // prefix operators: each is a node, created after its operand
		operand = true
	)
	l.Reset(file.NewSource(src))
	for {
		tok, err := l.Next()
		if err != nil || tok.Kind == lexer.EOF {
			return nil
		}
		switch tok.Kind {
		case lexer.Bracket:
			switch tok.Value {
			case "(", "[", "{":
				depth++
				if depth > c.MaxDepth {
					return sourceError(src, tok, fmt.Sprintf("brackets nest deeper than %d", c.MaxDepth), ErrTooDeep)
				}
				operand = true
			default:
				if depth > 0 {
					depth--
				}
				operand = false
			}
		case lexer.Operator:
			switch {
			case tok.Value == "#":
				operand = false // a pointer, #acc and the like: an operand
			case operand && isPrefix(tok.Value):
				prefix++
				if prefix > c.MaxNodes {
					return sourceError(src, tok, "expression has too many nodes", ErrTooManyNodes)
				}
			default:
				operand = true
			}
		default: // identifiers, numbers, strings, bytes
			operand = false
		}
	}
}

// isPrefix reports whether op is one of expr's prefix operators.
func isPrefix(op string) bool {
	return op == "!" || op == "not" || op == "-" || op == "+"
}

func sourceError(src string, tok lexer.Token, msg string, cause error) error {
	fe := (&file.Error{Location: tok.Location, Message: msg, Prev: cause}).Bind(file.NewSource(src))
	return wrapError(src, fe)
}
