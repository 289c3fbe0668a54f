package actions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// MemoryStore is the in-memory Store, Creator, Journal and Pruner. The zero
// value is an empty store, ready to use; NewMemoryStore returns the same.
//
// It is safe for concurrent use and copies values deeply on the way in and
// out, so that a caller can never change what it stores except through Save.
// Its journal is indexed by execution id, by object and by what execution
// policies read, so that a policy check and Finish cost the same however
// many records it holds; it grows in fixed-size blocks, so that an append
// never copies the records before it.
type MemoryStore[T any] struct {
	flatOnce sync.Once
	flat     bool // T holds no pointers, slices, maps or interfaces: copies are plain

	mu   sync.RWMutex // guards objs; taken before j.mu when both are needed
	objs map[string]versioned[T]

	j memJournal
}

type versioned[T any] struct {
	obj     T
	version int64
}

var (
	_ Store[struct{}]   = (*MemoryStore[struct{}])(nil)
	_ Creator[struct{}] = (*MemoryStore[struct{}])(nil)
	_ Journal           = (*MemoryStore[struct{}])(nil)
	_ Pruner            = (*MemoryStore[struct{}])(nil)
)

// NewMemoryStore returns an empty store.
func NewMemoryStore[T any]() *MemoryStore[T] { return &MemoryStore[T]{} }

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

// Save implements Store. A record with an empty id, or with the id of a
// record already in the journal, is refused (the latter with an error
// matching ErrConflict), and nothing is written.
func (s *MemoryStore[T]) Save(ctx context.Context, id string, obj T, expected int64, rec *Execution) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if rec != nil && rec.ID == "" {
		return 0, errors.New("actions: an execution record needs an id")
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
	if rec != nil {
		if err := s.j.add(rec); err != nil {
			return 0, err
		}
	}
	s.objs[id] = versioned[T]{obj: obj, version: expected + 1}
	return expected + 1, nil
}

// Create implements Creator.
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
	if s.objs == nil {
		s.objs = map[string]versioned[T]{}
	}
	s.objs[id] = versioned[T]{obj: obj, version: 1}
	return 1, nil
}

// Delete removes an object; an unknown id matches ErrNotFound. Its
// executions stay in the journal, and so do its execution policies: an
// object created again under the same id cannot run a Once action twice.
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

// Executions implements Journal. A filter by ID or by ObjectID reads an
// index; other filters scan the journal from the first record their bounds
// allow.
func (s *MemoryStore[T]) Executions(ctx context.Context, f Filter) ([]Execution, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return s.j.executions(f), nil
}

// Policies implements Journal, from an index that Prune keeps.
func (s *MemoryStore[T]) Policies(ctx context.Context, q PolicyQuery) ([]PolicyState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.j.policies(q), nil
}

// Finish implements Journal.
func (s *MemoryStore[T]) Finish(ctx context.Context, id string, status Status, detail string) (Execution, error) {
	if err := ctx.Err(); err != nil {
		return Execution{}, err
	}
	if status != StatusSucceeded && status != StatusFailed {
		return Execution{}, fmt.Errorf("actions: cannot finish an execution as %q", status)
	}
	return s.j.finish(id, status, detail)
}

// Prune implements Pruner. It looks at every record, so run it now and
// then, not per request.
func (s *MemoryStore[T]) Prune(ctx context.Context, r Retention) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.Keep < 0 {
		return 0, fmt.Errorf("actions: retention keep %d is negative", r.Keep)
	}
	return s.j.prune(r), nil
}

func (s *MemoryStore[T]) copy(v T) T {
	s.flatOnce.Do(func() { s.flat = !hasRefs(reflect.TypeFor[T](), 0) })
	if s.flat {
		return v
	}
	return deepCopy(v)
}

// blockSize is the number of records of one block of the memory journal.
const blockSize = 512

// memJournal is the journal of a MemoryStore. Records live in blocks of
// blockSize, in Seq order with no gaps: the record of Seq q is at index
// q-base-1 across the blocks. A dropped record is zeroed in place (Seq 0);
// a leading block with no live record left is released.
type memJournal struct {
	mu     sync.RWMutex
	blocks []*[blockSize]Execution
	alive  []int // live records per block
	base   int64 // Seq before the first slot of blocks[0]
	last   int64 // the last Seq assigned
	live   int   // records not dropped

	byID   map[string]int64
	byObj  map[string]*seqList // each object's Seqs, ascending; dropped ones are removed by prune
	policy map[policyKey]*policyEntry
}

