package actionstest_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
	actionstest.TestStore(t, func() actionstest.Store[Doc] { return actions.NewMemoryStore[Doc]() }, sampleDoc, mutateDoc)
}

// TestMemoryStoreFlat checks a type without references: isolation holds
// trivially and needs no mutate hook (a time.Time holds a pointer, but in
// an unexported field, that nobody changes in place).
func TestMemoryStoreFlat(t *testing.T) {
	type flat struct {
		Title    string
		Priority int
		Due      time.Time
	}
	actionstest.TestStore(t,
		func() actionstest.Store[flat] { return actions.NewMemoryStore[flat]() },
		func(i int) flat { return flat{Title: fmt.Sprint("task ", i), Priority: i, Due: time.Unix(int64(i), 0)} },
		nil)
}

func TestMemoryStoreTask(t *testing.T) {
	actionstest.TestStore(t,
		func() actionstest.Store[Task] { return actions.NewMemoryStore[Task]() },
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

func newSharingStore() actionstest.Store[Doc] {
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

func (s *sharingStore) Save(ctx context.Context, id string, obj Doc, expected int64, rec *actions.Execution) (int64, error) {
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

func (s lastWriterWins) Save(ctx context.Context, id string, obj Doc, expected int64, rec *actions.Execution) (int64, error) {
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
		newStore func() actionstest.Store[Doc]
		racy     bool // ConcurrentSaves must fail too
	}{
		{name: "sharing", newStore: newSharingStore},
		{
			name:     "last-writer-wins",
			newStore: func() actionstest.Store[Doc] { return lastWriterWins{actions.NewMemoryStore[Doc]()} },
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
	newStore := func() actionstest.Store[Doc] { return actions.NewMemoryStore[Doc]() }
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
					func() actionstest.Store[private] { return actions.NewMemoryStore[private]() },
					func(i int) private { return private{secret: []string{fmt.Sprint(i)}} }, nil)
			},
			want:    []string{`fatal: actionstest: cannot compare values of actionstest_test.private: cannot handle unexported field at {actionstest_test.private}.secret:` + "\n\t" + `"github.com/actionable-go/actionable/actionstest_test".private` + "\n" + `consider using a custom Comparer; if you control the implementation of type, you can also consider using an Exporter, AllowUnexported, or cmpopts.IgnoreUnexported (pass a cmp.Option to TestStore)`},
			stopped: true,
		},
		{
			name: "mutate changes nothing",
			run:  func(t testing.TB) { actionstest.TestStore(t, newStore, sampleDoc, func(*Doc) {}) },
			want: []string{"error: Isolation: mutate does not change sample(0): isolation cannot be checked"},
		},
		{
			// Without the hook a store that shares memory would pass.
			name: "no mutate for a type with references",
			run:  func(t testing.TB) { actionstest.TestStore(t, newStore, sampleDoc, nil) },
			want: []string{"error: Isolation: no mutate hook, but values share memory through actionstest_test.Doc.Tags ([]string): pass a mutate that changes a value in place through it, so that isolation is checked"},
		},
		{
			name: "no mutate for a pointer in an embedded struct",
			run: func(t testing.TB) {
				type inner struct {
					Title string
					Owner *Person
				}
				type outer struct {
					inner
					Rank [2]int
				}
				actionstest.TestStore(t,
					func() actionstest.Store[outer] { return actions.NewMemoryStore[outer]() },
					func(i int) outer { return outer{inner: inner{Title: fmt.Sprint(i)}} },
					nil, cmp.AllowUnexported(outer{}))
			},
			want: []string{"error: Isolation: no mutate hook, but values share memory through actionstest_test.outer.inner.Owner (*actionstest_test.Person): pass a mutate that changes a value in place through it, so that isolation is checked"},
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
		func() actionstest.Store[Embedded] { return actions.NewMemoryStore[Embedded]() },
		func(i int) Embedded { return Embedded{labels: labels{Labels: []string{fmt.Sprint(i)}}, Title: "t"} },
		func(e *Embedded) { e.Labels[0] = "mutated" },
		cmp.AllowUnexported(Embedded{}))
}

// splitStore is correct when called by one goroutine at a time, but does a
// Save in two steps, so that concurrent calls lose updates; meet makes the
// window deterministic. It copies what it stores.
type splitStore struct {
	mu       sync.Mutex
	objs     map[string]Doc
	versions map[string]int64
	// checkThenAct: the version check and the write are two steps, so
	// two Saves at the same version both win. Otherwise the version is
	// bumped at once and the value written in a second step, so that a
	// Load in between returns the new version with the old value.
	checkThenAct bool
	window       meeting
}

func newSplitStore(checkThenAct bool) func() actionstest.Store[Doc] {
	return func() actionstest.Store[Doc] {
		return &splitStore{objs: map[string]Doc{}, versions: map[string]int64{}, checkThenAct: checkThenAct}
	}
}

func cloneDoc(d Doc) Doc {
	d.Tags = slices.Clone(d.Tags)
	d.Meta = maps.Clone(d.Meta)
	if d.Owner != nil {
		o := *d.Owner
		o.Emails = slices.Clone(o.Emails)
		d.Owner = &o
	}
	return d
}

func (s *splitStore) Load(ctx context.Context, id string) (Doc, int64, error) {
	s.mu.Lock()
	v, ok := s.versions[id]
	d := cloneDoc(s.objs[id])
	s.mu.Unlock()
	if !ok {
		return Doc{}, 0, actions.ErrNotFound
	}
	if !s.checkThenAct {
		s.window.arrive() // a Save waiting to write its value may go on
	}
	return d, v, nil
}

func (s *splitStore) Create(ctx context.Context, id string, d Doc) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.versions[id]; ok {
		return 0, actions.ErrConflict
	}
	s.objs[id], s.versions[id] = cloneDoc(d), 1
	return 1, nil
}

func (s *splitStore) Save(ctx context.Context, id string, d Doc, expected int64, rec *actions.Execution) (int64, error) {
	s.mu.Lock()
	v, ok := s.versions[id]
	switch {
	case !ok:
		s.mu.Unlock()
		return 0, actions.ErrNotFound
	case v != expected:
		s.mu.Unlock()
		return 0, actions.ErrConflict
	}
	if !s.checkThenAct {
		s.versions[id] = v + 1
	}
	s.mu.Unlock()
	if s.checkThenAct {
		s.window.meet() // another Save passes the check too
	} else {
		s.window.wait() // a Load reads the new version with the old value
	}
	s.mu.Lock()
	s.objs[id] = cloneDoc(d)
	if s.checkThenAct {
		s.versions[id] = v + 1
	}
	s.mu.Unlock()
	return v + 1, nil
}

// meeting lets a goroutine wait, for a short while, until another one
// arrives.
type meeting struct {
	mu      sync.Mutex
	waiting chan struct{}
}

const meetingTimeout = 20 * time.Millisecond

// wait waits until another goroutine calls arrive or meet, or the timeout.
func (m *meeting) wait() {
	m.mu.Lock()
	ch := make(chan struct{})
	m.waiting = ch
	m.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(meetingTimeout):
		m.mu.Lock()
		if m.waiting == ch {
			m.waiting = nil
		}
		m.mu.Unlock()
	}
}

