package eval

import (
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Metering. expr bounds what the elements of ranges, arrays and maps cost,
// but not the iterations of loops, the bytes of strings, nor the time an
// evaluation takes. The compiler closes these gaps by rewriting the checked
// and optimized AST of an expression before compiling it:
//
//   - the body of every loop (the predicate of all, map, filter, reduce...)
//     becomes `@step(body)`, which counts an iteration, reads the context
//     every checkEvery steps and yields the body's value;
//   - inside a loop, an operand of a comparison, of in, contains,
//     startsWith or endsWith, or an argument of a built-in that scans it or
//     of a host function or method, becomes `@weigh(operand)`, which counts
//     the operand's size; the string, list or map a host function returns
//     there becomes `@charge(result)`, which charges it to the memory budget;
//   - a + whose operands may be strings, matches, and the built-ins that
//     build strings and lists become calls (@add, @matches, @builtin) that
//     check and charge what they build before building it;
//
// and, if it inserted any of these, declares their names as variables
// around the whole: `let @step = nil; let @weigh = nil; ...; expression`.
// The compiled program then starts with OpNil, OpStore 0, OpNil, OpStore 1
// and so on, which meterProgram turns into a jump over them: the variables
// keep the functions, bound to the meter of one VM, that the evaluator put
// there before running it (see runner). Each inserted node has the type of
// the node it replaces, so that the static type of the expression does not
// change.
//
// An expression that needs none of this (no loop, no string built, no
// pattern matched) compiles to exactly what expr compiles, and runs at
// expr's speed.

// loopBuiltins are the built-ins that run their predicate once per element.
var loopBuiltins = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true, "count": true, "sum": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "groupBy": true, "sortBy": true, "reduce": true,
}

// weighedOperators are the binary operators whose cost grows with their
// operands.
var weighedOperators = map[string]bool{
	"==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"contains": true, "startsWith": true, "endsWith": true,
}

type patcher struct {
	metered bool
}

// meterTree rewrites tree for metering, as described above, and reports
// whether it did.
func meterTree(tree *parser.Tree) bool {
	p := &patcher{}
	p.walk(&tree.Node, false)
	if !p.metered {
		return false
	}
	root := tree.Node
	for i := numFns - 1; i >= 0; i-- {
		let := &ast.VariableDeclaratorNode{Name: fnNames[i], Value: &ast.NilNode{}, Expr: tree.Node}
		let.SetNature(*root.Nature())
		let.SetLocation(root.Location())
		tree.Node = let
	}
	return true
}

// meterProgram makes the program of a metered tree keep the functions the
// evaluator puts in its first variables, and returns how many variables the
// program has.
func meterProgram(p *vm.Program) (int, error) {
	const prefix = 2 * numFns
	ok := len(p.Bytecode) > prefix
	for i := 0; ok && i < numFns; i++ {
		ok = p.Bytecode[2*i] == vm.OpNil && p.Bytecode[2*i+1] == vm.OpStore && p.Arguments[2*i+1] == i
	}
	if !ok {
		return 0, fmt.Errorf("conditions: internal error: metered program does not start with its declarations: %v", p.Bytecode[:min(prefix, len(p.Bytecode))])
	}
	p.Bytecode[0], p.Arguments[0] = vm.OpJump, prefix-1
	vars := 0
	for i, op := range p.Bytecode {
		if op == vm.OpStore || op == vm.OpLoadVar {
			vars = max(vars, p.Arguments[i]+1)
		}
	}
	return vars, nil
}

// call returns a call of the metering function fn with args, in place of
// like, whose type and position it takes.
func (p *patcher) call(fn int, like ast.Node, args ...ast.Node) ast.Node {
	p.metered = true
	callee := &ast.IdentifierNode{Value: fnNames[fn]}
	callee.SetType(fnTypes[fn])
	c := &ast.CallNode{Callee: callee, Arguments: args}
	c.SetNature(*like.Nature())
	c.SetLocation(like.Location())
	return c
}

// step returns `@step(body)`, which counts a step and yields body, at the
// position of loop.
func (p *patcher) step(body, loop ast.Node) ast.Node {
	step := p.call(fnStep, body, body)
	step.SetLocation(loop.Location())
	return step
}

