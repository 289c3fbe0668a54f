package actionstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
	"github.com/google/go-cmp/cmp"
)

// Doc reaches shared memory every way a Go value can: a slice, a map, a
// pointer to a struct with a slice.
type Doc struct {
	Title string
	Tags  []string
	Meta  map[string]string
	Owner *Person
}

type Person struct {
	Name   string
	Emails []string
}

func sampleDoc(i int) Doc {
	return Doc{
		Title: fmt.Sprint("doc ", i),
		Tags:  []string{"tag", fmt.Sprint(i)},
		Meta:  map[string]string{"k": fmt.Sprint(i)},
		Owner: &Person{Name: "owner", Emails: []string{fmt.Sprintf("owner%d@example.com", i)}},
	}
}

func mutateDoc(d *Doc) {
	d.Tags[0] = "mutated"
	d.Meta["k"] = "mutated"
	d.Owner.Name = "mutated"
	d.Owner.Emails[0] = "mutated"
}

func TestMemoryStore(t *testing.T) {
	actionstest.TestStore(t, func() actions.Store[Doc] { return actions.NewMemoryStore[Doc]() }, sampleDoc, mutateDoc)
}

// TestMemoryStoreFlat checks a type without references: isolation holds
// trivially and needs no mutate hook.
func TestMemoryStoreFlat(t *testing.T) {
	type flat struct {
		Title    string
		Priority int
	}
	actionstest.TestStore(t,
		func() actions.Store[flat] { return actions.NewMemoryStore[flat]() },
		func(i int) flat { return flat{Title: fmt.Sprint("task ", i), Priority: i} },
		nil)
}

func TestMemoryStoreTask(t *testing.T) {
	actionstest.TestStore(t,
		func() actions.Store[Task] { return actions.NewMemoryStore[Task]() },
		func(i int) Task { return Task{Title: fmt.Sprint("task ", i), Priority: i, Tags: []string{"a"}} },
		func(t *Task) { t.Tags[0] = "b" })
}

// sharingStore forgets to copy: what it stores is what callers hold. It
// also reports unknown ids with a plain error, and is no Journal.
type sharingStore struct {
	mu       sync.Mutex
	objs     map[string]Doc
	versions map[string]int64
}

func newSharingStore() actions.Store[Doc] {
	return &sharingStore{objs: map[string]Doc{}, versions: map[string]int64{}}
}

func (s *sharingStore) Load(ctx context.Context, id string) (Doc, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.versions[id]
	if !ok {
		return Doc{}, 0, errors.New("no such document")
	}
	return s.objs[id], v, nil
}

func (s *sharingStore) Save(ctx context.Context, id string, obj Doc, expected int64, rec actions.Execution) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.versions[id]
	if !ok {
		return 0, errors.New("no such document")
	}
	if v != expected {
		return 0, actions.ErrConflict
	}
	s.objs[id], s.versions[id] = obj, v+1
	return v + 1, nil
}

func (s *sharingStore) Create(ctx context.Context, id string, obj Doc) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.versions[id]; ok {
		return 0, actions.ErrConflict
	}
	s.objs[id], s.versions[id] = obj, 1
	return 1, nil
}

// lastWriterWins ignores the expected version: the lost-update bug that
// optimistic locking exists to prevent.
type lastWriterWins struct{ *actions.MemoryStore[Doc] }

func (s lastWriterWins) Save(ctx context.Context, id string, obj Doc, expected int64, rec actions.Execution) (int64, error) {
	_, v, err := s.MemoryStore.Load(ctx, id)
	if err != nil {
		return 0, err
	}
	return s.MemoryStore.Save(ctx, id, obj, v, rec)
}

