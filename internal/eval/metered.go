package eval

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm"
	"github.com/expr-lang/expr/vm/runtime"
)

// The functions the compiler inserts into metered programs (see patch.go).
// They are closures over the meter of a pooled VM, which the program reads
// from its first variables: OpCallTyped calls one of them as cheaply as an
// opcode, without the argument slice of a registered function. They panic
// with the error that ends the evaluation, which expr's VM turns into an
// error at the position of the call. Their names cannot be written in a
// rule: '@' is not a character of expr's syntax.
const (
	fnStep = iota
	fnWeigh
	fnWeighIn
	fnAdd
	fnRegexp
	fnMatches
	fnBuiltin
	fnCharge
	numFns
)

// fnNames and fnTypes are the names of the variables holding the functions
// and their types: types that expr's VM calls directly.
var (
	fnNames = [numFns]string{"@step", "@weigh", "@weighIn", "@add", "@regexp", "@matches", "@builtin", "@charge"}
	fnTypes = [numFns]reflect.Type{
		reflect.TypeFor[func(any) any](),
		reflect.TypeFor[func(any) any](),
		reflect.TypeFor[func(any) any](),
		reflect.TypeFor[func(any, any) any](),
		reflect.TypeFor[func(any, any) any](),
		reflect.TypeFor[func(any, any) any](),
		reflect.TypeFor[func(...any) any](),
		reflect.TypeFor[func(any) any](),
	}
)

// runner is a VM with the meter of the evaluation it runs and the metering
// functions bound to that meter.
type runner struct {
	vm    vm.VM
	meter meter
	fns   [numFns]any
}

func newRunner() *runner {
	r := new(runner)
	m := &r.meter
	r.fns = [numFns]any{
		fnStep: func(v any) any {
			if m.left > 1 { // step(1) without a call
				m.left--
				return v
			}
			m.must(m.endWindow(1))
			return v
		},
		fnWeigh:   m.weigh,
		fnWeighIn: m.weighIn,
		fnAdd:     m.add,
		fnRegexp:  m.matchConst,
		fnMatches: m.matches,
		fnBuiltin: m.builtin,
		fnCharge:  m.charge,
	}
	return r
}

// must ends the evaluation with err, if not nil.
func (m *meter) must(err error) {
	if err != nil {
		panic(err)
	}
}

// weigh returns its operand after counting its size as steps: inside a
// loop, an operation that compares or searches a string, list or map takes
// time in proportion to its size.
func (m *meter) weigh(v any) any {
	m.must(m.step(units(deref(v), m.stepsLeft())))
	return v
}

// weighIn is weigh for the right operand of in, which looks a key up in a
// map or struct at no cost and scans a list.
func (m *meter) weighIn(v any) any {
	switch d := deref(v); reflect.ValueOf(d).Kind() {
	case reflect.Map, reflect.Struct:
	default:
		m.must(m.step(units(d, m.stepsLeft())))
	}
	return v
}

// charge returns the result of a host function or method called in a loop
// after charging its size to the memory budget.
func (m *meter) charge(v any) any {
	m.must(m.alloc(shallow(deref(v))))
	return v
}

// add is +, when its operands may be strings: a concatenation charges its
// result to the memory budget before it is built.
func (m *meter) add(a, b any) any {
	a, b = deref(a), deref(b)
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			m.must(m.alloc(stringUnits(len(x) + len(y))))
			return x + y
		}
	}
	return runtime.Add(a, b)
}

// Regular expressions. Go's are matched in time linear in the input, but
// the factor is the size of the compiled pattern: a few thousand
// instructions against a megabyte run for a minute, and compiling a pattern
// of a few kilobytes can take hundreds of megabytes.
const (
	// maxPatternLength and maxPatternInsts bound the regular expressions
	// an expression matches, constant or computed.
	maxPatternLength = 1024
	maxPatternInsts  = 10_000
	// compileSteps is what compiling a computed pattern costs per byte:
	// about a microsecond.
	compileSteps = 32
	// matchDivisor: matching costs up to 16 ns per byte of input and
	// instruction of the pattern; a step is of the order of 50 ns.
	matchDivisor = 4
)

// patternError is a pattern over the limits. It unwraps to ErrTooLong.
type patternError struct{ msg string }

func (e *patternError) Error() string { return e.msg }
func (e *patternError) Unwrap() error { return ErrTooLong }

