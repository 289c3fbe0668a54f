package salesforce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

const (
	base  = "/services/data/v62.0"
	alice = "005000000000001AAA"
	bob   = "005000000000002AAA"
	carol = "005000000000003AAA"
)

// tokens are the bearer tokens of the tests.
var tokens = map[string]actions.Actor{
	"sf-alice": {ID: alice, Name: "Alice"},
	"sf-bob":   {ID: bob, Name: "Bob"},
	"sf-carol": {ID: carol, Name: "Carol"},
}

// authenticate knows the users of tokens.
func authenticate(r *http.Request) (actions.Actor, error) {
	token, err := salesforce.BearerToken(r)
	if err != nil {
		return actions.Actor{}, err
	}
	a, ok := tokens[token]
	if !ok {
		return actions.Actor{}, salesforce.ErrBadCredentials
	}
	return a, nil
}

// userSummary is the host's directory of the tests' users: what it knows
// of each, for the executingUser of a Platform Action.
func userSummary(_ context.Context, id string) (salesforce.UserSummary, error) {
	for _, a := range tokens {
		if a.ID == id {
			active, internal := true, "Internal"
			return salesforce.UserSummary{Name: &a.Name, DisplayName: &a.Name, IsActive: &active, UserType: &internal}, nil
		}
	}
	return salesforce.UserSummary{}, actions.ErrNotFound
}

// start is the fixed time of the tests.
var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock. It can also hold its callers at a gate
// (see meet).
type clock struct {
	mu      sync.Mutex
	now     time.Time
	n       int           // callers that pass the gate together
	waiting int           // callers still expected at the gate
	gates   int           // gates left, this one included
	gate    chan struct{} // closed when the last caller of a group arrives
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	now, gate := c.now, c.gate
	if gate != nil {
		if c.waiting--; c.waiting == 0 {
			close(gate)
			c.gate = nil
			if c.gates--; c.gates > 0 {
				c.waiting, c.gate = c.n, make(chan struct{})
			}
		}
	}
	c.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-time.After(2 * time.Second): // the others never came: do not hang
		}
	}
	return now
}

// meet makes the next calls of Now pass in groups of n, each call waiting
// for the others of its group, for the given number of groups. met
// removes the gate and reports whether every group was complete.
func (c *clock) meet(n, groups int) (met func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.waiting, c.gates, c.gate = n, n, groups, make(chan struct{})
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		complete := c.gates == 0
		c.gates, c.gate = 0, nil
		return complete
	}
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// slowAnswer is how long /slow takes to answer: far beyond the callout
// timeout of the tests, so that a callout that waits for it is a failure
// rather than a hang.
const slowAnswer = 3 * time.Second

// callouts is the provider the links call: every request goes to it,
// whatever the host of the URL (http://callouts.example/ok, say).
//
//	/ok    200 {"ok":true}
//	/fail  500 {"error":"boom"}
//	/slow  200 {"ok":true} after slowAnswer, unless the callout gives up first
type callouts struct {
	srv   *httptest.Server
	count atomic.Int64
	mu    sync.Mutex
	last  *http.Request
	body  string
	delay time.Duration // before answering /ok
}

func newCallouts(t testing.TB) *callouts {
	t.Helper()
	c := &callouts{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.count.Add(1)
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.last, c.body = r, string(b)
		c.mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			time.Sleep(c.delay)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"ok":true}`)
		case "/fail":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":"boom"}`)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(slowAnswer):
				fmt.Fprint(w, `{"ok":true}`)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// client sends every request to the callout server.
func (c *callouts) client() *http.Client {
	addr := c.srv.Listener.Addr().String()
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// lastRequest returns the method, URL, headers named and body of the last
// callout.
func (c *callouts) lastRequest(headers ...string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", c.last.Method, c.last.URL)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\n", h, c.last.Header.Get(h))
	}
	b.WriteString(c.body)
	return b.String()
}

// env is a handler under test with its clock and its callout provider.
type env struct {
	t        testing.TB
	h        *salesforce.Handler
	stores   salesforce.Stores
	srv      http.Handler
	clock    *clock
	callouts *callouts
}