func (p *patcher) walk(n *ast.Node, loop bool) {
	switch x := (*n).(type) {
	case *ast.UnaryNode:
		p.walk(&x.Node, loop)
	case *ast.BinaryNode:
		p.walk(&x.Left, loop)
		p.walk(&x.Right, loop)
		p.binary(n, x, loop)
	case *ast.ChainNode:
		p.walk(&x.Node, loop)
	case *ast.MemberNode:
		p.walk(&x.Node, loop)
		p.walk(&x.Property, loop)
	case *ast.SliceNode:
		p.walk(&x.Node, loop)
		if x.From != nil {
			p.walk(&x.From, loop)
		}
		if x.To != nil {
			p.walk(&x.To, loop)
		}
	case *ast.CallNode:
		p.walk(&x.Callee, loop)
		for i := range x.Arguments {
			p.walk(&x.Arguments[i], loop)
		}
		if loop {
			p.hostCall(n, x)
		}
	case *ast.BuiltinNode:
		p.builtin(n, x, loop)
	case *ast.PredicateNode:
		p.walk(&x.Node, loop)
	case *ast.VariableDeclaratorNode:
		p.walk(&x.Value, loop)
		p.walk(&x.Expr, loop)
	case *ast.SequenceNode:
		for i := range x.Nodes {
			p.walk(&x.Nodes[i], loop)
		}
	case *ast.ConditionalNode:
		p.walk(&x.Cond, loop)
		p.walk(&x.Exp1, loop)
		p.walk(&x.Exp2, loop)
	case *ast.ArrayNode:
		for i := range x.Nodes {
			p.walk(&x.Nodes[i], loop)
		}
	case *ast.MapNode:
		for i := range x.Pairs {
			p.walk(&x.Pairs[i], loop)
		}
	case *ast.PairNode:
		p.walk(&x.Key, loop)
		p.walk(&x.Value, loop)
	}
}

func (p *patcher) builtin(n *ast.Node, x *ast.BuiltinNode, loop bool) {
	if loopBuiltins[x.Name] {
		p.walk(&x.Arguments[0], loop) // the collection is evaluated once, before the loop
		for i := 1; i < len(x.Arguments); i++ {
			if pr, ok := x.Arguments[i].(*ast.PredicateNode); ok {
				p.walk(&pr.Node, true)
				pr.Node = p.step(pr.Node, x)
			} else {
				p.walk(&x.Arguments[i], loop)
			}
		}
		if x.Map != nil { // filter(...) | map(...), folded into one loop by the optimizer
			p.walk(&x.Map, true)
		}
		if (x.Name == "count" || x.Name == "sum") && len(x.Arguments) == 1 {
			// count(list) and sum(list) loop without a predicate: give
			// them the predicate # they run.
			pointer := &ast.PointerNode{}
			pointer.SetLocation(x.Location())
			x.Arguments = append(x.Arguments, &ast.PredicateNode{Node: p.step(pointer, x)})
		}
		return
	}
	for i := range x.Arguments {
		p.walk(&x.Arguments[i], loop)
	}
	if id, ok := builtinIDs[x.Name]; ok {
		arg := &ast.IntegerNode{Value: id}
		arg.SetType(reflect.TypeFor[int]())
		*n = p.call(fnBuiltin, x, append([]ast.Node{arg}, x.Arguments...)...)
		return
	}
	if loop && weighedBuiltins[x.Name] {
		for i := range x.Arguments {
			p.weigh(&x.Arguments[i], fnWeigh)
		}
	}
}

// hostCall meters the call of a host function or method inside a loop: its
// arguments are weighed, and a result that is a string, list or map is
// charged to the memory budget.
func (p *patcher) hostCall(n *ast.Node, x *ast.CallNode) {
	for i := range x.Arguments {
		p.weigh(&x.Arguments[i], fnWeigh)
	}
	switch x.Type().Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Interface:
		*n = p.call(fnCharge, x, x)
	}
}

func (p *patcher) binary(n *ast.Node, x *ast.BinaryNode, loop bool) {
	switch op := x.Operator; {
	case op == "+":
		if stringish(x.Left) && stringish(x.Right) {
			*n = p.call(fnAdd, x, x.Left, x.Right)
		}
	case op == "matches":
		if s, ok := x.Right.(*ast.StringNode); ok {
			insts, err := patternSize(s.Value)
			if err != nil {
				insts = maxPatternInsts // unreachable: checked before compiling
			}
			arg := &ast.IntegerNode{Value: insts}
			arg.SetType(reflect.TypeFor[int]())
			x.Left = p.call(fnRegexp, x.Left, x.Left, arg)
		} else {
			*n = p.call(fnMatches, x, x.Left, x.Right)
		}
	case op == "in" && loop:
		p.weigh(&x.Right, fnWeighIn)
	case weighedOperators[op] && loop:
		p.weigh(&x.Left, fnWeigh)
		p.weigh(&x.Right, fnWeigh)
	}
}

// weigh wraps *n, unless it is a small constant or a number.
func (p *patcher) weigh(n *ast.Node, fn int) {
	switch x := (*n).(type) {
	case *ast.NilNode, *ast.BoolNode, *ast.IntegerNode, *ast.FloatNode:
		return
	case *ast.StringNode:
		if len(x.Value) < 64 {
			return
		}
	case *ast.ConstantNode:
		if units(x.Value, 8) < 8 {
			return
		}
	}
	switch t := (*n).Type(); {
	case t == timeType, scalar(t.Kind()):
		return
	case fn == fnWeighIn && (t.Kind() == reflect.Map || t.Kind() == reflect.Struct):
		return // a lookup
	}
	*n = p.call(fn, *n, *n)
}

// stringish reports whether n may be a string.
func stringish(n ast.Node) bool {
	k := n.Type().Kind()
	return k == reflect.String || k == reflect.Interface
}
