package actions

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"
	"unsafe"
)

// Status is the state of an execution.
type Status string

// Execution statuses.
const (
	// StatusPending: saved, with an effect still running or finishing later.
	StatusPending Status = "pending"
	// StatusSucceeded: saved and every effect succeeded.
	StatusSucceeded Status = "succeeded"
	// StatusFailed: saved, but an effect failed (Detail says why).
	StatusFailed Status = "failed"
)

// Execution records one execution of an action on an object.
type Execution struct {
	ID          string
	ActionID    string
	ObjectID    string
	ActorID     string
	Comment     string
	Time        time.Time
	FromVersion int64 // the version the action was applied to
	ToVersion   int64 // the version it saved
	Status      Status
	Detail      string // what an effect reported: an error, a callout's answer
}

// Store keeps the objects the engine acts on, each with a version that
// grows by one with every save. Implementations must be safe for concurrent
// use: Load, Save and Create may be called from many goroutines at once.
type Store[T any] interface {
	// Load returns the object and its version, or an error matching
	// ErrNotFound. The returned value must not share memory with what the
	// store keeps.
	Load(ctx context.Context, id string) (T, int64, error)
	// Save replaces the object if its version is still expected, records
	// rec in the journal in the same step, and returns the new version
	// (expected+1). A different version is an error matching ErrConflict,
	// and nothing is written. A SQL store does this in one transaction:
	// UPDATE ... SET version = version + 1 WHERE id = $1 AND version = $2,
	// then INSERT the execution.
	Save(ctx context.Context, id string, obj T, expected int64, rec Execution) (int64, error)
	// Create stores a new object at version 1; an existing id is an error
	// matching ErrConflict.
	Create(ctx context.Context, id string, obj T) (int64, error)
}

// Filter selects executions; empty fields match anything.
type Filter struct {
	ID       string
	ActionID string
	ObjectID string
	ActorID  string
	Status   Status
	Limit    int // at most this many (oldest first); 0 means all
}

func (f Filter) match(e *Execution) bool {
	return (f.ID == "" || f.ID == e.ID) && (f.ActionID == "" || f.ActionID == e.ActionID) &&
		(f.ObjectID == "" || f.ObjectID == e.ObjectID) && (f.ActorID == "" || f.ActorID == e.ActorID) &&
		(f.Status == "" || f.Status == e.Status)
}

// Journal reads and finishes the execution records a Store writes. It is
// what execution policies and audit views query. Implementations must be
// safe for concurrent use.
type Journal interface {
	// Executions returns the records matching f, oldest first.
	Executions(ctx context.Context, f Filter) ([]Execution, error)
	// Finish moves a pending execution to StatusSucceeded or StatusFailed
	// with detail. An unknown id matches ErrNotFound; an execution that is
	// no longer pending matches ErrConflict.
	Finish(ctx context.Context, id string, status Status, detail string) (Execution, error)
}

// MemoryStore is the in-memory Store and Journal. It is safe for concurrent
// use and copies values deeply on the way in and out, so that a caller can
// never change what it stores except through Save.
type MemoryStore[T any] struct {
	flat  bool // T holds no pointers, slices, maps or interfaces: copies are plain
	mu    sync.RWMutex
	objs  map[string]versioned[T]
	execs []Execution
}

type versioned[T any] struct {
	obj     T
	version int64
}

var (
	_ Store[struct{}] = (*MemoryStore[struct{}])(nil)
	_ Journal         = (*MemoryStore[struct{}])(nil)
)

// NewMemoryStore returns an empty store.
func NewMemoryStore[T any]() *MemoryStore[T] {
	return &MemoryStore[T]{objs: map[string]versioned[T]{}, flat: !hasRefs(reflect.TypeFor[T](), 0)}
}

// Load implements Store.
func (s *MemoryStore[T]) Load(ctx context.Context, id string) (T, int64, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, 0, err
	}
	s.mu.RLock()
	v, ok := s.objs[id]
	s.mu.RUnlock()
	if !ok {
		return zero, 0, &NotFoundError{Kind: "object", ID: id}
	}
	return s.copy(v.obj), v.version, nil
}

// Save implements Store.
func (s *MemoryStore[T]) Save(ctx context.Context, id string, obj T, expected int64, rec Execution) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	obj = s.copy(obj)
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.objs[id]
	if !ok {
		return 0, &NotFoundError{Kind: "object", ID: id}
	}
	if v.version != expected {
		return 0, fmt.Errorf("%w: object %q is at version %d, not %d", ErrConflict, id, v.version, expected)
	}
	s.objs[id] = versioned[T]{obj: obj, version: expected + 1}
	if rec.ID != "" {
		s.execs = append(s.execs, rec)
	}
	return expected + 1, nil
}

// Create implements Store.
func (s *MemoryStore[T]) Create(ctx context.Context, id string, obj T) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	obj = s.copy(obj)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objs[id]; ok {
		return 0, fmt.Errorf("%w: object %q already exists", ErrConflict, id)
	}
	s.objs[id] = versioned[T]{obj: obj, version: 1}
	return 1, nil
}

