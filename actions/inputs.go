package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/actionable-go/actionable/internal/eval"
)

// Input declares a value an actor gives when executing an action. Changes
// and post-conditions read it as Input.<Name>, with the Go type of its
// Type; an input that is not given reads as that type's zero value.
type Input struct {
	// Name is an identifier (letters, digits, _; not starting with a
	// digit), unique within the action.
	Name string `json:"name"`
	// Type is the input's type.
	Type InputType `json:"type"`
	// Required inputs must be given (a nil value is not given). An input
	// that is not given reads as its type's zero value in expressions
	// (Input.note == "", Input.amount == 0): a change that must tell
	// "not given" from zero needs the input required.
	Required bool `json:"required,omitempty"`
	// Validate holds validator/v10 tags for the value ("min=10",
	// "gte=0,lte=5000", "email"), checked when the action is executed.
	Validate string `json:"validate,omitempty"`
	// Description is for the people filling in a form.
	Description string `json:"description,omitempty"`
}

// InputType is the type of an Input.
type InputType string

// The input types, with the Go type expressions see and the values an
// Execute request may give for them.
const (
	InputString  InputType = "string"  // string; UTF-8 text without NUL bytes
	InputNumber  InputType = "number"  // float64; any Go number or json.Number
	InputInteger InputType = "integer" // int; a whole number within ±2^53 of any Go numeric type or json.Number
	InputBool    InputType = "bool"    // bool
	InputTime    InputType = "time"    // time.Time; or a string in RFC 3339 or 2006-01-02 form
	InputStrings InputType = "strings" // []string (of InputString's text); or a []any of strings, as encoding/json decodes a list
)

var inputGoTypes = map[InputType]reflect.Type{
	InputString:  reflect.TypeFor[string](),
	InputNumber:  reflect.TypeFor[float64](),
	InputInteger: reflect.TypeFor[int](),
	InputBool:    reflect.TypeFor[bool](),
	InputTime:    reflect.TypeFor[time.Time](),
	InputStrings: reflect.TypeFor[[]string](),
}

// Inputs are the values of an execution's inputs, by name, as a client
// sends them: decoding a JSON object into Inputs gives values Execute
// accepts.
type Inputs map[string]any

// inputField is the expression name environments give the inputs.
const inputField = "Input"

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// compiledInputs is what an action with inputs needs at run time: the
// struct type of Input and the shape of the environment that holds it.
type compiledInputs struct {
	defs  []Input
	typ   reflect.Type // struct{F0 ... `expr:"name"`}
	index map[string]int
	shape *envShape // the catalog's shape with an Input field
}

// compileInputs checks the declarations of an action's inputs and builds
// the types its expressions are compiled against.
func compileInputs(base *envShape, ins []Input, v *validator.Validate, bad func(key string, err error)) *compiledInputs {
	if len(ins) == 0 {
		return nil
	}
	ok := true
	seen := map[string]bool{}
	fields := make([]reflect.StructField, 0, len(ins))
	for j, in := range ins {
		key := fmt.Sprintf("inputs[%d]", j)
		t, known := inputGoTypes[in.Type]
		switch {
		case !identifier.MatchString(in.Name):
			bad(key+".name", fmt.Errorf("%q is not an identifier", in.Name))
			ok = false
		case seen[in.Name]:
			bad(key+".name", fmt.Errorf("input %q is declared twice", in.Name))
			ok = false
		}
		seen[in.Name] = true
		if !known {
			bad(key+".type", fmt.Errorf("unknown input type %q (want string, number, integer, bool, time or strings)", in.Type))
			ok = false
			continue
		}
		if in.Validate != "" {
			if err := checkTags(v, t, in.Validate); err != nil {
				bad(key+".validate", err)
				ok = false
			}
		}
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("F%d", j), Type: t,
			Tag: reflect.StructTag(fmt.Sprintf(`expr:%q json:%q`, in.Name, in.Name)),
		})
	}
	_, taken := base.fields[inputField]
	if _, read := base.byExprName[inputField]; taken || read {
		bad("inputs", fmt.Errorf("the object type has a field %s, a name the environment reserves for inputs", inputField))
		ok = false
	}
	if !ok {
		return nil
	}
	ci := &compiledInputs{defs: ins, typ: reflect.StructOf(fields), index: map[string]int{}}
	for j, in := range ins {
		ci.index[in.Name] = j
	}
	ci.shape = base.withInputs(ci.typ)
	return ci
}