// arrive releases a waiting goroutine, if any; it reports whether there
// was one.
func (m *meeting) arrive() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.waiting == nil {
		return false
	}
	close(m.waiting)
	m.waiting = nil
	return true
}

// meet releases a waiting goroutine, or waits for the next one.
func (m *meeting) meet() {
	if !m.arrive() {
		m.wait()
	}
}

// TestStoreLostUpdates runs the conformance check on stores that are only
// wrong under concurrency: ConcurrentSaves, and nothing else, must fail,
// with the message that names the lost update. The counts vary from run to
// run, so the messages are matched by pattern.
func TestStoreLostUpdates(t *testing.T) {
	tests := []struct {
		name         string
		checkThenAct bool
		want         string // a pattern one of the failures must match
	}{
		{"check then act", true,
			`^error: ConcurrentSaves: round \d+: [2-8] of 8 concurrent Saves at version \d+ succeeded, want exactly 1$`},
		{"version before value", false,
			`^error: ConcurrentSaves: concurrent increments: \d+ of \d+ Loads returned a version with another value than the one saved with it; the first:\n` +
				`Load\("actionstest-1"\) returned version \d+ with another value than the Save that made it \(worker \d\) wrote \(-want \+got\):\n` +
				`  actionstest_test.Doc\{\n`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := runTB(func(t testing.TB) {
				actionstest.TestStore(t, newSplitStore(tc.checkThenAct), sampleDoc, mutateDoc)
			})
			want := regexp.MustCompile(tc.want)
			matched := false
			for _, m := range tb.messages() {
				if !strings.HasPrefix(m, "error: ConcurrentSaves: ") {
					t.Errorf("another check failed: %s", m)
				}
				matched = matched || want.MatchString(m)
			}
			if !matched {
				t.Errorf("no failure matches %s; got:\n%s", tc.want, strings.Join(tb.messages(), "\n"))
			}
		})
	}
}