// ids returns a generator of sequential ids: 0Ag000000000001AAA, ...
func ids() func(prefix string) string {
	var mu sync.Mutex
	n := map[string]int{}
	return func(prefix string) string {
		mu.Lock()
		defer mu.Unlock()
		n[prefix]++
		return fmt.Sprintf("%s%012dAAA", prefix, n[prefix])
	}
}

// newEnv returns a handler over memory stores with the tests' users,
// clock, ids and callout provider; each of configure changes its Config
// before the handler is built.
func newEnv(t testing.TB, configure ...func(*salesforce.Config)) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{now: start}, callouts: newCallouts(t), stores: salesforce.NewMemoryStores()}
	cfg := salesforce.Config{
		Stores:       e.stores,
		Authenticate: authenticate,
		// The test provider speaks plain HTTP, as a developer's does.
		AllowHTTP: func(_ context.Context, u *url.URL) bool { return u.Hostname() == "callouts.example" },
		BasePath:  base,
		Client:    e.callouts.client(),
		// Far below slowAnswer, and far above what a callout to the local
		// provider takes on a loaded machine under -race.
		CalloutTimeout: time.Second,
		Clock:          e.clock.Now,
		Variables: func(*http.Request) salesforce.Variables {
			return salesforce.Variables{OrgID: "00D000000000001AAA", CommunityID: "0DB000000000001AAA", CommunityURL: "https://community.example"}
		},
		UserSummary: userSummary,
		NewID:       ids(),
		Logger:      slog.New(slog.DiscardHandler),
	}
	for _, c := range configure {
		c(&cfg)
	}
	e.mount(cfg)
	return e
}

// mount builds the handler of cfg and serves it under base.
func (e *env) mount(cfg salesforce.Config) {
	e.t.Helper()
	h, err := salesforce.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.h = h
	mux := http.NewServeMux()
	mux.Handle(base+"/", http.StripPrefix(base, h))
	e.srv = mux
}

// do sends a request as the user of token ("" for none) and returns the
// status and the body.
func (e *env) do(method, path, token, body string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, base+path, rd)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// status returns the status of a link as the user of token sees it.
func (e *env) status(id, token string) string {
	e.t.Helper()
	code, body := e.do("GET", "/connect/action-links/"+id, token, "")
	if code != http.StatusOK {
		return fmt.Sprintf("HTTP %d", code)
	}
	var pa salesforce.PlatformAction
	if err := json.Unmarshal([]byte(body), &pa); err != nil {
		e.t.Fatal(err)
	}
	return pa.Status
}

// group creates a group through POST and returns its definition.
func (e *env) group(token, body string) salesforce.GroupDefinition {
	e.t.Helper()
	code, out := e.do("POST", "/connect/action-link-group-definitions", token, body)
	if code != http.StatusCreated {
		e.t.Fatalf("POST group: %d %s", code, out)
	}
	var g salesforce.GroupDefinition
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		e.t.Fatal(err)
	}
	return g
}

// oneLink creates a group of one link and returns the link's id.
func (e *env) oneLink(executions, actionType, method, url string, extra string) string {
	e.t.Helper()
	g := e.group("sf-alice", fmt.Sprintf(`{"category":"Primary","executionsAllowed":%q,"expirationDate":"2026-12-31T00:00:00.000Z",
		"actionLinks":[{"actionType":%q,"actionUrl":%q,"method":%q,"labelKey":"Approve","requiresConfirmation":false%s}]}`,
		executions, actionType, url, method, extra))
	return g.ActionLinks[0].ID
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	adaptertest.Golden(t, filepath.Join("testdata", name), []byte(got))
}

// pretty indents a JSON body for a golden file; the content is unchanged.
func pretty(t *testing.T, body string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(body), "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	return b.String() + "\n"
}

// transcript accumulates requests and whole answers for a golden file.
type transcript struct{ b strings.Builder }

func (tr *transcript) add(t *testing.T, title string, code int, body string) {
	t.Helper()
	fmt.Fprintf(&tr.b, "=== %s\nHTTP %d\n", title, code)
	if strings.TrimSpace(body) != "" {
		tr.b.WriteString(pretty(t, body))
	}
}