// nameInput rewrites an expression's compile error to call the Input struct
// Input, rather than spell out its Go type (struct { F0 string ... }).
func (ci *compiledInputs) nameInput(err error) error {
	var ee *eval.Error
	if ci == nil || !errors.As(err, &ee) || !strings.Contains(ee.Message, ci.typ.String()) {
		return err
	}
	out := *ee
	out.Message = strings.ReplaceAll(ee.Message, "type "+ci.typ.String(), inputField)
	out.Message = strings.ReplaceAll(out.Message, ci.typ.String(), inputField)
	return &out
}

// checkTags reports validator tags that the validator does not know, which
// it would otherwise report by panicking at the first execution.
func checkTags(v *validator.Validate, t reflect.Type, tags string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid validate tags %q: %v", tags, r)
		}
	}()
	_ = v.Var(reflect.Zero(t).Interface(), tags)
	return nil
}

// declared returns the index of the input named name; ci may be nil (an
// action without inputs).
func (ci *compiledInputs) declared(name string) (int, bool) {
	if ci == nil {
		return 0, false
	}
	j, ok := ci.index[name]
	return j, ok
}

// values checks in against the declarations and returns the Input struct
// expressions read, the inputs as the execution record keeps them, and
// every violation.
func (ci *compiledInputs) values(v *validator.Validate, in Inputs) (reflect.Value, map[string]any, []Violation) {
	var vs []Violation
	var unknown []string // in name order
	for name := range in {
		if _, ok := ci.declared(name); !ok {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		vs = append(vs, Violation{Field: "input." + name, Rule: "unknown", Message: fmt.Sprintf("input.%s is not an input of this action", name)})
	}
	if ci == nil {
		return reflect.Value{}, nil, vs
	}
	out := reflect.New(ci.typ).Elem()
	rec := map[string]any{}
	for j, d := range ci.defs {
		raw, given := in[d.Name]
		if !given || raw == nil {
			if d.Required {
				field := "input." + d.Name
				vs = append(vs, Violation{Field: field, Rule: "required", Message: field + " is required"})
			}
			continue
		}
		val, err := convertInput(d.Type, raw)
		if err != nil {
			field := "input." + d.Name
			vs = append(vs, Violation{Field: field, Rule: "type", Message: fmt.Sprintf("%s %v", field, err)})
			continue
		}
		if d.Validate != "" {
			err := guardValidator(func() error { return v.Var(val, d.Validate) })
			if fes, ok := validationErrors(err); ok {
				field := "input." + d.Name
				for _, fe := range fes {
					vs = append(vs, Violation{Field: field, Rule: fe.Tag(), Param: fe.Param(), Message: field + " " + ruleMessage(fe)})
				}
				continue
			} else if err != nil {
				field := "input." + d.Name
				vs = append(vs, Violation{Field: field, Rule: "validate", Message: fmt.Sprintf("%s: %v", field, err)})
				continue
			}
		}
		out.Field(j).Set(reflect.ValueOf(val))
		rec[d.Name] = recordValue(val)
	}
	if len(rec) == 0 {
		rec = nil
	}
	return out, rec, vs
}

// convertInput converts a value a client gave to the Go type of t.
func convertInput(t InputType, raw any) (any, error) {
	switch t {
	case InputString:
		if s, ok := raw.(string); ok {
			if !plainText(s) {
				return nil, errors.New("must be UTF-8 text without NUL bytes")
			}
			return s, nil
		}
		return nil, fmt.Errorf("must be a string, not %T", raw)
	case InputBool:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("must be true or false, not %T", raw)
	case InputInteger:
		return integer(raw)
	case InputNumber:
		f, ok := number(raw)
		if !ok {
			return nil, fmt.Errorf("must be a number, not %T", raw)
		}
		return f, nil
	case InputTime:
		switch x := raw.(type) {
		case time.Time:
			return x, nil
		case string:
			layouts := []string{time.RFC3339Nano, time.DateOnly}
			if len(x) == len(time.DateOnly) { // too short for RFC 3339, whose failure would cost an error
				layouts = layouts[1:]
			}
			for _, layout := range layouts {
				if tm, err := time.Parse(layout, x); err == nil {
					return tm, nil
				}
			}
			return nil, fmt.Errorf("must be a time in RFC 3339 or 2006-01-02 form, not %q", x)
		}
		return nil, fmt.Errorf("must be a time, not %T", raw)
	case InputStrings:
		switch x := raw.(type) {
		case []string:
			for i, s := range x {
				if !plainText(s) {
					return nil, fmt.Errorf("must be a list of strings; element %d is not UTF-8 text without NUL bytes", i)
				}
			}
			return append([]string{}, x...), nil
		case []any:
			out := make([]string, len(x))
			for i, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("must be a list of strings; element %d is %T", i, e)
				}
				if !plainText(s) {
					return nil, fmt.Errorf("must be a list of strings; element %d is not UTF-8 text without NUL bytes", i)
				}
				out[i] = s
			}
			return out, nil
		}
		return nil, fmt.Errorf("must be a list of strings, not %T", raw)
	}
	return nil, fmt.Errorf("has an unknown type %q", t) // unreachable: checked at compile time
}