// patternSize checks a pattern against the limits and returns the number
// of instructions it compiles to.
func patternSize(pattern string) (int, error) {
	if len(pattern) > maxPatternLength {
		return 0, &patternError{fmt.Sprintf("regular expression is %d bytes long, over the limit of %d", len(pattern), maxPatternLength)}
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return 0, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0, err
	}
	if n := len(prog.Inst); n > maxPatternInsts {
		return 0, &patternError{fmt.Sprintf("regular expression compiles to %d instructions, over the limit of %d", n, maxPatternInsts)}
	}
	return len(prog.Inst), nil
}

// matchSteps is what matching n bytes against a pattern of insts
// instructions costs.
func matchSteps(n, insts int) uint {
	return uint(n+1)*uint(insts)/matchDivisor + 1
}

func inputLen(v any) int {
	switch s := v.(type) {
	case string:
		return len(s)
	case []byte:
		return len(s)
	}
	return 0
}

// matchConst returns the left operand of matches with a constant pattern
// (compiled with the program) after counting the steps of the match.
func (m *meter) matchConst(v, insts any) any {
	m.must(m.step(matchSteps(inputLen(deref(v)), insts.(int))))
	return v
}

// matches is matches with a computed pattern, as expr's VM runs it but
// within the limits.
func (m *meter) matches(a, b any) any {
	a, b = deref(a), deref(b)
	if runtime.IsNil(a) || runtime.IsNil(b) {
		return false
	}
	pattern := b.(string) // a panic, as in expr's VM, for a pattern that is not a string
	insts, err := patternSize(pattern)
	m.must(err)
	m.must(m.step(uint(len(pattern))*compileSteps + matchSteps(inputLen(a), insts)))
	re, err := regexp.Compile(pattern)
	m.must(err)
	if s, ok := a.(string); ok {
		return re.MatchString(s)
	}
	return re.Match(a.([]byte))
}

// Built-ins. Those of expr's built-ins that build a string or a list of a
// size their arguments do not bound (repeat, join, replace, split...) or
// that copy their arguments (string, toJSON, keys, sort...) are replaced, in
// metered programs, by a call of the same implementation that counts the
// size of its arguments as steps, checks an upper bound of its result
// against the memory budget before the call, and charges the result after.
// The others do constant work or, inside loops, have their arguments
// weighed (see weighedBuiltins).

// estimate returns an upper bound, in units, of what a built-in builds from
// args (dereferenced), given their size in units and the deepest nesting in
// them.
type estimate func(args []any, in uint, depth int) uint

var meteredBuiltins = map[string]estimate{
	"string": func(_ []any, in uint, _ int) uint { return 3*in + 3 }, // a number in %v is at most 24 bytes
	"toJSON": func(_ []any, in uint, depth int) uint {
		// Quotes and escapes (at most 6 bytes per byte), and on every line
		// of the indented output 2 spaces per level.
		return 6*in + in*uint(2*depth+2)/unitBytes + 3
	},
	"upper": func(_ []any, in uint, _ int) uint { return in*3/2 + 1 }, // a rune grows by half at most
	"lower": func(_ []any, in uint, _ int) uint { return in*3/2 + 1 },
	"split": splitSize, "splitAfter": splitSize,
	"replace": func(args []any, _ uint, _ int) uint {
		s, _ := args[0].(string)
		old, _ := args[1].(string)
		repl, _ := args[2].(string)
		n := strings.Count(s, old) // the runes plus one for an empty old, as ReplaceAll inserts
		if len(args) == 4 {
			if k, ok := toInt(args[3]); ok && k >= 0 && k < n {
				n = k
			}
		}
		size := len(s)
		if len(repl) > len(old) {
			size += n * (len(repl) - len(old))
		}
		return stringUnits(size)
	},
	"repeat": func(args []any, _ uint, _ int) uint {
		s, _ := args[0].(string)
		n, ok := toInt(args[1])
		if !ok || n <= 0 || len(s) == 0 {
			return 0 // repeat itself refuses it, or builds nothing
		}
		if n > math.MaxInt/len(s) {
			return math.MaxUint
		}
		return stringUnits(len(s) * n)
	},
	"join": func(args []any, _ uint, _ int) uint {
		glue := ""
		if len(args) == 2 {
			glue, _ = args[1].(string)
		}
		size, n := 0, 0
		switch l := args[0].(type) {
		case []string:
			for _, s := range l {
				size += len(s)
			}
			n = len(l)
		case []any:
			for _, e := range l {
				s, _ := e.(string)
				size += len(s)
			}
			n = len(l)
		}
		if n > 1 {
			size += (n - 1) * len(glue)
		}
		return stringUnits(size)
	},
	"toBase64": func(args []any, _ uint, _ int) uint {
		s, _ := args[0].(string)
		return stringUnits((len(s) + 2) / 3 * 4)
	},
	"fromBase64": func(args []any, _ uint, _ int) uint {
		s, _ := args[0].(string)
		return stringUnits(len(s)/4*3 + 3)
	},
	// Every JSON value takes a byte and its separator, a string 8 bytes per
	// unit and its quotes: a document of n bytes decodes to n/2+1 units at
	// most.
	"fromJSON": func(args []any, _ uint, _ int) uint {
		s, _ := args[0].(string)
		return uint(len(s))/2 + 1
	},
	"keys":      lenOfArgs,
	"values":    lenOfArgs,
	"toPairs":   func(args []any, _ uint, _ int) uint { return 3 * lenOfArgs(args, 0, 0) }, // a pair is a list of two
	"fromPairs": lenOfArgs,
	"reverse":   lenOfFirst,
	"uniq":      lenOfFirst,
	"sort":      lenOfFirst,
	"concat":    lenOfArgs,
	"flatten":   func(_ []any, in uint, _ int) uint { return in },
}

