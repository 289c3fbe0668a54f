package actions_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
)

// Inner is reached through pointers, slices, maps and interfaces of Deep.
type Inner struct {
	Name string
	Tags []string
}

// Deep has every kind of reference a store must copy.
type Deep struct {
	P    *Inner
	PP   **Inner
	S    []Inner
	M    map[string]*Inner
	A    [2][]int
	I    any
	T    time.Time
	Name string
	embedded
}

// embedded is unexported, but its exported fields are promoted into Deep.
type embedded struct{ Notes []string }

func newDeep() Deep {
	p := &Inner{Name: "pp", Tags: []string{"x"}}
	return Deep{
		P:        &Inner{Name: "p", Tags: []string{"a"}},
		PP:       &p,
		S:        []Inner{{Name: "s", Tags: []string{"b"}}},
		M:        map[string]*Inner{"k": {Name: "m", Tags: []string{"c"}}},
		A:        [2][]int{{1}, {2}},
		I:        &Inner{Name: "i", Tags: []string{"d"}},
		T:        pinned,
		Name:     "f",
		embedded: embedded{Notes: []string{"n"}},
	}
}

// mutateDeep changes everything reachable from d without assigning its
// fields.
func mutateDeep(d Deep) {
	d.P.Name, d.P.Tags[0] = "changed", "changed"
	(*d.PP).Name, (*d.PP).Tags[0] = "changed", "changed"
	d.S[0].Name, d.S[0].Tags[0] = "changed", "changed"
	d.M["k"].Name, d.M["k"].Tags[0] = "changed", "changed"
	d.M["new"] = &Inner{}
	d.A[0][0] = 99
	d.I.(*Inner).Name = "changed"
	d.Notes[0] = "changed"
}

var deepOpts = cmp.AllowUnexported(Deep{})

func TestMemoryStoreIsolation(t *testing.T) {
	tests := []struct {
		name string
		// step stores a value and returns one the caller still holds,
		// which the test then mutates.
		step func(t *testing.T, s *actions.MemoryStore[Deep]) Deep
	}{
		{
			name: "value passed to Create",
			step: func(t *testing.T, s *actions.MemoryStore[Deep]) Deep {
				d := newDeep()
				mustCreate(t, s, "D-1", d)
				return d
			},
		},
		{
			name: "value returned by Load",
			step: func(t *testing.T, s *actions.MemoryStore[Deep]) Deep {
				mustCreate(t, s, "D-1", newDeep())
				d, _, err := s.Load(context.Background(), "D-1")
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return d
			},
		},
		{
			name: "value passed to Save",
			step: func(t *testing.T, s *actions.MemoryStore[Deep]) Deep {
				mustCreate(t, s, "D-1", Deep{})
				d := newDeep()
				if _, err := s.Save(context.Background(), "D-1", d, 1, nil); err != nil {
					t.Fatalf("Save: %v", err)
				}
				return d
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := actions.NewMemoryStore[Deep]()
			held := tt.step(t, s)
			mutateDeep(held)
			got, _, err := s.Load(context.Background(), "D-1")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			diff(t, "stored value", newDeep(), got, deepOpts)
		})
	}
}

// Plain reaches, through each of its fields, memory that holds no
// references itself: the kinds of fields a store copies most often.
type Plain struct {
	Name   *string
	Count  *int
	Big    *int64
	Ratio  *float64
	Done   *bool
	Due    *time.Time
	Tags   []string
	Nums   []int
	IDs    []int64
	Scores []float64
	Flags  []bool
	Raw    []byte
	Labels Labels // a named slice type
	Times  []time.Time
	Attrs  map[string]string
	Empty  []string // empty, not nil
	None   []string // nil
}

// Labels is a named slice type.
type Labels []string

func newPlain() Plain {
	name, count, big, ratio, done, due := "n", 1, int64(2), 0.5, true, pinned
	return Plain{
		Name: &name, Count: &count, Big: &big, Ratio: &ratio, Done: &done, Due: &due,
		Tags: []string{"a", "b"}, Nums: []int{1}, IDs: []int64{2}, Scores: []float64{0.5}, Flags: []bool{true},
		Raw: []byte("raw"), Labels: Labels{"l"}, Times: []time.Time{pinned}, Attrs: map[string]string{"k": "v"},
		Empty: []string{},
	}
}

