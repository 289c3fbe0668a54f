package actionstest_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/actionstest"
)

// docStore is a store written from the documentation of actions.Store,
// actions.Journal and actions.Pruner alone, the way a host would write one:
// one lock, plain slices, every read a scan. That it passes TestStore shows
// that the documentation says enough.
type docStore struct {
	mu       sync.Mutex
	objs     map[string]Doc
	versions map[string]int64
	recs     []actions.Execution // in Seq order
	seq      int64
	// executed keeps, per object and action, who executed it (first
	// first): Journal.Policies must answer from every execution ever
	// recorded, even after Prune.
	executed map[[2]string][]string

	// Faults, for the tests that the kit catches them.
	recordsEmpty    bool // Save with a nil record records an empty one
	forgetsSeq      bool // Save does not set rec.Seq
	forgetsPolicies bool // Policies reads only the records Prune kept
	finishNotFound  bool // Finish of a finished execution says ErrNotFound
	dropsInputs     bool // Save records no inputs
	cutsAtNUL       bool // object ids end at their first NUL byte, as C strings do
	oddIsConflict   bool // Create refuses an id with a NUL byte as an existing one
}

// key is the map key of object id.
func (s *docStore) key(id string) string {
	if s.cutsAtNUL {
		id, _, _ = strings.Cut(id, "\x00")
	}
	return id
}

func newDocStore() *docStore {
	return &docStore{objs: map[string]Doc{}, versions: map[string]int64{}, executed: map[[2]string][]string{}}
}

var (
	_ actionstest.Store[Doc] = (*docStore)(nil)
	_ actions.Journal        = (*docStore)(nil)
	_ actions.Pruner         = (*docStore)(nil)
)

func (s *docStore) Load(ctx context.Context, id string) (Doc, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = s.key(id)
	v, ok := s.versions[id]
	if !ok {
		return Doc{}, 0, &actions.NotFoundError{Kind: "object", ID: id}
	}
	return cloneDoc(s.objs[id]), v, nil
}

func (s *docStore) Create(ctx context.Context, id string, obj Doc) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oddIsConflict && strings.Contains(id, "\x00") {
		return 0, fmt.Errorf("%w: %q", actions.ErrConflict, id)
	}
	id = s.key(id)
	if _, ok := s.versions[id]; ok {
		return 0, fmt.Errorf("%w: %s exists", actions.ErrConflict, id)
	}
	s.objs[id], s.versions[id] = cloneDoc(obj), 1
	return 1, nil
}

func (s *docStore) Save(ctx context.Context, id string, obj Doc, expected int64, rec *actions.Execution) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.key(id)
	v, ok := s.versions[key]
	if !ok {
		return 0, &actions.NotFoundError{Kind: "object", ID: id}
	}
	if v != expected {
		return 0, fmt.Errorf("%w: %s is at %d", actions.ErrConflict, id, v)
	}
	if rec == nil && s.recordsEmpty {
		rec = &actions.Execution{ObjectID: id}
	}
	if rec != nil {
		for _, r := range s.recs {
			if r.ID == rec.ID {
				return 0, fmt.Errorf("%w: execution %s exists", actions.ErrConflict, rec.ID)
			}
		}
		s.seq++
		r := *rec
		r.Seq = s.seq
		if s.dropsInputs {
			r.Inputs = nil
		}
		if !s.forgetsSeq {
			rec.Seq = s.seq
		}
		s.recs = append(s.recs, r)
		k := [2]string{r.ObjectID, r.ActionID}
		s.executed[k] = append(s.executed[k], r.ActorID)
	}
	s.objs[key], s.versions[key] = cloneDoc(obj), v+1
	return v + 1, nil
}

func (s *docStore) Executions(ctx context.Context, f actions.Filter) ([]actions.Execution, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := slices.Clone(s.recs)
	if f.Newest {
		slices.Reverse(recs)
	}
	var out []actions.Execution
	for i := range recs {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		if f.Match(&recs[i]) {
			out = append(out, recs[i])
		}
	}
	return out, nil
}