// seqList is an ascending list of Seqs in blocks of blockSize, so that a
// long one (an object executed a million times) never copies itself to
// grow.
type seqList struct {
	blocks [][]int64 // all full but the last
	n      int
}

func (l *seqList) add(seq int64) {
	if l.n%blockSize == 0 {
		// Most objects have a few records: the first block starts small
		// and doubles up to blockSize (a bounded copy); later ones are
		// made whole.
		size := blockSize
		if l.n == 0 {
			size = 4
		}
		l.blocks = append(l.blocks, make([]int64, 0, size))
	}
	last := &l.blocks[len(l.blocks)-1]
	*last = append(*last, seq)
	l.n++
}

func (l *seqList) at(i int) int64 { return l.blocks[i/blockSize][i%blockSize] }

// search returns the index of the first Seq at least seq.
func (l *seqList) search(seq int64) int {
	return sort.Search(l.n, func(i int) bool { return l.at(i) >= seq })
}

type policyKey struct{ object, action string }

// policyEntry is what Policies reports of one action on one object. It
// outlives the records it was built from.
type policyEntry struct {
	first  string              // actor of the first execution
	actors map[string]struct{} // every actor that executed it
}

// at returns the slot of seq, which must be in (base, last].
func (j *memJournal) at(seq int64) *Execution {
	i := seq - j.base - 1
	return &j.blocks[i/blockSize][i%blockSize]
}

func (j *memJournal) add(rec *Execution) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.byID == nil {
		j.byID, j.byObj, j.policy = map[string]int64{}, map[string]*seqList{}, map[policyKey]*policyEntry{}
	}
	seq := j.last + 1
	// The strings of a request (its path, its body) would otherwise stay
	// alive with the record and as keys of the indexes.
	id := strings.Clone(rec.ID)
	// One probe of the index, not a lookup and then an insert: an id is
	// new but for a broken generator, whose duplicate costs a scan to put
	// the index back as it was.
	n := len(j.byID)
	j.byID[id] = seq
	if len(j.byID) == n {
		j.byID[id] = j.seqOf(id)
		return fmt.Errorf("%w: execution %s is already recorded", ErrConflict, rec.ID)
	}
	i := seq - j.base - 1
	if int(i/blockSize) == len(j.blocks) {
		j.blocks = append(j.blocks, new([blockSize]Execution))
		j.alive = append(j.alive, 0)
	}
	rec.Seq = seq
	e := j.at(seq)
	*e = *rec
	e.ID = id
	for _, s := range []*string{&e.ActionID, &e.ObjectID, &e.ActorID, &e.Comment, &e.Detail} {
		*s = strings.Clone(*s)
	}
	e.Inputs = copyInputs(rec.Inputs)
	j.alive[i/blockSize]++
	j.last, j.live = seq, j.live+1
	l := j.byObj[e.ObjectID]
	if l == nil {
		l = &seqList{}
		j.byObj[e.ObjectID] = l
	}
	l.add(seq)
	k := policyKey{e.ObjectID, e.ActionID}
	p := j.policy[k]
	if p == nil {
		p = &policyEntry{first: e.ActorID, actors: map[string]struct{}{}}
		j.policy[k] = p
	}
	if e.ActorID != "" {
		p.actors[e.ActorID] = struct{}{}
	}
	return nil
}

// seqOf returns the Seq of the live record id, by a scan from the newest.
func (j *memJournal) seqOf(id string) int64 {
	for seq := j.last; seq > j.base; seq-- {
		if e := j.at(seq); e.Seq != 0 && e.ID == id {
			return seq
		}
	}
	panic("actions: journal index names a record it does not hold") // unreachable
}