// mutatePlain changes everything reachable from p without assigning its
// fields.
func mutatePlain(p Plain) {
	*p.Name, *p.Count, *p.Big, *p.Ratio, *p.Done, *p.Due = "changed", 9, 9, 9, false, pinned.Add(time.Hour)
	p.Tags[0], p.Nums[0], p.IDs[0], p.Scores[0], p.Flags[0], p.Raw[0] = "changed", 9, 9, 9, false, 'X'
	p.Labels[0], p.Times[0], p.Attrs["k"] = "changed", pinned.Add(time.Hour), "changed"
	p.Attrs["new"] = "added"
}

func TestMemoryStorePlainReferences(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// step stores a value and returns one the caller still holds,
		// which the test then mutates.
		step func(t *testing.T, s *actions.MemoryStore[Plain]) Plain
	}{
		{
			name: "value passed to Create",
			step: func(t *testing.T, s *actions.MemoryStore[Plain]) Plain {
				p := newPlain()
				mustCreate(t, s, "P-1", p)
				return p
			},
		},
		{
			name: "value returned by Load",
			step: func(t *testing.T, s *actions.MemoryStore[Plain]) Plain {
				mustCreate(t, s, "P-1", newPlain())
				p, _, err := s.Load(ctx, "P-1")
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return p
			},
		},
		{
			name: "value passed to Save",
			step: func(t *testing.T, s *actions.MemoryStore[Plain]) Plain {
				mustCreate(t, s, "P-1", Plain{})
				p := newPlain()
				if _, err := s.Save(ctx, "P-1", p, 1, nil); err != nil {
					t.Fatalf("Save: %v", err)
				}
				return p
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := actions.NewMemoryStore[Plain]()
			held := tt.step(t, s)
			mutatePlain(held)
			got, _, err := s.Load(ctx, "P-1")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			diff(t, "stored value", newPlain(), got)
			// An empty slice stays empty and a nil one nil; a copy has no
			// room beyond its length.
			if got.Empty == nil || got.None != nil {
				t.Errorf("Empty = %#v, None = %#v, want an empty slice and nil", got.Empty, got.None)
			}
			if cap(got.Tags) != len(got.Tags) || cap(got.Labels) != len(got.Labels) || cap(got.Times) != len(got.Times) {
				t.Errorf("capacities %d, %d, %d, want the lengths", cap(got.Tags), cap(got.Labels), cap(got.Times))
			}
		})
	}
}

// Nested reaches plain slices and pointers from inside other references:
// a pointer, a map, a slice, an array behind a pointer, an interface.
type Nested struct {
	PS *[]string
	MS map[string][]string
	SS [][]string
	SP []*string
	MP map[string]*string
	PA *[2][]int
	I  any // a []string
	IP any // a *string
}

func newNested() Nested {
	ps := []string{"ps"}
	a, b, c := "sp", "mp", "ip"
	return Nested{
		PS: &ps, MS: map[string][]string{"k": {"ms"}}, SS: [][]string{{"ss"}}, SP: []*string{&a},
		MP: map[string]*string{"k": &b}, PA: &[2][]int{{1}, {2}}, I: []string{"i"}, IP: &c,
	}
}

// mutateNested changes everything reachable from n without assigning its
// fields.
func mutateNested(n Nested) {
	(*n.PS)[0], n.MS["k"][0], n.SS[0][0], *n.SP[0], *n.MP["k"] = "changed", "changed", "changed", "changed", "changed"
	n.PA[0][0], n.I.([]string)[0], *n.IP.(*string) = 9, "changed", "changed"
}

