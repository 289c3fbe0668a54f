package akana

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
	"github.com/google/go-cmp/cmp"
)

// routeObject is the object of the routing tests.
type routeObject struct {
	WorkflowKey string
	State       string
}

// routeTwin is a handler and what its host code saw of the last request.
type routeTwin struct {
	h    *Handler[routeObject]
	seen *seenRequest
}

// seenRequest is what Authenticate saw of a request.
type seenRequest struct {
	Pattern  string
	ObjectID string
	Called   bool
}

// newRouteTwin returns a handler over objects whose ids exercise the
// unescaping of the ObjectID ("a/b", "..", a space, a non-ASCII letter).
func newRouteTwin(t *testing.T) routeTwin {
	t.Helper()
	wf, err := NewWorkflows(Fields{}, []Workflow{{
		Key: "wf", Title: "Workflow", States: []string{"Open", "Closed"},
		Actions: []WorkflowAction{
			{Name: "close", From: []string{"Open"}, To: "Closed"},
			{Name: "reopen", From: []string{"Closed"}, To: "Open"},
			{Name: "@Modify"},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := actions.Compile[routeObject](wf.Definitions())
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[routeObject]()
	for _, id := range []string{"x.t", "a/b.t", "...t", "..", ".", "a b.t", "ü.t", "a%zz.t", "a;b.t", "%2F.t", "objects", "actions", "+.t"} {
		if _, err := store.Create(context.Background(), id, routeObject{WorkflowKey: "wf", State: "Open"}); err != nil {
			t.Fatal(err)
		}
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatal(err)
	}
	seen := &seenRequest{}
	h, err := New(engine, wf, Config{
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			*seen = seenRequest{Pattern: r.Pattern, ObjectID: r.PathValue("ObjectID"), Called: true}
			if _, err := AuthToken(r, ""); err != nil {
				return actions.Actor{}, err
			}
			return actions.Actor{ID: "admin", Permissions: []string{"*"}}, nil
		},
		CSRFToken: func(r *http.Request, _ actions.Actor) (string, error) { return "csrf", nil },
		FedMember: "t",
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return routeTwin{h: h, seen: seen}
}

// routeAnswer is everything a request got, and what its host code saw.
type routeAnswer struct {
	Status int
	Header http.Header
	Body   string
	Seen   seenRequest
	// Pattern and ObjectID are what the request says after the handler.
	Pattern  string
	ObjectID string
}

func (tw routeTwin) serve(r *http.Request, serve func(http.ResponseWriter, *http.Request)) routeAnswer {
	*tw.seen = seenRequest{}
	w := httptest.NewRecorder()
	serve(w, r)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return routeAnswer{Status: res.StatusCode, Header: res.Header, Body: string(body), Seen: *tw.seen,
		Pattern: r.Pattern, ObjectID: r.PathValue("ObjectID")}
}

// routeRequest is a request of the routing tests; newRequest builds it
// afresh for each handler.
type routeRequest struct {
	method, target string
	rawPath        string // sets URL.RawPath (with the Path it unescapes to) when not empty
	requestURI     string // replaces RequestURI when not empty
	host           string
	body           string
}

func (rr routeRequest) newRequest(t *testing.T) *http.Request {
	t.Helper()
	var body io.Reader
	if rr.body != "" {
		body = strings.NewReader(rr.body)
	}
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(rr.method + " " + rr.target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")))
	if err != nil {
		t.Fatalf("%s %s: %v", rr.method, rr.target, err)
	}
	r.Body = io.NopCloser(strings.NewReader(""))
	if body != nil {
		r.Body = io.NopCloser(body)
		r.ContentLength = int64(len(rr.body))
	}
	if rr.rawPath != "" {
		p, err := url.PathUnescape(rr.rawPath)
		if err != nil {
			t.Fatal(err)
		}
		r.URL.Path, r.URL.RawPath = p, rr.rawPath
	}
	if rr.requestURI != "" {
		r.RequestURI = rr.requestURI
	}
	if rr.host != "" {
		r.Host = rr.host
	}
	r.Header.Set("Cookie", "AtmoAuthToken_t=admin")
	r.Header.Set("X-Csrf-Token_t", "csrf")
	if rr.body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// compareRoutes serves each request through ServeHTTP on one handler and
// through the mux alone (the routing of ServeHTTP before it matched the
// two routes itself) on a twin with the same state, and compares
// everything: status, headers, body, and what host code saw.
func compareRoutes(t *testing.T, requests []routeRequest) {
	t.Helper()
	fast, slow := newRouteTwin(t), newRouteTwin(t)
	viaMux := func(w http.ResponseWriter, r *http.Request) {
		defer httpx.Recover(func(err error) { slow.h.fail(w, r, errorType(r), err) })
		slow.h.serveMux(w, r)
	}
	for _, rr := range requests {
		name := rr.method + " " + rr.target
		if rr.rawPath != "" {
			name += " raw " + rr.rawPath
		}
		if rr.requestURI != "" {
			name += " uri " + rr.requestURI
		}
		if rr.host != "" {
			name += " host " + rr.host
		}
		want := slow.serve(rr.newRequest(t), viaMux)
		got := fast.serve(rr.newRequest(t), fast.h.ServeHTTP)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: ServeHTTP differs from the mux (-mux +ServeHTTP):\n%s", name, diff)
		}
	}
}

// TestRoutesAsMux checks that ServeHTTP, which matches the two routes
// itself, answers every request exactly as routing it through the mux
// does: clean and unclean paths, escapes, trailing slashes, other methods.
func TestRoutesAsMux(t *testing.T) {
	var requests []routeRequest
	paths := []string{
		"/api/workflow/objects/x.t/actions",
		"/api/workflow/objects/x.t/actions?IncludeReservedActions",
		"/api/workflow/objects/x.t/actions?IncludeReservedActions=maybe",
		"/api/workflow/objects/unknown.t/actions",
		"/api/workflow/objects/x.t/actions/",
		"/api/workflow/objects/x.t/actions//",
		"/api/workflow/objects/x.t/actions/.",
		"/api/workflow/objects/x.t/actionsx",
		"/api/workflow/objects/x.t/",
		"/api/workflow/objects/x.t",
		"/api/workflow/objects//actions",
		"/api/workflow/objects/./actions",
		"/api/workflow/objects/../actions",
		"/api/workflow/objects/x.t/../x.t/actions",
		"/api/workflow/objects/y/../x.t/actions",
		"/api/workflow/objects/./x.t/actions",
		"/api/workflow/objects/x.t/./actions",
		"/api/workflow//objects/x.t/actions",
		"//api/workflow/objects/x.t/actions",
		"/api/workflow/objects/x.t//actions",
		"/api/workflow/objects/a/b.t/actions",
		"/api/workflow/objects/a%2Fb.t/actions",
		"/api/workflow/objects/a%2fb.t/actions",
		"/api/workflow/objects/%2E%2E/actions",
		"/api/workflow/objects/%2e/actions",
		"/api/workflow/objects/...t/actions",
		"/api/workflow/objects/x%2Et/actions",
		"/api/workflow/objects/a%20b.t/actions",
		"/api/workflow/objects/a+b.t/actions",
		"/api/workflow/objects/+.t/actions",
		"/api/workflow/objects/%C3%BC.t/actions",
		"/api/workflow/objects/a%25zz.t/actions",
		"/api/workflow/objects/a;b.t/actions",
		"/api/workflow/objects/%252F.t/actions",
		"/api/workflow/objects/objects/actions",
		"/api/workflow/objects/actions/actions",
		"/api/workflow/objects/actions",
		"/api/workflow/%6Fbjects/x.t/actions",
		"/api/workflow/objects/x.t/%61ctions",
		"/%61pi/workflow/objects/x.t/actions",
		"/API/workflow/objects/x.t/actions",
		"/api/workflow/objects/x.t/ACTIONS",
		"/api/workflow/other",
		"/api/workflow/",
		"/",
		"*",
	}
	for _, p := range paths {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get", "CONNECT"} {
			if p == "*" && m != "OPTIONS" && m != "GET" {
				continue
			}
			rr := routeRequest{method: m, target: p}
			if m == "POST" {
				rr.body = `{"ActionName": "close"}`
			}
			requests = append(requests, rr)
		}
	}
	for _, rr := range []routeRequest{
		// A RawPath that is not the canonical escaping of Path: the mux
		// routes by it.
		{method: "GET", target: "/", rawPath: "/api/workflow/objects/x%2Et/actions"},
		{method: "GET", target: "/", rawPath: "/api/workflow/objects/a%2Fb.t/actions"},
		{method: "GET", target: "/", rawPath: "/api/workflow/%6Fbjects/x.t/actions"},
		{method: "POST", target: "/", rawPath: "/api/workflow/objects/x%2et/actions", body: `{"ActionName": "reopen"}`},
		// What the mux answers itself.
		{method: "GET", target: "/api/workflow/objects/x.t/actions", requestURI: "*"},
		{method: "POST", target: "/api/workflow/objects/x.t/actions", requestURI: "*", body: `{"ActionName": "close"}`},
		// Hosts do not matter: no pattern names one.
		{method: "GET", target: "/api/workflow/objects/x.t/actions", host: "example.com:8080"},
		{method: "GET", target: "/api/workflow/objects/x.t/actions", host: "[::1]:80"},
		{method: "GET", target: "http://other.example/api/workflow/objects/x.t/actions"},
		// The state changes the same way on both.
		{method: "POST", target: "/api/workflow/objects/x.t/actions", body: `{"ActionName": "reopen"}`},
		{method: "GET", target: "/api/workflow/objects/x.t/actions"},
		{method: "POST", target: "/api/workflow/objects/x.t/actions", body: `{"ActionName": "nope"}`},
		{method: "POST", target: "/api/workflow/objects/x.t/actions", body: `{`},
	} {
		requests = append(requests, rr)
	}
	compareRoutes(t, requests)
}

// TestRoutesAsMuxRandom compares ServeHTTP with the mux on random paths
// built from the segments that matter to routing.
func TestRoutesAsMuxRandom(t *testing.T) {
	segs := []string{"api", "workflow", "objects", "actions", "x.t", "a%2Fb.t", "", ".", "..", "%2E", "%2e%2E",
		"%6Fbjects", "a%20b.t", "%C3%BC.t", "a%25zz.t", "ACTIONS", "unknown.t", "objects"}
	rng := rand.New(rand.NewPCG(1, 2))
	var requests []routeRequest
	for range 3000 {
		var b strings.Builder
		if rng.IntN(4) > 0 {
			b.WriteString("/api/workflow/objects")
		}
		for range rng.IntN(4) {
			b.WriteString("/" + segs[rng.IntN(len(segs))])
		}
		if rng.IntN(2) == 0 {
			b.WriteString("/actions")
		}
		if rng.IntN(8) == 0 {
			b.WriteString("/")
		}
		p := b.String()
		if p == "" || p[0] != '/' {
			p = "/" + p
		}
		m := []string{"GET", "HEAD", "POST", "PUT"}[rng.IntN(4)]
		rr := routeRequest{method: m, target: p}
		if m == "POST" {
			rr.body = []string{`{"ActionName": "close"}`, `{"ActionName": "reopen"}`}[rng.IntN(2)]
		}
		requests = append(requests, rr)
	}
	compareRoutes(t, requests)
}

// TestRoutedID checks which paths ServeHTTP matches itself, so that the
// comparisons above compare its own matching with the mux's, not the mux
// with itself.
func TestRoutedID(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		rawPath string
		wantID  string
		wantOK  bool
	}{
		{name: "plain", target: "/api/workflow/objects/x.t/actions", wantID: "x.t", wantOK: true},
		{name: "query", target: "/api/workflow/objects/x.t/actions?IncludeReservedActions", wantID: "x.t", wantOK: true},
		{name: "escaped slash", target: "/api/workflow/objects/a%2Fb.t/actions", wantID: "a/b.t", wantOK: true},
		{name: "escaped dots", target: "/api/workflow/objects/%2E%2E/actions", wantID: "..", wantOK: true},
		{name: "non-ASCII", target: "/api/workflow/objects/%C3%BC.t/actions", wantID: "ü.t", wantOK: true},
		{name: "raw path", target: "/", rawPath: "/api/workflow/objects/x%2Et/actions", wantID: "x.t", wantOK: true},
		{name: "dot dot", target: "/api/workflow/objects/../actions"},
		{name: "dot", target: "/api/workflow/objects/./actions"},
		{name: "empty", target: "/api/workflow/objects//actions"},
		{name: "two segments", target: "/api/workflow/objects/a/b/actions"},
		{name: "trailing slash", target: "/api/workflow/objects/x.t/actions/"},
		{name: "escaped literal", target: "/api/workflow/%6Fbjects/x.t/actions"},
		{name: "unclean", target: "/api//workflow/objects/x.t/actions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.target, nil)
			if tt.rawPath != "" {
				r.URL.Path, _ = url.PathUnescape(tt.rawPath)
				r.URL.RawPath = tt.rawPath
			}
			id, ok := routedID(r)
			if id != tt.wantID || ok != tt.wantOK {
				t.Errorf("routedID(%s) = %q, %v; want %q, %v", tt.target, id, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}
