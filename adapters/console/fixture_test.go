package console_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/console"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Ticket is the object type of the tests.
type Ticket struct {
	Title    string   `json:"title" validate:"required"`
	Status   string   `json:"status"`
	Assignee string   `json:"assignee"`
	Points   int      `json:"points" validate:"gte=0,lte=13"`
	Tags     []string `json:"tags"`
}

// The pinned clock of the tests.
var pinned = time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC)

// The actors of the tests: ann signs in; the others are presets.
var (
	ann  = actions.Actor{ID: "ann", Name: "Ann Admin", Roles: []string{"lead"}, Permissions: []string{"edit", "approve"}}
	bob  = actions.Actor{ID: "bob", Name: "Bob Builder", Roles: []string{"developer"}, Permissions: []string{"edit"}}
	carl = actions.Actor{ID: "carl", Name: "Carl Checker", Roles: []string{"reviewer"}, Permissions: []string{"approve"}, Attributes: map[string]string{"team": "qa"}}
)

// csrfKey signs the tests' CSRF tokens, so that pages are the same on
// every run.
var csrfKey = []byte("0123456789abcdef0123456789abcdef")

// The stored tickets.
func tickets() map[string]Ticket {
	return map[string]Ticket{
		"T-1": {Title: "Login fails", Status: "new", Assignee: "", Points: 3, Tags: []string{"backend"}},
		"T-2": {Title: "Slow search", Status: "open", Assignee: "bob", Points: 9},
		"T-3": {Title: "Typo on <b>home</b> & \"about\"", Status: "review", Assignee: "bob", Points: 2},
		"T-4": {Title: "Old report", Status: "closed", Assignee: "ann", Points: 5},
	}
}

// fixture is a console over the tickets.
type fixture struct {
	engine *actions.Engine[Ticket]
	store  *actions.MemoryStore[Ticket]
	h      http.Handler
}

// signedIn authorizes the requests that carry "Authorization: Bearer
// <actor id>" of ann, bob or carl.
func signedIn(r *http.Request) (actions.Actor, error) {
	switch r.Header.Get("Authorization") {
	case "":
		return actions.Actor{}, console.ErrUnauthenticated
	case "Bearer ann":
		return ann, nil
	case "Bearer bob":
		return bob, nil
	case "Bearer carl":
		return carl, nil
	}
	return actions.Actor{}, errors.New("unknown token")
}

// newFixture returns a console over the tickets with opts, and the
// tests' CSRF key unless opts has one.
func newFixture(t testing.TB, opts console.Options[Ticket]) *fixture {
	t.Helper()
	cat, err := actions.LoadFile[Ticket](filepath.Join("testdata", "tickets.json"), actions.WithClock(func() time.Time { return pinned }))
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[Ticket]()
	for _, id := range []string{"T-1", "T-2", "T-3", "T-4"} {
		if _, err := store.Create(context.Background(), id, tickets()[id]); err != nil {
			t.Fatal(err)
		}
	}
	var n atomic.Int64
	engine, err := actions.New(cat, store, actions.WithExecutionIDs(func() string { return fmt.Sprintf("exec-%d", n.Add(1)) }))
	if err != nil {
		t.Fatal(err)
	}
	if opts.CSRFKey == nil {
		opts.CSRFKey = csrfKey
	}
	h, err := console.New(engine, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{engine: engine, store: store, h: h}
}

// defaultOptions are the options of most tests: signed in, presets,
// samples, the store's ids.
func defaultOptions(store func() *actions.MemoryStore[Ticket]) console.Options[Ticket] {
	return console.Options[Ticket]{
		Title:     "Tickets",
		Authorize: signedIn,
		Challenge: `Bearer realm="tickets"`,
		Actors:    []actions.Actor{ann, bob, carl},
		Samples: []console.Sample[Ticket]{
			{Name: "fresh ticket", Object: Ticket{Title: "A fresh ticket", Status: "new"}},
			{Name: "big ticket in review", Object: Ticket{Title: "Big one", Status: "review", Assignee: "bob", Points: 13}},
		},
		Objects: func(context.Context) ([]string, error) {
			ids := store().IDs()
			slices.Sort(ids)
			return ids, nil
		},
	}
}

// newDefault returns the fixture of defaultOptions, changed by edit.
func newDefault(t testing.TB, edit func(*console.Options[Ticket])) *fixture {
	var f *fixture
	opts := defaultOptions(func() *actions.MemoryStore[Ticket] { return f.store })
	if edit != nil {
		edit(&opts)
	}
	f = newFixture(t, opts)
	return f
}

// get sends GET path as the actor whose token is token ("" for none).
func (f *fixture) get(t testing.TB, token, path string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// post sends the form to path as the actor whose token is token.
func (f *fixture) post(t testing.TB, token, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of a page the actor with token sees.
func (f *fixture) csrf(t testing.TB, token string) string {
	t.Helper()
	w := f.get(t, token, "/rules")
	m := csrfInput.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("GET /rules as %s: no CSRF token in the page:\n%s", token, w.Body)
	}
	return m[1]
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}