func TestMemoryStoreNestedPlainReferences(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[Nested]()
	in := newNested()
	mustCreate(t, s, "N-1", in)
	mutateNested(in)
	loaded, _, err := s.Load(ctx, "N-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	diff(t, "loaded value", newNested(), loaded)
	mutateNested(loaded)
	got, _, _ := s.Load(ctx, "N-1")
	diff(t, "stored value", newNested(), got)
}

// Flat holds no references: the store copies it as a plain value.
type Flat struct {
	Name  string
	Count int
	When  time.Time
	Pair  [2]float64
}

func TestMemoryStoreFlat(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[Flat]()
	in := Flat{Name: "a", Count: 1, When: pinned, Pair: [2]float64{1, 2}}
	mustCreate(t, s, "F-1", in)
	got, v, err := s.Load(ctx, "F-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	diff(t, "loaded", in, got)
	diff(t, "version", int64(1), v)
}

func mustCreate[T any](t *testing.T, s *actions.MemoryStore[T], id string, v T) {
	t.Helper()
	if _, err := s.Create(context.Background(), id, v); err != nil {
		t.Fatalf("Create(%q): %v", id, err)
	}
}

func TestMemoryStoreErrors(t *testing.T) {
	rec := actions.Execution{ID: "exec-1", ActionID: "a", ObjectID: "T-1", ActorID: "ann"}
	tests := []struct {
		name   string
		op     func(s *actions.MemoryStore[Ticket]) error
		wantIs error
		wantAs error
	}{
		{
			name: "Create twice",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Create(context.Background(), "T-1", Ticket{})
				return err
			},
			wantIs: actions.ErrConflict,
		},
		{
			name: "Load unknown",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, _, err := s.Load(context.Background(), "T-9")
				return err
			},
			wantIs: actions.ErrNotFound, wantAs: &actions.NotFoundError{Kind: "object", ID: "T-9"},
		},
		{
			name: "Save unknown",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Save(context.Background(), "T-9", Ticket{}, 1, &rec)
				return err
			},
			wantIs: actions.ErrNotFound, wantAs: &actions.NotFoundError{Kind: "object", ID: "T-9"},
		},
		{
			name: "Save stale",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Save(context.Background(), "T-1", Ticket{}, 0, &rec)
				return err
			},
			wantIs: actions.ErrConflict,
		},
		{
			name: "Save ahead",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Save(context.Background(), "T-1", Ticket{}, 2, &rec)
				return err
			},
			wantIs: actions.ErrConflict,
		},
		{
			name:   "Delete unknown",
			op:     func(s *actions.MemoryStore[Ticket]) error { return s.Delete(context.Background(), "T-9") },
			wantIs: actions.ErrNotFound, wantAs: &actions.NotFoundError{Kind: "object", ID: "T-9"},
		},
		{
			name: "Finish unknown",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Finish(context.Background(), "exec-9", actions.StatusFailed, "")
				return err
			},
			wantIs: actions.ErrNotFound, wantAs: &actions.NotFoundError{Kind: "execution", ID: "exec-9"},
		},
		{
			name:   "cancelled Load",
			op:     func(s *actions.MemoryStore[Ticket]) error { _, _, err := s.Load(cancelled(), "T-1"); return err },
			wantIs: context.Canceled,
		},
		{
			name: "cancelled Save",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Save(cancelled(), "T-1", Ticket{}, 1, &rec)
				return err
			},
			wantIs: context.Canceled,
		},
		{
			name: "cancelled Create",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Create(cancelled(), "T-2", Ticket{})
				return err
			},
			wantIs: context.Canceled,
		},
		{
			name:   "cancelled Delete",
			op:     func(s *actions.MemoryStore[Ticket]) error { return s.Delete(cancelled(), "T-1") },
			wantIs: context.Canceled,
		},
		{
			name: "cancelled Executions",
			op: func(s *actions.MemoryStore[Ticket]) error {
				_, err := s.Executions(cancelled(), actions.Filter{})
				return err
			},
			wantIs: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := actions.NewMemoryStore[Ticket]()
			mustCreate(t, s, "T-1", newTicket())
			before := takeSnapshot(t, s, "T-1")

			err := tt.op(s)

			if !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not match %v", err, tt.wantIs)
			}
			if tt.wantAs != nil {
				got, ok := errorAs[*actions.NotFoundError](err)
				if !ok {
					t.Fatalf("error %v is not a *NotFoundError", err)
				}
				diff(t, "error", tt.wantAs, error(got))
			}
			diff(t, "store", before, takeSnapshot(t, s, "T-1"))
			diff(t, "ids", []string{"T-1"}, s.IDs())
		})
	}
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestMemoryStoreLifecycle(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[Ticket]()
	for _, id := range []string{"T-2", "T-1", "T-3"} {
		if v, err := s.Create(ctx, id, newTicket()); err != nil || v != 1 {
			t.Fatalf("Create(%q) = %d, %v; want 1, nil", id, v, err)
		}
	}
	ids := s.IDs()
	slices.Sort(ids)
	diff(t, "ids", []string{"T-1", "T-2", "T-3"}, ids)

	changed := newTicket()
	changed.Title = "changed"
	rec := actions.Execution{ID: "exec-1", ActionID: "a", ObjectID: "T-1", ActorID: "ann", FromVersion: 1, ToVersion: 2, Status: actions.StatusSucceeded}
	if v, err := s.Save(ctx, "T-1", changed, 1, &rec); err != nil || v != 2 {
		t.Fatalf("Save = %d, %v; want 2, nil", v, err)
	}
	// A save without a record (an administrative write) records nothing.
	if v, err := s.Save(ctx, "T-1", changed, 2, nil); err != nil || v != 3 {
		t.Fatalf("Save = %d, %v; want 3, nil", v, err)
	}
	diff(t, "after the saves", snapshot{Object: changed, Version: 3, Executions: []actions.Execution{rec}}, takeSnapshot(t, s, "T-1"))

	if err := s.Delete(ctx, "T-1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Load(ctx, "T-1"); !errors.Is(err, actions.ErrNotFound) {
		t.Errorf("Load after Delete: error %v, want ErrNotFound", err)
	}
	ids = s.IDs()
	slices.Sort(ids)
	diff(t, "ids after Delete", []string{"T-2", "T-3"}, ids)
	recs, err := s.Executions(ctx, actions.Filter{ObjectID: "T-1"})
	if err != nil {
		t.Fatalf("Executions: %v", err)
	}
	diff(t, "executions after Delete", []actions.Execution{rec}, recs)
	// The id can be used again.
	if v, err := s.Create(ctx, "T-1", newTicket()); err != nil || v != 1 {
		t.Errorf("Create after Delete = %d, %v; want 1, nil", v, err)
	}
}