// maxInputInteger bounds integer inputs: the execution record keeps inputs
// in the form encoding/json decodes them, a float64, which holds every
// integer up to 2^53 exactly and no further.
const maxInputInteger = 1 << 53

// integer reads a whole number exactly: Go integers and json.Number by
// their digits, floats only when they have no fraction.
func integer(raw any) (any, error) {
	var i int64
	v := reflect.ValueOf(raw)
	switch n, isNumber := raw.(json.Number); {
	case isNumber:
		var err error
		if i, err = n.Int64(); err != nil {
			f, ferr := n.Float64()
			if ferr != nil || f != math.Trunc(f) {
				return nil, fmt.Errorf("must be a whole number, not %s", n)
			}
			return nil, fmt.Errorf("%s is out of range (integers are within ±2^53)", n)
		}
	case v.CanInt():
		i = v.Int()
	case v.CanUint():
		if v.Uint() > maxInputInteger {
			return nil, fmt.Errorf("%d is out of range (integers are within ±2^53)", v.Uint())
		}
		i = int64(v.Uint())
	case v.CanFloat():
		f := v.Float()
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("must be a whole number, not %v", f)
		}
		if math.Abs(f) > maxInputInteger {
			return nil, fmt.Errorf("%v is out of range (integers are within ±2^53)", f)
		}
		i = int64(f)
	default:
		return nil, fmt.Errorf("must be a number, not %T", raw)
	}
	if i > maxInputInteger || i < -maxInputInteger {
		return nil, fmt.Errorf("%d is out of range (integers are within ±2^53)", i)
	}
	return int(i), nil
}

// number reads any Go number or a json.Number as a float64.
func number(raw any) (float64, bool) {
	if n, ok := raw.(json.Number); ok {
		f, err := n.Float64()
		return f, err == nil
	}
	v := reflect.ValueOf(raw)
	switch {
	case v.CanInt():
		return float64(v.Int()), true
	case v.CanUint():
		return float64(v.Uint()), true
	case v.CanFloat():
		f := v.Float()
		return f, !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// recordValue is an input value as an execution record keeps it: the form
// encoding/json decodes into an any, so that every store reads back what it
// wrote.
func recordValue(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

// copyInputs copies a record's inputs, which hold only strings, float64s,
// bools and lists of strings.
func copyInputs(in map[string]any) map[string]any {
	if in == nil {
		return nil
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		if l, ok := v.([]any); ok {
			v = append([]any{}, l...)
		}
		out[k] = v
	}
	return out
}

// plainText reports whether s is text every store keeps as it is: valid
// UTF-8 (encoding/json would replace the rest) without NUL bytes (which
// PostgreSQL's text and jsonb refuse).
func plainText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