// TestStoreFailures runs the conformance check on broken stores; the
// failures are in testdata/store-<name>.txt (rewritten with -update), but
// for those of ConcurrentSaves, whose counts vary from run to run.
func TestStoreFailures(t *testing.T) {
	tests := []struct {
		name     string
		newStore func() actions.Store[Doc]
		racy     bool // ConcurrentSaves must fail too
	}{
		{name: "sharing", newStore: newSharingStore},
		{
			name:     "last-writer-wins",
			newStore: func() actions.Store[Doc] { return lastWriterWins{actions.NewMemoryStore[Doc]()} },
			racy:     true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := runTB(func(t testing.TB) { actionstest.TestStore(t, tc.newStore, sampleDoc, mutateDoc) })
			var got []string
			racy := false
			for _, m := range tb.messages() {
				if strings.HasPrefix(m, "error: ConcurrentSaves: ") {
					racy = true
					continue
				}
				got = append(got, m)
			}
			golden(t, "store-"+tc.name+".txt", []byte(strings.Join(got, "\n\n")+"\n"))
			if racy != tc.racy {
				t.Errorf("ConcurrentSaves failed = %v, want %v", racy, tc.racy)
			}
		})
	}
}

// TestStoreMisuse covers bad hooks: TestStore stops before any check.
func TestStoreMisuse(t *testing.T) {
	newStore := func() actions.Store[Doc] { return actions.NewMemoryStore[Doc]() }
	type private struct{ secret []string }
	runKitCases(t, []kitCase{
		{
			name: "nondeterministic sample",
			run: func(t testing.TB) {
				n := 0
				actionstest.TestStore(t, newStore, func(int) Doc { n++; return sampleDoc(n) }, mutateDoc)
			},
			want:    []string{"fatal: actionstest: sample(0) differs from sample(0): sample must be deterministic:\n  actionstest_test.Doc{\n- \tTitle: \"doc 1\",\n+ \tTitle: \"doc 2\",\n  \tTags: []string{\n  \t\t\"tag\",\n- \t\t\"1\",\n+ \t\t\"2\",\n  \t},\n- \tMeta: map[string]string{\"k\": \"1\"},\n+ \tMeta: map[string]string{\"k\": \"2\"},\n  \tOwner: &actionstest_test.Person{\n  \t\tName:   \"owner\",\n- \t\tEmails: []string{\"owner1@example.com\"},\n+ \t\tEmails: []string{\"owner2@example.com\"},\n  \t},\n  }"},
			stopped: true,
		},
		{
			name: "constant sample",
			run: func(t testing.TB) {
				actionstest.TestStore(t, newStore, func(int) Doc { return sampleDoc(0) }, mutateDoc)
			},
			want:    []string{"fatal: actionstest: sample(0) equals sample(1): sample must return different values for different i"},
			stopped: true,
		},
		{
			name:    "no hooks",
			run:     func(t testing.TB) { actionstest.TestStore(t, newStore, nil, nil) },
			want:    []string{"fatal: actionstest: TestStore needs newStore and sample"},
			stopped: true,
		},
		{
			name: "unexported fields",
			run: func(t testing.TB) {
				actionstest.TestStore(t,
					func() actions.Store[private] { return actions.NewMemoryStore[private]() },
					func(i int) private { return private{secret: []string{fmt.Sprint(i)}} }, nil)
			},
			want:    []string{`fatal: actionstest: sample(0) differs from sample(0): sample must be deterministic:` + "\n" + `cannot compare values of actionstest_test.private: cannot handle unexported field at {actionstest_test.private}.secret:` + "\n\t" + `"github.com/actionable-go/actionable/actionstest_test".private` + "\n" + `consider using a custom Comparer; if you control the implementation of type, you can also consider using an Exporter, AllowUnexported, or cmpopts.IgnoreUnexported (pass a cmp.Option to TestStore)`},
			stopped: true,
		},
		{
			name: "mutate changes nothing",
			run:  func(t testing.TB) { actionstest.TestStore(t, newStore, sampleDoc, func(*Doc) {}) },
			want: []string{"error: Isolation: mutate does not change sample(0): isolation cannot be checked"},
		},
	})
}

// labels is embedded unexported: its exported fields are promoted.
type labels struct{ Labels []string }

// Embedded shows the cmp options TestStore takes: go-cmp needs leave to
// look into the unexported embedded struct.
type Embedded struct {
	labels
	Title string
}

func TestMemoryStoreEmbedded(t *testing.T) {
	actionstest.TestStore(t,
		func() actions.Store[Embedded] { return actions.NewMemoryStore[Embedded]() },
		func(i int) Embedded { return Embedded{labels: labels{Labels: []string{fmt.Sprint(i)}}, Title: "t"} },
		func(e *Embedded) { e.Labels[0] = "mutated" },
		cmp.AllowUnexported(Embedded{}))
}