func TestJournalFilter(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[Ticket]()
	mustCreate(t, s, "T-1", newTicket())
	mustCreate(t, s, "T-2", newTicket())
	recs := []actions.Execution{
		{ID: "e1", ActionID: "start", ObjectID: "T-1", ActorID: "ann", Status: actions.StatusSucceeded},
		{ID: "e2", ActionID: "start", ObjectID: "T-2", ActorID: "bob", Status: actions.StatusSucceeded},
		{ID: "e3", ActionID: "close", ObjectID: "T-1", ActorID: "bob", Status: actions.StatusPending},
		{ID: "e4", ActionID: "vote", ObjectID: "T-1", ActorID: "ann", Status: actions.StatusSucceeded},
		{ID: "e5", ActionID: "vote", ObjectID: "T-2", ActorID: "ann", Status: actions.StatusPending},
		{ID: "e6", ActionID: "vote", ObjectID: "T-1", ActorID: "bob", Status: actions.StatusPending},
	}
	versions := map[string]int64{"T-1": 1, "T-2": 1}
	for i := range recs {
		r := &recs[i]
		if _, err := s.Save(ctx, r.ObjectID, newTicket(), versions[r.ObjectID], r); err != nil {
			t.Fatalf("Save: %v", err)
		}
		versions[r.ObjectID]++
	}
	if _, err := s.Finish(ctx, "e6", actions.StatusFailed, "503"); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	tests := []struct {
		name   string
		filter actions.Filter
		want   []string
	}{
		{name: "all", want: []string{"e1", "e2", "e3", "e4", "e5", "e6"}},
		{name: "by id", filter: actions.Filter{ID: "e4"}, want: []string{"e4"}},
		{name: "by action", filter: actions.Filter{ActionID: "vote"}, want: []string{"e4", "e5", "e6"}},
		{name: "by object", filter: actions.Filter{ObjectID: "T-2"}, want: []string{"e2", "e5"}},
		{name: "by actor", filter: actions.Filter{ActorID: "bob"}, want: []string{"e2", "e3", "e6"}},
		{name: "by status", filter: actions.Filter{Status: actions.StatusPending}, want: []string{"e3", "e5"}},
		{name: "by status failed", filter: actions.Filter{Status: actions.StatusFailed}, want: []string{"e6"}},
		{name: "action, object and actor", filter: actions.Filter{ActionID: "vote", ObjectID: "T-1", ActorID: "ann"}, want: []string{"e4"}},
		{name: "limit", filter: actions.Filter{ObjectID: "T-1", Limit: 2}, want: []string{"e1", "e3"}},
		{name: "limit above the count", filter: actions.Filter{ActorID: "ann", Limit: 10}, want: []string{"e1", "e4", "e5"}},
		{name: "none", filter: actions.Filter{ActorID: "eve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Executions(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Executions: %v", err)
			}
			var gotIDs []string
			for _, e := range got {
				gotIDs = append(gotIDs, e.ID)
			}
			diff(t, "executions", tt.want, gotIDs)
		})
	}

	// A returned record is a copy.
	got, _ := s.Executions(ctx, actions.Filter{ID: "e1"})
	got[0].Status = actions.StatusFailed
	again, _ := s.Executions(ctx, actions.Filter{ID: "e1"})
	diff(t, "stored record", recs[0], again[0])
}

