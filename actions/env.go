package actions

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// envShape is the struct type expressions are compiled against: every
// exported field of T (promoted fields included) at the top level, plus
// Actor. It is built once per catalog with reflect.StructOf; building a value
// copies T's fields into it, so that rules read `Status`, not `Object.Status`.
type envShape struct {
	typ      reflect.Type
	obj      reflect.Type
	prefix   bool           // T's fields are the env's first fields, at the same offsets, and T ends before Actor: copy T whole
	typeWord unsafe.Pointer // the type word of an interface holding a s.typ
	src      [][]int        // index path in T of each env field but the last
	actorIdx int
	actorOff uintptr              // offset of Actor in typ
	inputIdx int                  // index of Input in typ; 0 when the shape has none
	fields   map[string]fieldInfo // by Go name and by JSON name
	// byExprName holds the fields by the name expressions read them by:
	// their expr tag, else their Go name.
	byExprName map[string]fieldInfo
}

// fieldInfo describes one settable field of T.
type fieldInfo struct {
	goName   string
	jsonName string
	index    []int
	offset   uintptr // from the start of T: fields reached through a pointer are not listed
	typ      reflect.Type
}

// stringAt reads the string (or string-kinded) field at f's offset in obj.
// Going through the offset rather than reflect keeps obj on the caller's
// stack.
func stringAt[T any](obj *T, f *fieldInfo) string {
	return *(*string)(unsafe.Add(unsafe.Pointer(obj), f.offset))
}

func newEnvShape(t reflect.Type) (_ *envShape, err error) {
	defer func() {
		// reflect.StructOf panics on what it does not support; that is an
		// unsupported object type, not a reason to take the host down.
		if r := recover(); r != nil {
			err = fmt.Errorf("actions: object type %v is not supported: %v", t, r)
		}
	}()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("actions: object type %v is not a struct", t)
	}
	s := &envShape{fields: map[string]fieldInfo{}, byExprName: map[string]fieldInfo{}}
	var fields []reflect.StructField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Pointer {
			continue // promoted through a pointer: may be nil, not copied
		}
		if f.Name == "Actor" || exprName(f) == "Actor" {
			return nil, fmt.Errorf("actions: object type %v has a field %s that expressions read as Actor, a name the environment reserves for the actor", t, f.Name)
		}
		if len(f.Index) > 1 && viaPointer(t, f.Index) {
			continue
		}
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
		s.src = append(s.src, f.Index)
		info := fieldInfo{goName: f.Name, jsonName: jsonName(f), index: f.Index, offset: offsetOf(t, f.Index), typ: f.Type}
		s.fields[f.Name] = info
		if name := exprName(f); name != "" {
			if other, taken := s.byExprName[name]; taken {
				// expr's type checker and its run time need not agree on
				// which of the two a name reads.
				return nil, fmt.Errorf("actions: object type %v has fields %s and %s that expressions both read as %s", t, other.goName, f.Name, name)
			}
			s.byExprName[name] = info
		}
		if _, taken := s.fields[info.jsonName]; !taken {
			s.fields[info.jsonName] = info
		}
	}
	s.actorIdx = len(fields)
	fields = append(fields, reflect.StructField{Name: "Actor", Type: reflect.TypeFor[Actor]()})
	s.typ = reflect.StructOf(fields)
	s.actorOff = s.typ.Field(s.actorIdx).Offset
	s.obj = t
	zero := reflect.Zero(s.typ).Interface()
	s.typeWord = (*eface)(unsafe.Pointer(&zero)).typ
	// A whole copy of T writes t.Size() bytes, padding included: the
	// compiler pads T after a zero-size last field, and that padding is
	// where the environment puts Actor.
	s.prefix = len(s.src) == t.NumField() && t.Size() <= s.actorOff
	for i, idx := range s.src {
		if len(idx) != 1 || idx[0] != i || s.typ.Field(i).Offset != t.Field(i).Offset {
			s.prefix = false
		}
	}
	return s, nil
}

// withInputs returns a copy of s whose environment has one more field,
// Input, of type in: the shape of the expressions of an action with inputs.
func (s *envShape) withInputs(in reflect.Type) *envShape {
	fields := make([]reflect.StructField, s.typ.NumField(), s.typ.NumField()+1)
	for i := range fields {
		fields[i] = s.typ.Field(i)
	}
	fields = append(fields, reflect.StructField{Name: inputField, Type: in})
	out := *s
	out.typ = reflect.StructOf(fields)
	out.inputIdx = len(fields) - 1
	zero := reflect.Zero(out.typ).Interface()
	out.typeWord = (*eface)(unsafe.Pointer(&zero)).typ
	return &out
}

func offsetOf(t reflect.Type, index []int) uintptr {
	var off uintptr
	for _, i := range index {
		f := t.Field(i)
		off += f.Offset
		t = f.Type
	}
	return off
}

func viaPointer(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Pointer {
			return true
		}
		t = f.Type
	}
	return false
}

// jsonName is the name encoding/json gives the field.
func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if name, _, _ := strings.Cut(tag, ","); name != "" && name != "-" {
		return name
	}
	return f.Name
}

// envOf builds the environment of obj and actor: a struct value of s.typ,
// boxed once, to pass to every expression of one request. It allocates the
// environment and nothing else; obj and actor do not escape.
//
// The memory is new for every environment and never written once boxed:
// expr hands out values that point into it (a string field read by a host
// function, say), and a host may keep them.
func envOf[T any](s *envShape, obj *T, actor *Actor) any {
	p := reflect.New(s.typ).UnsafePointer() // typed: the collector knows its layout
	fillEnv(s, p, obj, actor)
	return s.box(p)
}

// envWithInputs is envOf for the shape of an action with inputs: in is the
// value of its Input struct.
func envWithInputs[T any](s *envShape, obj *T, actor *Actor, in reflect.Value) any {
	p := reflect.New(s.typ)
	fillEnv(s, p.UnsafePointer(), obj, actor)
	p.Elem().Field(s.inputIdx).Set(in)
	return s.box(p.UnsafePointer())
}

// fillEnv writes obj and actor into p, memory allocated as an s.typ.
func fillEnv[T any](s *envShape, p unsafe.Pointer, obj *T, actor *Actor) {
	if s.prefix {
		// T's fields have the same types at the same offsets: a typed copy.
		*(*T)(p) = *obj
	} else {
		cp := *obj // reflect would move obj itself to the heap
		src := reflect.ValueOf(&cp).Elem()
		dst := reflect.NewAt(s.typ, p).Elem()
		for i, idx := range s.src {
			dst.Field(i).Set(src.FieldByIndex(idx))
		}
	}
	*(*Actor)(unsafe.Add(p, s.actorOff)) = *actor
}

// eface is the layout of an interface value (runtime.eface).
type eface struct{ typ, data unsafe.Pointer }

// box returns an interface holding the struct at p without copying it, as
// reflect.Value.Interface does for a value that is not addressable; it saves
// the copy (an allocation) that Interface makes of an addressable one. The
// struct at p was allocated by reflect.New(s.typ), so the garbage collector
// knows its layout, and it is never written after boxing, so the interface
// holds an immutable value like any other. A struct with an Actor field is
// never pointer-shaped, so the interface's data word is a pointer to it.
func (s *envShape) box(p unsafe.Pointer) any {
	var out any
	*(*eface)(unsafe.Pointer(&out)) = eface{typ: s.typeWord, data: p}
	return out
}