// weighedBuiltins are the built-ins whose work grows with their arguments
// but which build nothing of that size: inside a loop, their arguments are
// weighed like the operands of a comparison.
var weighedBuiltins = map[string]bool{
	"trim": true, "trimPrefix": true, "trimSuffix": true, "indexOf": true, "lastIndexOf": true,
	"hasPrefix": true, "hasSuffix": true, "max": true, "min": true, "mean": true, "median": true,
	"int": true, "float": true, "date": true, "duration": true, "timezone": true,
}

func splitSize(args []any, _ uint, _ int) uint {
	s, _ := args[0].(string)
	sep, _ := args[1].(string)
	n := strings.Count(s, sep) + 1
	if sep == "" {
		n = utf8.RuneCountInString(s)
	}
	if len(args) == 3 {
		if k, ok := toInt(args[2]); ok && k >= 0 && k < n {
			n = k
		}
	}
	return uint(n)
}

// toInt converts the integer argument of a built-in, as expr does.
func toInt(v any) (int, bool) {
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		n := rv.Int()
		return int(n), int64(int(n)) == n
	case rv.CanUint():
		n := rv.Uint()
		return int(n), n <= math.MaxInt
	}
	return 0, false
}

func lenOf(v any) uint {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		return uint(rv.Len())
	}
	return 0
}

func lenOfFirst(args []any, _ uint, _ int) uint { return lenOf(args[0]) }

func lenOfArgs(args []any, _ uint, _ int) uint {
	var n uint
	for _, a := range args {
		n += lenOf(a)
	}
	return n
}

// shallow is what a built-in's result costs: its bytes or its elements (the
// elements of a list it returns are those of its arguments, already
// counted).
func shallow(v any) uint {
	if s, ok := v.(string); ok {
		return stringUnits(len(s))
	}
	return lenOf(v)
}

// builtinIDs and builtinFuncs number the replaced built-ins: a metered
// program calls @builtin(id, args...).
var (
	builtinIDs   = map[string]int{}
	builtinFuncs []*builtin.Function
	builtinEsts  []estimate
)

func init() {
	for name, est := range meteredBuiltins {
		builtinIDs[name] = len(builtinFuncs)
		builtinFuncs = append(builtinFuncs, builtin.Builtins[builtin.Index[name]])
		builtinEsts = append(builtinEsts, est)
	}
}

// builtin calls the replaced built-in args[0] with args[1:]: it counts the
// size of the arguments as steps, checks an upper bound of the result
// against the memory budget, calls expr's implementation and charges its
// result.
func (m *meter) builtin(args ...any) any {
	id := args[0].(int)
	f, est := builtinFuncs[id], builtinEsts[id]
	in := args[1:] // the VM's buffer for this call: dereferenced in place
	var size uint
	depth := 0
	for i, a := range in {
		in[i] = deref(a)
		n, d := measure(in[i], m.stepsLeft())
		size, depth = size+n, max(depth, d)
	}
	m.must(m.step(size + 1))
	m.must(m.fits(est(in, size, depth)))
	var out any
	var err error
	switch {
	case f.Fast != nil:
		out = f.Fast(in[0])
	case f.Func != nil:
		out, err = f.Func(in...)
	default:
		out, _, err = f.Safe(in...)
	}
	m.must(err)
	charge := shallow(out)
	if f.Name == "fromJSON" {
		charge = units(out, m.maxMem-m.mem+1)
	}
	m.must(m.alloc(charge))
	return out
}
