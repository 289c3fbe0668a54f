package eval

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/parser"
)

// Uses reports whether src, which need not type-check, reads the variable
// name (an identifier, not a member or a function of that name), and where
// first: a 1-based line and column in runes. A source that does not parse
// uses nothing.
func Uses(src, name string) (line, column int, ok bool) {
	tree, ok := parseBounded(src)
	if !ok {
		return 0, 0, false
	}
	v := &usesVisitor{callee: map[ast.Node]bool{}}
	ast.Walk(&tree.Node, v)
	// After the walk (ast.Walk visits a callee before its call), the
	// first in the source.
	from := -1
	for _, id := range v.idents {
		if id.Value == name && !v.callee[id] && (from < 0 || id.Location().From < from) {
			from = id.Location().From
		}
	}
	if from < 0 {
		return 0, 0, false
	}
	line, column = position(src, from)
	return line, column, true
}

// position converts a rune offset into src to a 1-based line and column,
// as expr's file.Error.Bind does.
func position(src string, offset int) (line, column int) {
	line, column = 1, 1
	n := 0
	for _, r := range src {
		if n == offset {
			break
		}
		if r == '\n' {
			line, column = line+1, 1
		} else {
			column++
		}
		n++
	}
	return line, column
}

type usesVisitor struct {
	idents []*ast.IdentifierNode // in the order ast.Walk visits them
	callee map[ast.Node]bool
}

func (v *usesVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.CallNode:
		v.callee[x.Callee] = true
	case *ast.IdentifierNode:
		v.idents = append(v.idents, x)
	}
}

// PositionError returns an *Error about src at (line, column), with its
// snippet.
func PositionError(src string, line, column int, message string) *Error {
	return &Error{Source: src, Line: line, Column: column, Snippet: snippet(src, line, column), Message: message}
}

// OuterCall returns the name of the function src calls at its top level
// (round in `round(Amount * 1.1)`), or "" when src is not a call.
func OuterCall(src string) string {
	tree, ok := parseBounded(src)
	if !ok {
		return ""
	}
	switch n := tree.Node.(type) {
	case *ast.BuiltinNode:
		return n.Name
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			return id.Value
		}
	}
	return ""
}

// parseBounded parses src within the default limits of length, depth and
// nodes, for the helpers here that read a condition's shape: a source over
// them (which a compile with raised limits may have let through, or which
// failed to compile) reads as no shape at all, never as a stack overflow.
func parseBounded(src string) (*parser.Tree, bool) {
	c := NewConfig()
	if err := checkSource(src, c); err != nil {
		return nil, false
	}
	pc := conf.CreateNew()
	pc.MaxNodes = c.MaxNodes
	tree, err := parser.ParseWithConfig(src, pc)
	return tree, err == nil
}