func (j *memJournal) executions(f Filter) []Execution {
	j.mu.RLock()
	defer j.mu.RUnlock()
	var out []Execution
	take := func(seq int64) bool { // reports whether to go on
		if e := j.at(seq); e.Seq != 0 && f.Match(e) {
			out = append(out, *e)
			out[len(out)-1].Inputs = copyInputs(e.Inputs)
		}
		return f.Limit == 0 || len(out) < f.Limit
	}
	lo, hi := max(j.base, f.After)+1, j.last // the Seqs the bounds allow
	if f.Before != 0 {
		hi = min(hi, f.Before-1)
	}
	if lo > hi {
		return nil
	}
	switch {
	case f.ID != "":
		if seq, ok := j.byID[f.ID]; ok && seq >= lo && seq <= hi {
			take(seq)
		}
	case f.ObjectID != "":
		l := j.byObj[f.ObjectID]
		if l == nil {
			return nil
		}
		from, to := l.search(lo), l.search(hi+1) // the Seqs in [lo, hi]
		if f.Newest {
			for i := to - 1; i >= from && take(l.at(i)); i-- {
			}
		} else {
			for i := from; i < to && take(l.at(i)); i++ {
			}
		}
	case f.Newest:
		for seq := hi; seq >= lo && take(seq); seq-- {
		}
	default:
		for seq := lo; seq <= hi && take(seq); seq++ {
		}
	}
	return out
}

func (j *memJournal) policies(q PolicyQuery) []PolicyState {
	j.mu.RLock()
	defer j.mu.RUnlock()
	var out []PolicyState
	var seen map[policyKey]bool // only when an id repeats, which is rare
	dups := hasDuplicates(q.ObjectIDs) || hasDuplicates(q.ActionIDs)
	for _, o := range q.ObjectIDs {
		for _, a := range q.ActionIDs {
			k := policyKey{o, a}
			p := j.policy[k]
			if p == nil {
				continue
			}
			if dups {
				if seen[k] {
					continue
				}
				if seen == nil {
					seen = map[policyKey]bool{}
				}
				seen[k] = true
			}
			st := PolicyState{ObjectID: o, ActionID: a, FirstActorID: p.first}
			if q.ActorID != "" {
				_, st.ByActor = p.actors[q.ActorID]
			}
			out = append(out, st)
		}
	}
	return out
}

