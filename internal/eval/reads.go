package eval

import (
	"github.com/expr-lang/expr/ast"
)

// clockCalls are the functions of the language and of this package that
// read the clock: the same variables need not give the same answer twice.
var clockCalls = map[string]bool{"now": true, "date": true, "daysSince": true, "daysUntil": true}

// Reads returns the names of the variables src, which need not
// type-check, reads (identifiers other than functions; a let's own names
// included), and whether src is determined by them: with deterministic
// true, two evaluations that see the same values of those variables give
// the same answer or the same failure. It is false when src calls a
// function of host (any of which may read something else), a function
// that reads the clock, a method of anything but the variable Actor, or
// reads $env; and when src does not parse within the default limits.
func Reads(src string, host map[string]bool) (names []string, deterministic bool) {
	tree, ok := parseBounded(src)
	if !ok {
		return nil, false
	}
	v := &readsVisitor{ok: true, host: host, callee: map[ast.Node]bool{}}
	ast.Walk(&tree.Node, v)
	if !v.ok {
		return nil, false
	}
	seen := map[string]bool{}
	for _, id := range v.idents { // after the walk: ast.Walk visits a callee before its call
		if !v.callee[id] && !seen[id.Value] {
			seen[id.Value] = true
			names = append(names, id.Value)
		}
	}
	return names, true
}

type readsVisitor struct {
	ok     bool
	host   map[string]bool
	idents []*ast.IdentifierNode
	callee map[ast.Node]bool
}

func (v *readsVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.CallNode:
		switch c := x.Callee.(type) {
		case *ast.IdentifierNode:
			if v.host[c.Value] || clockCalls[c.Value] {
				v.ok = false
			}
			v.callee[c] = true
		case *ast.MemberNode:
			if !rootedAt(c, "Actor") {
				v.ok = false
			}
		default:
			v.ok = false
		}
	case *ast.BuiltinNode:
		if clockCalls[x.Name] {
			v.ok = false
		}
	case *ast.IdentifierNode:
		if x.Value == "$env" {
			v.ok = false
		}
		v.idents = append(v.idents, x)
	}
}

// rootedAt reports whether the member chain m starts at the variable name.
func rootedAt(m *ast.MemberNode, name string) bool {
	for {
		switch n := m.Node.(type) {
		case *ast.MemberNode:
			m = n
		case *ast.IdentifierNode:
			return n.Value == name
		default:
			return false
		}
	}
}
