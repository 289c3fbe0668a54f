package actions

import (
	"encoding/binary"
	"reflect"
	"unsafe"

	"github.com/actionable-go/actionable/internal/eval"
)

// A list view resolves many objects that agree on every field the
// catalog's rules read: the rows of one status and type, say. When what
// Resolve decides of an object is determined by those fields and the actor
// (no rule calls a host function or reads the clock), ResolveAll decides
// once per distinct combination of their values, its key, and reuses the
// decision for every object with the same key; the execution policies,
// which read the journal for each object, are still asked per object. A
// decision during which a rule failed at run time is not reused, so that
// the observer hears of every failure as from one Resolve per object.

// batchKey is the part of T's fields that decides what applies to an
// object, for one actor.
type batchKey struct {
	fields []keyField
}

// keyField is a field of the key: where it is in T and how to encode it.
type keyField struct {
	offset uintptr
	enc    keyEncoding
	size   uintptr // of a fixed-size value
}

type keyEncoding uint8

const (
	keyFixed         keyEncoding = iota // the value's bytes (booleans and numbers)
	keyString                           // length and bytes
	keyStrings                          // nil or not, length, and each string
	keyPointer                          // nil or not, then the fixed-size value it points to
	keyStringPointer                    // nil or not, then the string
)

// newBatchKey returns the key of the catalog's decisions, or nil when they
// are not determined by T's fields and the actor, or read a field the key
// cannot encode.
func newBatchKey(s *envShape, actions []*Action, ec *eval.Config) *batchKey {
	read := map[string]bool{} // by Go name
	var fields []fieldInfo
	add := func(f fieldInfo) {
		if !read[f.goName] {
			read[f.goName] = true
			fields = append(fields, f)
		}
	}
	for _, a := range actions {
		if a.state != nil && len(a.from) > 0 {
			add(*a.state)
		}
		for _, src := range a.sources() {
			if src == "" {
				continue
			}
			names, ok := eval.Reads(src, ec.FuncNames)
			if !ok {
				return nil
			}
			for _, name := range names {
				if f, ok := s.byExprName[name]; ok {
					add(f)
				}
				// Actor is the same for the whole batch; other names are
				// a let's, a closure's, or a function's.
			}
		}
	}
	k := &batchKey{}
	for _, f := range fields {
		kf, ok := keyFieldOf(f)
		if !ok {
			return nil
		}
		k.fields = append(k.fields, kf)
	}
	return k
}

func keyFieldOf(f fieldInfo) (keyField, bool) {
	kf := keyField{offset: f.offset}
	t := f.typ
	switch {
	case t.Kind() == reflect.String:
		kf.enc = keyString
	case fixedSize(t):
		kf.enc, kf.size = keyFixed, t.Size()
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		kf.enc = keyStrings
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.String:
		kf.enc = keyStringPointer
	case t.Kind() == reflect.Pointer && fixedSize(t.Elem()):
		kf.enc, kf.size = keyPointer, t.Elem().Size()
	default:
		return kf, false
	}
	return kf, true
}

// fixedSize reports whether t's values are equal exactly when their bytes
// are: booleans and numbers (floats by their bits, which tells +0 from -0
// and keeps NaN equal to itself: different keys for equal values cost a
// decision, never a wrong one).
func fixedSize(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// append appends obj's key to buf.
func (k *batchKey) append(buf []byte, obj unsafe.Pointer) []byte {
	for _, f := range k.fields {
		p := unsafe.Add(obj, f.offset)
		switch f.enc {
		case keyFixed:
			buf = append(buf, unsafe.Slice((*byte)(p), f.size)...)
		case keyString:
			buf = appendString(buf, *(*string)(p))
		case keyStrings:
			l := *(*[]string)(p)
			if l == nil {
				buf = append(buf, 0)
				continue
			}
			buf = binary.AppendUvarint(append(buf, 1), uint64(len(l)))
			for _, s := range l {
				buf = appendString(buf, s)
			}
		case keyStringPointer:
			sp := *(**string)(p)
			if sp == nil {
				buf = append(buf, 0)
				continue
			}
			buf = appendString(append(buf, 1), *sp)
		case keyPointer:
			vp := *(*unsafe.Pointer)(p)
			if vp == nil {
				buf = append(buf, 0)
				continue
			}
			buf = append(append(buf, 1), unsafe.Slice((*byte)(vp), f.size)...)
		}
	}
	return buf
}

func appendString(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}