func hasDuplicates(ids []string) bool {
	if len(ids) < 16 {
		for i := range ids {
			if slices.Contains(ids[:i], ids[i]) {
				return true
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; ok {
			return true
		}
		seen[id] = struct{}{}
	}
	return false
}

func (j *memJournal) finish(id string, status Status, detail string) (Execution, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	seq, ok := j.byID[id]
	if !ok {
		return Execution{}, &NotFoundError{Kind: "execution", ID: id}
	}
	e := j.at(seq)
	out := *e
	out.Inputs = copyInputs(e.Inputs)
	if e.Status != StatusPending {
		return out, fmt.Errorf("%w: execution %s is %s, not pending", ErrConflict, id, e.Status)
	}
	e.Status, e.Detail = status, strings.Clone(detail)
	out.Status, out.Detail = status, detail
	return out, nil
}

func (j *memJournal) prune(r Retention) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	excess := 0
	if r.Keep > 0 {
		excess = j.live - r.Keep
	}
	dropped := 0
	objects := map[string]bool{}
	for seq := j.base + 1; seq <= j.last; seq++ {
		e := j.at(seq)
		if e.Seq == 0 || e.Status == StatusPending {
			continue
		}
		if dropped >= excess && (r.Before.IsZero() || !e.Time.Before(r.Before)) {
			continue
		}
		objects[e.ObjectID] = true
		delete(j.byID, e.ID)
		*e = Execution{}
		j.alive[(seq-j.base-1)/blockSize]--
		j.live--
		dropped++
	}
	for obj := range objects {
		old, kept := j.byObj[obj], &seqList{}
		for i := range old.n {
			if seq := old.at(i); j.at(seq).Seq != 0 {
				kept.add(seq)
			}
		}
		if kept.n == 0 {
			delete(j.byObj, obj)
		} else {
			j.byObj[obj] = kept
		}
	}
	// Release the leading blocks that are full and hold no live record.
	n := 0
	for n < len(j.blocks) && j.alive[n] == 0 && j.base+int64(n+1)*blockSize <= j.last {
		n++
	}
	if n > 0 {
		j.blocks = slices.Clone(j.blocks[n:])
		j.alive = slices.Clone(j.alive[n:])
		j.base += int64(n) * blockSize
	}
	return dropped
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

// refsByType remembers hasRefs for the types deepCopy meets.
var refsByType sync.Map // reflect.Type → bool

// typeHasRefs is hasRefs(t, 0), remembered per type.
func typeHasRefs(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return false
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	}
	if v, ok := refsByType.Load(t); ok {
		return v.(bool)
	}
	refs := hasRefs(t, 0)
	refsByType.Store(t, refs)
	return refs
}

// deepCopy copies v so that the copy shares no mutable memory with it:
// pointers, slices and maps are copied recursively. Unexported fields are
// copied as they are (shallowly), but for the exported fields an unexported
// embedded struct (or pointer to one) promotes. A pointer, map or slice met
// twice is copied once, so cycles end and aliases stay aliases.
func deepCopy[T any](v T) T {
	// v is a shallow copy already: its references are replaced by copies
	// in place (each is read before it is replaced), so that one T, not
	// two, goes to the heap.
	var c copier
	dst := reflect.ValueOf(&v).Elem()
	c.value(dst, dst)
	return v
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
	if !typeHasRefs(src.Type().Elem()) {
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

// refFields remembers, per struct type, the indexes of the fields a copy
// must deepen: those that hold references and are exported or embedded
// (the others are copied shallowly).
var refFields sync.Map // reflect.Type → []int

func fieldsWithRefs(t reflect.Type) []int {
	if v, ok := refFields.Load(t); ok {
		return v.([]int)
	}
	var refs []int
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); (f.IsExported() || f.Anonymous) && typeHasRefs(f.Type) {
			refs = append(refs, i)
		}
	}
	refFields.Store(t, refs)
	return refs
}

// fields deep-copies the exported fields of the struct src into dst, which
// holds a shallow copy of src (or is src), including the fields an
// unexported embedded struct or pointer to a struct promotes (callers reach
// them as their own).
func (c *copier) fields(dst, src reflect.Value) {
	for _, i := range fieldsWithRefs(src.Type()) {
		f := dst.Field(i)
		if f.CanSet() {
			c.value(f, src.Field(i))
			continue
		}
		switch sf := src.Type().Field(i); {
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

// plainCopy replaces, without reflection, the slice or pointer p points to
// by a copy when its type is one of the common ones whose elements hold no
// references, and reports whether it did. Such elements are never
// remembered by the copier (see lookup), so this changes nothing but the
// cost. A copied slice has the length and capacity of the original's
// length, as reflect.MakeSlice would make it.
func plainCopy(p any) bool {
	switch p := p.(type) {
	case *[]string:
		*p = cloneSlice(*p)
	case *[]int:
		*p = cloneSlice(*p)
	case *[]int64:
		*p = cloneSlice(*p)
	case *[]float64:
		*p = cloneSlice(*p)
	case *[]bool:
		*p = cloneSlice(*p)
	case *[]byte:
		*p = cloneSlice(*p)
	case **string:
		*p = clonePointer(*p)
	case **int:
		*p = clonePointer(*p)
	case **int64:
		*p = clonePointer(*p)
	case **float64:
		*p = clonePointer(*p)
	case **bool:
		*p = clonePointer(*p)
	case **time.Time:
		*p = clonePointer(*p)
	default:
		return false
	}
	return true
}

func cloneSlice[E any](s []E) []E {
	if s == nil {
		return nil
	}
	out := make([]E, len(s))
	copy(out, s)
	return out
}

func clonePointer[E any](p *E) *E {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// value deep-copies src into dst; they may be the same memory (deepCopy
// works in place), so every case reads what it needs of src before it
// sets dst.
func (c *copier) value(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		if dst.CanSet() {
			dst.Set(src) // plainCopy copies what dst holds
			if plainCopy(dst.Addr().Interface()) {
				return
			}
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
		if dst.CanSet() {
			dst.Set(src) // plainCopy copies what dst holds
			if plainCopy(dst.Addr().Interface()) {
				return
			}
		}
		k, seen, ok := c.lookup(src, src.Len())
		if ok {
			dst.Set(seen)
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		c.remember(k, s)
		if k.typ == nil { // elements without references: their bytes are a copy
			reflect.Copy(s, src)
		} else {
			for i := 0; i < src.Len(); i++ {
				c.value(s.Index(i), src.Index(i))
			}
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
		var it reflect.MapIter
		it.Reset(src)
		if k.typ == nil { // values without references: set as they are
			for it.Next() {
				m.SetMapIndex(it.Key(), it.Value())
			}
		} else {
			for it.Next() {
				v := reflect.New(src.Type().Elem()).Elem()
				c.value(v, it.Value())
				m.SetMapIndex(it.Key(), v)
			}
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
