package eval

import (
	"github.com/expr-lang/expr/ast"
)

// Conjunct is one operand of the top-level && chain of a condition.
type Conjunct struct {
	// Source is the conjunct as expr prints it, in parentheses, so that
	// conjuncts joined with && mean what they meant.
	Source string
	// Equality is set when the conjunct pins a variable to string
	// literals (see Equalities).
	Equality *Equality
	// ActorOnly reports that the conjunct reads nothing but the variable
	// Actor, through expressions that give the same answer whenever they
	// run with the same Actor: it may be evaluated once for many objects.
	ActorOnly bool
}

// Conjuncts splits src (parsed, not type-checked) into its top-level &&
// conjuncts, left to right. A source that does not parse, or whose top
// level is not &&, is one conjunct.
func Conjuncts(src string) []Conjunct {
	tree, ok := parseBounded(src)
	if !ok {
		return []Conjunct{{Source: "(" + src + ")"}}
	}
	var out []Conjunct
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "&&" || b.Operator == "and") {
			walk(b.Left)
			walk(b.Right)
			return
		}
		c := Conjunct{Source: "(" + n.String() + ")", ActorOnly: actorOnly(n)}
		if eqs := equalityOf(n); eqs != nil {
			c.Equality = eqs
		}
		out = append(out, c)
	}
	walk(tree.Node)
	return out
}

// equalityOf returns the equality n is, if it is one.
func equalityOf(n ast.Node) *Equality {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return nil
	}
	// Equalities walks && chains; a single comparison is a chain of one.
	var eq *Equality
	for _, e := range equalitiesOf(b) {
		e := e
		eq = &e
	}
	return eq
}

func equalitiesOf(b *ast.BinaryNode) []Equality {
	switch b.Operator {
	case "==":
		if id, s, ok := identString(b.Left, b.Right); ok {
			return []Equality{{Name: id, Values: []string{s}}}
		}
		if id, s, ok := identString(b.Right, b.Left); ok {
			return []Equality{{Name: id, Values: []string{s}}}
		}
	case "in":
		id, ok := b.Left.(*ast.IdentifierNode)
		arr, isArr := b.Right.(*ast.ArrayNode)
		if !ok || !isArr {
			return nil
		}
		values := make([]string, 0, len(arr.Nodes))
		for _, e := range arr.Nodes {
			s, ok := e.(*ast.StringNode)
			if !ok {
				return nil
			}
			values = append(values, s.Value)
		}
		return []Equality{{Name: id.Value, Values: values}}
	}
	return nil
}

// pureCalls are the functions an actor-only conjunct may call: they read
// only their arguments.
var pureCalls = map[string]bool{"hasAny": true, "hasAll": true}

// actorOnly reports whether n reads the variable Actor and nothing else.
func actorOnly(n ast.Node) bool {
	v := &actorVisitor{ok: true, callee: map[ast.Node]bool{}}
	ast.Walk(&n, v)
	if !v.ok {
		return false
	}
	actor := false
	for _, id := range v.idents { // after the walk: ast.Walk visits a callee before its call
		switch {
		case v.callee[id]:
		case id.Value == "Actor":
			actor = true
		default:
			return false
		}
	}
	return actor
}

type actorVisitor struct {
	ok     bool
	idents []*ast.IdentifierNode
	callee map[ast.Node]bool
}

func (v *actorVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.CallNode:
		id, isIdent := x.Callee.(*ast.IdentifierNode)
		if !isIdent || !pureCalls[id.Value] {
			v.ok = false
			return
		}
		v.callee[x.Callee] = true
	case *ast.BuiltinNode:
		if clockCalls[x.Name] {
			v.ok = false
		}
	case *ast.IdentifierNode:
		v.idents = append(v.idents, x)
	case *ast.VariableDeclaratorNode:
		v.ok = false // a let may shadow Actor
	}
}
