package actions

import (
	"fmt"
	"reflect"
	"strings"
)

// envShape is the struct type expressions are compiled against: every
// exported field of T (promoted fields included) at the top level, plus
// Actor. It is built once per catalog with reflect.StructOf; building a value
// copies T's fields into it, so that rules read `Status`, not `Object.Status`.
type envShape struct {
	typ      reflect.Type
	src      [][]int // index path in T of each env field but the last
	actorIdx int
	fields   map[string]fieldInfo // by Go name and by JSON name
}

// fieldInfo describes one settable field of T.
type fieldInfo struct {
	goName   string
	jsonName string
	index    []int
	typ      reflect.Type
}

func newEnvShape(t reflect.Type) (*envShape, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("actions: object type %v is not a struct", t)
	}
	s := &envShape{fields: map[string]fieldInfo{}}
	var fields []reflect.StructField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Pointer {
			continue // promoted through a pointer: may be nil, not copied
		}
		if f.Name == "Actor" {
			return nil, fmt.Errorf("actions: object type %v has a field Actor, a name the environment reserves for the actor", t)
		}
		if len(f.Index) > 1 && viaPointer(t, f.Index) {
			continue
		}
		fields = append(fields, reflect.StructField{Name: f.Name, Type: f.Type, Tag: f.Tag})
		s.src = append(s.src, f.Index)
		info := fieldInfo{goName: f.Name, jsonName: jsonName(f), index: f.Index, typ: f.Type}
		s.fields[f.Name] = info
		if _, taken := s.fields[info.jsonName]; !taken {
			s.fields[info.jsonName] = info
		}
	}
	s.actorIdx = len(fields)
	fields = append(fields, reflect.StructField{Name: "Actor", Type: reflect.TypeFor[Actor]()})
	s.typ = reflect.StructOf(fields)
	return s, nil
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

// value builds an environment holding obj's fields and the actor. The result
// is a struct value boxed once; pass it to every expression of one request.
func (s *envShape) value(obj reflect.Value, actor *Actor) any {
	env := reflect.New(s.typ).Elem()
	for i, idx := range s.src {
		if len(idx) == 1 {
			env.Field(i).Set(obj.Field(idx[0]))
		} else {
			env.Field(i).Set(obj.FieldByIndex(idx))
		}
	}
	env.Field(s.actorIdx).Set(reflect.ValueOf(actor).Elem())
	return env.Interface()
}