func (s *docStore) Policies(ctx context.Context, q actions.PolicyQuery) ([]actions.PolicyState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []actions.PolicyState
	seen := map[[2]string]bool{}
	for _, o := range q.ObjectIDs {
		for _, a := range q.ActionIDs {
			if seen[[2]string{o, a}] {
				continue
			}
			seen[[2]string{o, a}] = true
			actors := s.executed[[2]string{o, a}]
			if s.forgetsPolicies {
				actors = nil
				for _, r := range s.recs {
					if r.ObjectID == o && r.ActionID == a {
						actors = append(actors, r.ActorID)
					}
				}
			}
			if len(actors) == 0 {
				continue
			}
			out = append(out, actions.PolicyState{ObjectID: o, ActionID: a, FirstActorID: actors[0], ByActor: q.ActorID != "" && slices.Contains(actors, q.ActorID)})
		}
	}
	return out, nil
}

func (s *docStore) Finish(ctx context.Context, id string, status actions.Status, detail string) (actions.Execution, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.recs {
		r := &s.recs[i]
		if r.ID != id {
			continue
		}
		if r.Status != actions.StatusPending {
			if s.finishNotFound {
				return actions.Execution{}, &actions.NotFoundError{Kind: "execution", ID: id}
			}
			return *r, fmt.Errorf("%w: %s is %s", actions.ErrConflict, id, r.Status)
		}
		r.Status, r.Detail = status, detail
		return *r, nil
	}
	return actions.Execution{}, &actions.NotFoundError{Kind: "execution", ID: id}
}

func (s *docStore) Prune(ctx context.Context, ret actions.Retention) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	excess := len(s.recs) - ret.Keep
	if ret.Keep == 0 {
		excess = 0
	}
	dropped := 0
	s.recs = slices.DeleteFunc(s.recs, func(r actions.Execution) bool {
		if r.Status == actions.StatusPending {
			return false
		}
		if dropped < excess || !ret.Before.IsZero() && r.Time.Before(ret.Before) {
			dropped++
			return true
		}
		return false
	})
	return dropped, nil
}

func TestDocStore(t *testing.T) {
	actionstest.TestStore(t, func() actionstest.Store[Doc] { return newDocStore() }, sampleDoc, mutateDoc)
}

// TestDocStoreFaults checks that each fault of the journal contract fails
// exactly the checks that are about it.
func TestDocStoreFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*docStore)
		want  []string // the checks that fail
	}{
		{"records an empty execution", func(s *docStore) { s.recordsEmpty = true }, []string{"SaveWithoutRecord"}},
		{"does not set Seq", func(s *docStore) { s.forgetsSeq = true }, []string{"Journal", "Paging", "Finish", "Retention", "OddIDs"}},
		{"cuts ids at NUL", func(s *docStore) { s.cutsAtNUL = true }, []string{"OddIDs"}},
		{"refuses an odd id as a conflict", func(s *docStore) { s.oddIsConflict = true }, []string{"OddIDs"}},
		{"forgets policies on Prune", func(s *docStore) { s.forgetsPolicies = true }, []string{"Retention"}},
		{"finishes twice as not found", func(s *docStore) { s.finishNotFound = true }, []string{"Finish"}},
		{"drops the inputs", func(s *docStore) { s.dropsInputs = true }, []string{"Journal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := runTB(func(t testing.TB) {
				actionstest.TestStore(t, func() actionstest.Store[Doc] {
					s := newDocStore()
					tt.fault(s)
					return s
				}, sampleDoc, mutateDoc)
			})
			failed := map[string]bool{}
			for _, m := range tb.messages() {
				check, _, _ := strings.Cut(strings.TrimPrefix(m, "error: "), ":")
				failed[check] = true
			}
			var got []string
			for c := range failed {
				got = append(got, c)
			}
			sort.Strings(got)
			want := slices.Clone(tt.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("failed checks = %q, want %q; messages:\n%s", got, want, strings.Join(tb.messages(), "\n"))
			}
		})
	}
}