// Delete removes an object; an unknown id matches ErrNotFound. Its
// executions stay in the journal.
func (s *MemoryStore[T]) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objs[id]; !ok {
		return &NotFoundError{Kind: "object", ID: id}
	}
	delete(s.objs, id)
	return nil
}

// IDs returns the ids of the stored objects, in no particular order.
func (s *MemoryStore[T]) IDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.objs))
	for id := range s.objs {
		ids = append(ids, id)
	}
	return ids
}

// Executions implements Journal.
func (s *MemoryStore[T]) Executions(ctx context.Context, f Filter) ([]Execution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Execution
	for i := range s.execs {
		if f.match(&s.execs[i]) {
			out = append(out, s.execs[i])
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

// Finish implements Journal.
func (s *MemoryStore[T]) Finish(ctx context.Context, id string, status Status, detail string) (Execution, error) {
	if err := ctx.Err(); err != nil {
		return Execution{}, err
	}
	if status != StatusSucceeded && status != StatusFailed {
		return Execution{}, fmt.Errorf("actions: cannot finish an execution as %q", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.execs {
		e := &s.execs[i]
		if e.ID != id {
			continue
		}
		if e.Status != StatusPending {
			return *e, fmt.Errorf("%w: execution %s is %s, not pending", ErrConflict, id, e.Status)
		}
		e.Status, e.Detail = status, detail
		return *e, nil
	}
	return Execution{}, &NotFoundError{Kind: "execution", ID: id}
}

func (s *MemoryStore[T]) copy(v T) T {
	if s.flat {
		return v
	}
	return deepCopy(v)
}

// hasRefs reports whether values of t reach mutable shared memory through
// exported fields (promoted ones included).
func hasRefs(t reflect.Type, depth int) bool {
	if depth > 32 {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return hasRefs(t.Elem(), depth+1)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); (f.IsExported() || f.Anonymous) && hasRefs(f.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

// deepCopy copies v so that the copy shares no mutable memory with it:
// pointers, slices and maps are copied recursively. Unexported fields are
// copied as they are (shallowly), but for the exported fields an unexported
// embedded struct (or pointer to one) promotes. A pointer, map or slice met
// twice is copied once, so cycles end and aliases stay aliases.
func deepCopy[T any](v T) T {
	var out T
	var c copier
	c.value(reflect.ValueOf(&out).Elem(), reflect.ValueOf(&v).Elem())
	return out
}

// copier remembers the copies of the pointers, maps and slices that may
// lead back to themselves.
type copier struct {
	seen map[copyKey]reflect.Value // made on first use
}

type copyKey struct {
	typ reflect.Type
	ptr uintptr
	len int // slices over one array with different lengths are different values
}

// lookup returns the copy made of src, if any, when src's elements may hold
// references (only those can be part of a cycle or worth keeping aliased).
func (c *copier) lookup(src reflect.Value, n int) (copyKey, reflect.Value, bool) {
	if !hasRefs(src.Type().Elem(), 0) {
		return copyKey{}, reflect.Value{}, false
	}
	k := copyKey{typ: src.Type(), ptr: src.Pointer(), len: n}
	v, ok := c.seen[k]
	return k, v, ok
}

func (c *copier) remember(k copyKey, v reflect.Value) {
	if k.typ == nil {
		return
	}
	if c.seen == nil {
		c.seen = map[copyKey]reflect.Value{}
	}
	c.seen[k] = v
}

// fields deep-copies the exported fields of the struct src into dst, which
// holds a shallow copy of src, including the fields an unexported embedded
// struct or pointer to a struct promotes (callers reach them as their own).
func (c *copier) fields(dst, src reflect.Value) {
	for i := 0; i < src.NumField(); i++ {
		f := dst.Field(i)
		switch sf := src.Type().Field(i); {
		case f.CanSet():
			c.value(f, src.Field(i))
		case !sf.Anonymous:
		case f.Kind() == reflect.Struct:
			c.fields(f, src.Field(i))
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct:
			// An unexported embedded pointer: reflect will not set it, so
			// reach it through its address (dst is always addressable).
			p := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			c.value(p, reflect.ValueOf(p.Interface()))
		}
	}
}

func (c *copier) value(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		k, seen, ok := c.lookup(src, 0)
		if ok {
			dst.Set(seen)
			return
		}
		p := reflect.New(src.Type().Elem())
		c.remember(k, p)
		c.value(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		k, seen, ok := c.lookup(src, src.Len())
		if ok {
			dst.Set(seen)
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		c.remember(k, s)
		for i := 0; i < src.Len(); i++ {
			c.value(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		k, seen, ok := c.lookup(src, 0)
		if ok {
			dst.Set(seen)
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		c.remember(k, m)
		it := src.MapRange()
		for it.Next() {
			v := reflect.New(src.Type().Elem()).Elem()
			c.value(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		dst.Set(src) // unexported fields and values, then deepen the exported ones
		c.fields(dst, src)
	case reflect.Array:
		for i := 0; i < src.Len(); i++ {
			c.value(dst.Index(i), src.Index(i))
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		c.value(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}
