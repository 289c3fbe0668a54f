package eval

import (
	"github.com/expr-lang/expr/ast"
)

// clockCalls are the functions of the language and of this package that
// read the clock: the same variables need not give the same answer twice.
var clockCalls = map[string]bool{"now": true, "date": true, "daysSince": true, "daysUntil": true}

// Reads returns the names of the variables src, which need not
// type-check, reads (every identifier: a let's own names included, and
// those of the functions it calls, which may be variables of a func type),
// and whether src is determined by them: with deterministic true, two
// evaluations that see the same values of those variables give the same
// answer or the same failure. It is false when src calls a function of
// host (any of which may read something else, and which may have the name
// of a built-in), a function that reads the clock, a method of anything
// but the variable Actor, or reads $env; and when src does not parse
// within the default limits.
func Reads(src string, host map[string]bool) (names []string, deterministic bool) {
	tree, ok := parseBounded(src)
	if !ok {
		return nil, false
	}
	v := &readsVisitor{ok: true, host: host}
	ast.Walk(&tree.Node, v)
	if !v.ok {
		return nil, false
	}
	seen := map[string]bool{}
	for _, name := range v.names {
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names, true
}

type readsVisitor struct {
	ok    bool
	host  map[string]bool
	names []string
}

func (v *readsVisitor) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.CallNode:
		switch c := x.Callee.(type) {
		case *ast.IdentifierNode:
			if v.host[c.Value] || clockCalls[c.Value] {
				v.ok = false
			}
		case *ast.MemberNode:
			if !rootedAt(c, "Actor") {
				v.ok = false
			}
		default:
			v.ok = false
		}
	case *ast.BuiltinNode:
		// A host function that overrides a built-in parses as one.
		if v.host[x.Name] || clockCalls[x.Name] {
			v.ok = false
		}
		v.names = append(v.names, x.Name) // a variable of a func type may have the name

	case *ast.IdentifierNode:
		if x.Value == "$env" {
			v.ok = false
		}
		v.names = append(v.names, x.Value)
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
