package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/parser"
)

// Explanation says which clauses of a condition decided its result.
type Explanation struct {
	// Result is the value of the whole condition.
	Result bool
	// Clauses are the deciding clauses, left to right: for a false a && b,
	// the false ones among a and b; for a false a || b, all of them; for a
	// true condition, the clauses that made it true.
	Clauses []Clause
}

// String joins the deciding clauses with "; ".
func (e Explanation) String() string {
	parts := make([]string, len(e.Clauses))
	for i, c := range e.Clauses {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// Clause is one operand of the top-level &&/|| tree of a condition.
type Clause struct {
	Source string  // the clause, as expr prints it
	Result bool    // its value
	Values []Value // the fields it read, in order of first appearance
}

// String renders the clause as `Status in ["new", "open"] is false: Status = "closed"`.
func (c Clause) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %t", c.Source, c.Result)
	for i, v := range c.Values {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Value is the value of one field an expression read, such as Status or
// Actor.Roles.
type Value struct {
	Name  string
	Value any
}

// String renders the value as `Name = value`, with strings, lists and maps in
// JSON notation.
func (v Value) String() string { return v.Name + " = " + formatValue(v.Value) }

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, bool:
		return fmt.Sprint(v)
	case time.Time:
		return `"` + x.Format(time.RFC3339) + `"`
	case fmt.Stringer:
		return fmt.Sprintf("%q", v)
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprintf("%v", v)
}

// node is the top-level &&/|| tree of a condition, with its leaves compiled
// separately so that Explain can evaluate each one.
type node struct {
	op       string // "&&", "||", or "" for a leaf
	children []*node
	leaf     *Expression
	values   []*Expression
}

func explainTree(src string, env any, c *Config) (*node, error) {
	pc := conf.CreateNew() // parser.Parse alone would cap the nodes at expr's default
	pc.MaxNodes = c.MaxNodes
	tree, err := parser.ParseWithConfig(src, pc)
	if err != nil {
		return nil, wrapError(src, err)
	}
	n, err := buildNode(tree.Node, env, c)
	if err != nil {
		// A clause that does not compile alone (it uses a variable bound
		// outside it, say) makes the whole condition one clause.
		return leafNode(src, tree.Node, env, c)
	}
	return n, nil
}

func buildNode(n ast.Node, env any, c *Config) (*node, error) {
	if b, ok := n.(*ast.BinaryNode); ok {
		op := b.Operator
		switch op {
		case "and":
			op = "&&"
		case "or":
			op = "||"
		}
		if op == "&&" || op == "||" {
			out := &node{op: op}
			for _, side := range []ast.Node{b.Left, b.Right} {
				child, err := buildNode(side, env, c)
				if err != nil {
					return nil, err
				}
				if child.op == op { // flatten a && b && c into one level
					out.children = append(out.children, child.children...)
				} else {
					out.children = append(out.children, child)
				}
			}
			return out, nil
		}
	}
	return leafNode(n.String(), n, env, c)
}

func leafNode(src string, n ast.Node, env any, c *Config) (*node, error) {
	leaf, err := compile(src, env, c)
	if err != nil {
		return nil, err
	}
	out := &node{leaf: leaf}
	for _, p := range fieldPaths(n) {
		if e, err := compile(p, env, c); err == nil {
			out.values = append(out.values, e)
		}
	}
	return out, nil
}

// fieldPaths lists the fields an expression reads: bare identifiers and
// chains of constant member accesses (Actor.Roles), in order, without
// duplicates and without the names of called functions.
func fieldPaths(n ast.Node) []string {
	v := &pathCollector{inner: map[ast.Node]bool{}}
	ast.Walk(&n, v)
	var out []string
	seen := map[string]bool{}
	for _, cand := range v.nodes {
		if v.inner[cand] {
			continue
		}
		p, ok := pathOf(cand)
		if ok && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

type pathCollector struct {
	nodes []ast.Node
	inner map[ast.Node]bool // nodes that are part of a longer path, or callees
}

func (v *pathCollector) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		v.nodes = append(v.nodes, x)
	case *ast.MemberNode:
		v.nodes = append(v.nodes, x)
		if _, ok := pathOf(x); ok { // the receiver of a method or a computed index is a field of its own
			v.inner[x.Node] = true
		}
	case *ast.CallNode:
		v.inner[x.Callee] = true
	}
}

func pathOf(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.IdentifierNode:
		return x.Value, true
	case *ast.MemberNode:
		prop, ok := x.Property.(*ast.StringNode)
		if !ok || x.Method {
			return "", false
		}
		base, ok := pathOf(x.Node)
		if !ok {
			return "", false
		}
		return base + "." + prop.Value, true
	}
	return "", false
}

// PrepareExplain compiles, now, the clauses that Explain evaluates one by
// one. Compile leaves this for later on purpose: the programs of conditions
// compiled one after another then sit close together in memory, which makes
// evaluating many of them markedly faster (the clause programs would
// otherwise be interleaved with them). Call PrepareExplain once all
// conditions are compiled to keep compilation off the request path, as the
// actions package does; otherwise the first Explain prepares it. It is safe
// to call more than once and concurrently.
func (c *Condition) PrepareExplain() {
	c.explainOnce.Do(func() {
		tree, err := explainTree(c.expr.source, c.expr.envType, c.cfg)
		if err != nil {
			// Unreachable for a source that compiled; explain it whole.
			tree = &node{leaf: &c.expr}
		}
		c.tree = tree
	})
}

// Explain evaluates the condition and reports the clauses that decided it,
// each with the values of the fields it read. A clause that fails at run time
// after the result is already decided is left out; one that fails before is
// an error.
func (c *Condition) Explain(ctx context.Context, env any) (Explanation, error) {
	res, err := c.Evaluate(ctx, env)
	if err != nil {
		return Explanation{}, err
	}
	c.PrepareExplain()
	_, clauses, err := c.tree.explain(ctx, env)
	if err != nil {
		return Explanation{}, err
	}
	return Explanation{Result: res, Clauses: clauses}, nil
}

func (n *node) explain(ctx context.Context, env any) (bool, []Clause, error) {
	if n.op == "" {
		out, err := n.leaf.Run(ctx, env)
		if err != nil {
			return false, nil, err
		}
		b, _ := out.(bool)
		cl := Clause{Source: n.leaf.source, Result: b}
		for _, v := range n.values {
			if val, err := v.Run(ctx, env); err == nil {
				cl.Values = append(cl.Values, Value{Name: v.source, Value: val})
			}
		}
		return b, []Clause{cl}, nil
	}
	// For &&, a false child decides; for ||, a true one.
	decisive := n.op == "||"
	var found bool
	var deciding, others []Clause
	for _, child := range n.children {
		r, cl, err := child.explain(ctx, env)
		if err != nil {
			if found {
				continue
			}
			return false, nil, err
		}
		if r == decisive {
			found = true
			deciding = append(deciding, cl...)
		} else {
			others = append(others, cl...)
		}
	}
	if found {
		return decisive, deciding, nil
	}
	return !decisive, others, nil
}
