package eval

import (
	"github.com/expr-lang/expr/ast"
)

// Equality is a top-level conjunct of a condition that pins a variable to
// string literals: `Status == "new"`, `"new" == Status`, `Status in ["new",
// "open"]`. A condition with it is false unless the variable holds one of
// the values.
type Equality struct {
	Name   string
	Values []string
}

// Equalities returns the equalities among the top-level && conjuncts of
// src (parsed, not type-checked): every object src holds for satisfies all
// of them. It returns none for a condition whose top level is not &&, or
// that does not parse; a negation, an ||, or a comparison with anything but
// a string literal is not an equality. Whether Name is a field of the
// environment, and of what type, is the caller's to check.
func Equalities(src string) []Equality {
	tree, ok := parseBounded(src)
	if !ok {
		return nil
	}
	var out []Equality
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		b, ok := n.(*ast.BinaryNode)
		if !ok {
			return
		}
		switch b.Operator {
		case "&&", "and":
			walk(b.Left)
			walk(b.Right)
		case "==":
			if id, s, ok := identString(b.Left, b.Right); ok {
				out = append(out, Equality{Name: id, Values: []string{s}})
			} else if id, s, ok := identString(b.Right, b.Left); ok {
				out = append(out, Equality{Name: id, Values: []string{s}})
			}
		case "in":
			id, ok := b.Left.(*ast.IdentifierNode)
			arr, isArr := b.Right.(*ast.ArrayNode)
			if !ok || !isArr {
				return
			}
			values := make([]string, 0, len(arr.Nodes))
			for _, e := range arr.Nodes {
				s, ok := e.(*ast.StringNode)
				if !ok {
					return
				}
				values = append(values, s.Value)
			}
			out = append(out, Equality{Name: id.Value, Values: values})
		}
	}
	walk(tree.Node)
	return out
}

func identString(a, b ast.Node) (string, string, bool) {
	id, ok := a.(*ast.IdentifierNode)
	s, isString := b.(*ast.StringNode)
	if !ok || !isString {
		return "", "", false
	}
	return id.Value, s.Value, true
}