// notJournal is a Store that keeps no journal.
type notJournal struct{ actions.Store[Ticket] }

func TestNewOptions(t *testing.T) {
	cat := compile(t, nil)
	store := actions.NewMemoryStore[Ticket]()
	tests := []struct {
		name    string
		cat     *actions.Catalog[Ticket]
		store   actions.Store[Ticket]
		opts    []actions.Option
		wantErr bool
	}{
		{name: "defaults", cat: cat, store: store},
		{name: "nil catalog", store: store, wantErr: true},
		{name: "nil store", cat: cat, wantErr: true},
		{name: "store without a journal", cat: cat, store: notJournal{store}, wantErr: true},
		{name: "store without a journal, journal given", cat: cat, store: notJournal{store}, opts: []actions.Option{actions.WithJournal(store)}},
		{name: "nil journal", cat: cat, store: store, opts: []actions.Option{actions.WithJournal(nil)}, wantErr: true},
		{name: "nil id generator", cat: cat, store: store, opts: []actions.Option{actions.WithExecutionIDs(nil)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := actions.New(tt.cat, tt.store, tt.opts...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && (e.Catalog() != tt.cat || e.Journal() == nil) {
				t.Errorf("New: engine has catalog %p and journal %v", e.Catalog(), e.Journal())
			}
		})
	}
}

// Wrapped reaches a slice only through an unexported embedded struct.
type Wrapped struct {
	Name string
	embedded
}

func TestMemoryStorePromotedFields(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[Wrapped]()
	in := Wrapped{Name: "w", embedded: embedded{Notes: []string{"n"}}}
	mustCreate(t, s, "W-1", in)
	in.Notes[0] = "changed by the creator"
	loaded, _, err := s.Load(ctx, "W-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	loaded.Notes[0] = "changed by a reader"
	got, _, _ := s.Load(ctx, "W-1")
	diff(t, "stored value", Wrapped{Name: "w", embedded: embedded{Notes: []string{"n"}}}, got, cmp.AllowUnexported(Wrapped{}))
}

// Ring is a cyclic structure: a store must copy it without looping.
type Ring struct {
	Name  string
	Next  *Ring
	Peers map[string]*Ring
	Items []any
}

func TestMemoryStoreCycles(t *testing.T) {
	ctx := context.Background()
	a := &Ring{Name: "a"}
	b := &Ring{Name: "b", Next: a}
	a.Next = b
	a.Peers = map[string]*Ring{"self": a, "b": b}
	a.Items = []any{a, b, nil}
	a.Items[2] = a.Items // a slice that holds itself

	s := actions.NewMemoryStore[Ring]()
	mustCreate(t, s, "R-1", *a)
	got, _, err := s.Load(ctx, "R-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	// The copy has the same shape and shares nothing with the original.
	next := got.Next
	switch {
	case next == nil || next == b || next.Name != "b":
		t.Fatalf("Next = %p %+v, want a copy of b", next, next)
	case next.Next == nil || next.Next == a || next.Next.Name != "a" || next.Next.Next != next:
		t.Fatalf("Next.Next = %p, want a copy of a whose Next is the copy of b", next.Next)
	case got.Peers["self"] != next.Next || got.Peers["b"] != next:
		t.Errorf("Peers = %v, want the copies of a and b", got.Peers)
	case got.Items[0] != any(next.Next) || got.Items[1] != any(next):
		t.Errorf("Items = %v, want the copies of a and b", got.Items[:2])
	}
	inner, ok := got.Items[2].([]any)
	if !ok || len(inner) != 3 || &inner[0] != &got.Items[0] {
		t.Errorf("Items[2] is not the copied slice itself")
	}
	// Mutating the loaded copy leaves the stored value as it was.
	next.Name = "changed"
	again, _, _ := s.Load(ctx, "R-1")
	if again.Next.Name != "b" {
		t.Errorf("stored b renamed to %q through a loaded copy", again.Next.Name)
	}
}

// PointerWrapped reaches a slice through an unexported embedded pointer,
// whose exported fields it promotes.
type PointerWrapped struct {
	Name string
	*embedded
}

func TestMemoryStorePromotedThroughPointer(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[PointerWrapped]()
	in := PointerWrapped{Name: "w", embedded: &embedded{Notes: []string{"n"}}}
	mustCreate(t, s, "W-1", in)
	in.Notes[0] = "changed by the creator"
	in.Notes = append(in.Notes, "appended by the creator")
	loaded, _, err := s.Load(ctx, "W-1")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	loaded.Notes[0] = "changed by a reader"
	loaded.Notes = nil
	got, _, _ := s.Load(ctx, "W-1")
	diff(t, "stored value", PointerWrapped{Name: "w", embedded: &embedded{Notes: []string{"n"}}}, got, cmp.AllowUnexported(PointerWrapped{}))

	// A nil embedded pointer stays nil.
	mustCreate(t, s, "W-2", PointerWrapped{Name: "nil"})
	got, _, _ = s.Load(ctx, "W-2")
	if got.embedded != nil {
		t.Errorf("nil embedded pointer loaded as %+v", got.embedded)
	}
}

// A record whose id is recorded already is refused, and the journal's
// indexes stay as they were: the first record keeps its id, its place and
// its pending status, and the next record follows it.
func TestMemoryStoreDuplicateExecutionID(t *testing.T) {
	ctx := context.Background()
	s := actions.NewMemoryStore[Ticket]()
	mustCreate(t, s, "T-1", Ticket{Title: "t"})
	mustCreate(t, s, "T-2", Ticket{Title: "t"})
	save := func(obj string, version int64, id string, status actions.Status) error {
		_, err := s.Save(ctx, obj, Ticket{Title: "t"}, version, &actions.Execution{ID: id, ActionID: "a", ObjectID: obj, ActorID: "ann", Status: status})
		return err
	}
	for i, id := range []string{"e-1", "e-2", "e-3"} {
		if err := save("T-1", int64(i+1), id, actions.StatusPending); err != nil {
			t.Fatalf("Save %s: %v", id, err)
		}
	}
	if err := save("T-2", 1, "e-2", actions.StatusSucceeded); !errors.Is(err, actions.ErrConflict) {
		t.Fatalf("Save with a recorded id: %v, want an error matching ErrConflict", err)
	}
	got, err := s.Executions(ctx, actions.Filter{ID: "e-2"})
	if err != nil {
		t.Fatalf("Executions: %v", err)
	}
	want := []actions.Execution{{Seq: 2, ID: "e-2", ActionID: "a", ObjectID: "T-1", ActorID: "ann", Status: actions.StatusPending}}
	diff(t, "record e-2", want, got)
	if got, _ := s.Executions(ctx, actions.Filter{ObjectID: "T-2"}); len(got) != 0 {
		t.Errorf("T-2 has records %v after a refused Save", got)
	}
	if _, err := s.Finish(ctx, "e-2", actions.StatusSucceeded, ""); err != nil {
		t.Errorf("Finish(e-2): %v", err)
	}
	if err := save("T-2", 1, "e-4", actions.StatusSucceeded); err != nil {
		t.Fatalf("Save e-4: %v", err)
	}
	got, _ = s.Executions(ctx, actions.Filter{ID: "e-4"})
	if len(got) != 1 || got[0].Seq != 4 {
		t.Errorf("e-4 recorded as %v, want Seq 4", got)
	}
	got, _ = s.Executions(ctx, actions.Filter{ID: "e-2"})
	if len(got) != 1 || got[0].Status != actions.StatusSucceeded {
		t.Errorf("e-2 is %v after Finish, want it succeeded", got)
	}
}
