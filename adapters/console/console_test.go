package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/console"
)

// execute runs an action through the engine, as the host's other
// adapters would, so that the journal has records.
func (f *fixture) execute(t testing.TB, actionID, objectID string, actor actions.Actor, inputs actions.Inputs) {
	t.Helper()
	ctx := context.Background()
	_, version, err := f.store.Load(ctx, objectID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.Execute(ctx, actions.Request{ActionID: actionID, ObjectID: objectID, Version: version, Actor: actor, Inputs: inputs, Comment: "by the test"}); err != nil {
		t.Fatalf("executing %s on %s: %v", actionID, objectID, err)
	}
}

// storedJSON is the stored object id as JSON, as the playground's form
// holds it after loading it; "{}" for an object that is not stored.
func (f *fixture) storedJSON(t testing.TB, id string) string {
	t.Helper()
	obj, _, err := f.store.Load(context.Background(), id)
	if errors.Is(err, actions.ErrNotFound) {
		return "{}"
	}
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPages renders each page and compares the whole body with its golden
// file.
func TestPages(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.MenuURL = "../" })
	token := f.csrf(t, "ann")
	// The journal: three executions by bob and ann.
	f.execute(t, "estimate", "T-2", bob, actions.Inputs{"points": 5})
	f.execute(t, "submit", "T-2", bob, nil)
	f.execute(t, "approve", "T-2", ann, nil)

	form := func(kv ...string) url.Values {
		v := url.Values{"csrf": {token}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		form   url.Values
		status int
	}{
		{"catalog.html", "GET", "/", nil, 200},
		{"playground_object.html", "GET", "/playground?object=T-1", nil, 200},
		{"playground_sample_preset.html", "GET", "/playground?sample=big+ticket+in+review&actor=carl", nil, 200},
		{"playground_missing.html", "GET", "/playground?object=T-9", nil, 404},
		// T-1 as stored but assigned to bob, for bob (preset 1), with a
		// dry run of estimate to 7 points: a change and a violation.
		{"playground_dry_run.html", "POST", "/playground", form(
			"id", "T-1", "version", "1",
			"object", `{"title": "Login fails", "status": "new", "assignee": "bob", "points": 3, "tags": ["backend"]}`,
			"preset", "1", "dryrun", "estimate", "in.estimate.points", "7"), 200},
		// A dry run whose input is invalid: the violation names the input.
		{"playground_dry_run_input.html", "POST", "/playground", form(
			"object", `{"title": "Old report", "status": "closed", "assignee": "ann", "points": 5}`,
			"actor.id", "ann", "actor.permissions", "edit", "actor.attributes", "team=core\nsite = Berlin",
			"dryrun", "reopen", "in.reopen.reason", "oops"), 200},
		{"playground_bad_json.html", "POST", "/playground", form(
			"object", "{\n  \"title\": \"x\",\n  \"status\": open\n}", "actor.id", "ann"), 400},
		{"playground_bad_actor.html", "POST", "/playground", form(
			"object", `{"title": "x"}`, "actor.attributes", "team"), 400},
		{"journal.html", "GET", "/journal", nil, 200},
		{"journal_filtered.html", "GET", "/journal?actor=bob&status=succeeded&action=submit", nil, 200},
		{"journal_bad_filter.html", "GET", "/journal?actor=bob&noactor=1", nil, 400},
		{"rules.html", "GET", "/rules", nil, 200},
		{"rules_problems.html", "POST", "/rules", form("rules", ruleFileWithProblems), 422},
		{"rules_not_json.html", "POST", "/rules", form("rules", "{\"actions\": [\n  {\"id\": \"a\",\n   \"name\": \"A\",}\n]}"), 422},
		{"rules_ok.html", "POST", "/rules", form("rules", soundRuleFile), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			var status int
			if tc.method == "GET" {
				w := f.get(t, "ann", tc.path)
				got, status = w.Body.String(), w.Code
			} else {
				w := f.post(t, "ann", tc.path, tc.form)
				got, status = w.Body.String(), w.Code
			}
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			golden(t, tc.name, got)
		})
	}
}

// ruleFileWithProblems has a problem of every sort the rule check words:
// an expression that does not compile (caret snippet), a change of an
// unknown field, an unknown key, a state that is not declared, a
// duplicate id.
const ruleFileWithProblems = `{
  "states": [{"field": "status", "states": ["new", "done"]}],
  "actions": [
    {"id": "close", "name": "Close", "condition": "Status == \"new\" &&\n  Points >> 3",
     "workflow": {"field": "status", "from": ["new"], "to": "closed"}},
    {"id": "tag", "name": "Tag", "changes": [{"field": "labels", "expr": "[\"x\"]"}]},
    {"id": "tag", "name": "Tag again", "colour": "red"},
    {"id": "guarded", "name": "Guarded", "guards": [{"name": "big", "expr": "Points > \"3\""}]}
  ]
}`

const soundRuleFile = `{
  "states": [{"field": "status", "states": ["new", "done"]}],
  "actions": [
    {"id": "finish", "name": "Finish", "workflow": {"field": "status", "from": ["new"], "to": "done"}},
    {"id": "retag", "name": "Retag", "changes": [{"field": "tags", "expr": "[\"x\"]"}]}
  ]
}`

// TestMenu renders the menu of several consoles.
func TestMenu(t *testing.T) {
	m := console.NewMenu(console.MenuOptions{
		Title:     "Consoles",
		Authorize: signedIn,
		Entries: []console.MenuEntry{
			{Name: "Tickets", Path: "tickets/", Description: "Sign in as ann."},
			{Name: "Invoices & <credits>", Path: "/console/invoices/"},
		},
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer ann")
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("status %d, want 200", w.Code)
	}
	golden(t, "menu.html", w.Body.String())
	// The menu's own style sheet, and nothing else.
	for path, want := range map[string]int{"/assets/console.css": 200, "/other": 404} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Authorization", "Bearer ann")
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("GET %s: status %d, want %d", path, w.Code, want)
		}
	}
	var zero console.MenuOptions
	w = httptest.NewRecorder()
	console.NewMenu(zero).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != http.StatusForbidden {
		t.Errorf("menu without a hook: status %d, want 403", w.Code)
	}
}

// routes are every route of a console, with a form for the POSTs.
var routes = []struct{ method, path string }{
	{"GET", "/"},
	{"GET", "/playground"},
	{"GET", "/playground?object=T-1"},
	{"POST", "/playground"},
	{"POST", "/execute"},
	{"GET", "/journal"},
	{"GET", "/rules"},
	{"POST", "/rules"},
	{"GET", "/assets/console.css"},
	{"GET", "/nothing-here"},
}

// TestAuthorize shows that the hook guards every route, pages, forms and
// assets alike, and that a refusal shows nothing of the console.
func TestAuthorize(t *testing.T) {
	denied := errors.New("not an admin")
	for _, tc := range []struct {
		name      string
		authorize console.AuthorizeFunc
		token     string
		status    int
		challenge string
	}{
		{"no hook denies", nil, "ann", 403, ""},
		{"no credentials", signedIn, "", 401, `Bearer realm="tickets"`},
		{"unknown credentials", signedIn, "mallory", 403, ""},
		{"hook refuses", func(*http.Request) (actions.Actor, error) { return actions.Actor{}, denied }, "ann", 403, ""},
		{"wrapped unauthenticated", func(*http.Request) (actions.Actor, error) {
			return actions.Actor{}, errors.Join(console.ErrUnauthenticated, denied)
		}, "ann", 401, `Bearer realm="tickets"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDefault(t, func(o *console.Options[Ticket]) { o.Authorize, o.Execute = tc.authorize, true })
			for _, rt := range routes {
				var w *httptest.ResponseRecorder
				if rt.method == "GET" {
					w = f.get(t, tc.token, rt.path)
				} else {
					w = f.post(t, tc.token, rt.path, url.Values{"csrf": {"x"}, "execute": {"approve"}, "id": {"T-3"}, "version": {"1"}})
				}
				if w.Code != tc.status {
					t.Errorf("%s %s: status %d, want %d", rt.method, rt.path, w.Code, tc.status)
				}
				if got := w.Header().Get("WWW-Authenticate"); got != tc.challenge {
					t.Errorf("%s %s: WWW-Authenticate %q, want %q", rt.method, rt.path, got, tc.challenge)
				}
				body := w.Body.String()
				for _, secret := range []string{"console.css", "Approve", "Login fails", "csrf", "not an admin"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s %s: the refusal shows %q:\n%s", rt.method, rt.path, secret, body)
					}
				}
			}
			if _, v, _ := f.store.Load(context.Background(), "T-3"); v != 1 {
				t.Errorf("T-3 is at version %d after refused requests, want 1", v)
			}
		})
	}
}

// TestSecurityHeaders checks the headers of every response, and that no
// page has a script, an inline style or a reference to another site.
func TestSecurityHeaders(t *testing.T) {
	f := newDefault(t, nil)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
	}
	foreign := regexp.MustCompile(`(?i)<script|\sstyle=|\son[a-z]+=|https?://|//[a-z]`)
	for _, token := range []string{"ann", "", "mallory"} {
		for _, rt := range routes {
			var w *httptest.ResponseRecorder
			if rt.method == "GET" {
				w = f.get(t, token, rt.path)
			} else {
				w = f.post(t, token, rt.path, url.Values{"csrf": {f.csrf(t, "ann")}, "object": {`{"title": "x"}`}})
			}
			got := map[string]string{}
			for k := range want {
				got[k] = w.Header().Get(k)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s as %q: headers mismatch (-want +got):\n%s", rt.method, rt.path, token, diff)
			}
			if ct := w.Header().Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
				body := strings.ReplaceAll(w.Body.String(), `xmlns="http://www.w3.org/2000/svg"`, "")
				if m := foreign.FindString(body); m != "" {
					t.Errorf("%s %s as %q: the page has %q", rt.method, rt.path, token, m)
				}
			}
		}
	}
}

// TestEscaping shows that what the console shows of the data is escaped.
func TestEscaping(t *testing.T) {
	f := newDefault(t, nil)
	body := f.get(t, "ann", "/playground?object=T-3").Body.String()
	if strings.Contains(body, "<b>home</b>") {
		t.Errorf("the title of T-3 is not escaped:\n%s", body)
	}
	if !strings.Contains(body, `&lt;b&gt;home&lt;/b&gt; &amp; \&#34;about\&#34;`) {
		t.Errorf("the title of T-3 is not shown escaped:\n%s", body)
	}
}

// TestCSRF shows that every form needs the CSRF token of the signed-in
// actor's page, and that a refused form changes nothing.
func TestCSRF(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.Execute = true })
	annToken, bobToken := f.csrf(t, "ann"), f.csrf(t, "bob")
	if annToken == bobToken {
		t.Fatalf("ann and bob have the same CSRF token %q", annToken)
	}
	execute := url.Values{"execute": {"approve"}, "id": {"T-3"}, "version": {"1"}}
	for _, tc := range []struct {
		name   string
		token  string
		header map[string]string
		status int
	}{
		{"missing", "", nil, 403},
		{"wrong", "bm90LWEtdG9rZW4", nil, 403},
		{"another user's", bobToken, nil, 403},
		{"cross-site with the right token", annToken, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"other origin with the right token", annToken, map[string]string{"Origin": "http://evil.test"}, 403},
		{"right", annToken, nil, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/playground", "/rules", "/execute"} {
				// The playground's form holds T-3 as loaded, which execute needs.
				form := url.Values{"object": {f.storedJSON(t, "T-3")}, "rules": {soundRuleFile}}
				for k, v := range execute {
					form[k] = v
				}
				if tc.token != "" {
					form.Set("csrf", tc.token)
				}
				r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Authorization", "Bearer ann")
				for k, v := range tc.header {
					r.Header.Set(k, v)
				}
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, r)
				if w.Code != tc.status {
					t.Errorf("POST %s: status %d, want %d\n%s", path, w.Code, tc.status, w.Body)
				}
				if tc.status == 403 {
					if _, v, _ := f.store.Load(context.Background(), "T-3"); v != 1 {
						t.Fatalf("POST %s with a bad token: T-3 is at version %d, want 1", path, v)
					}
				}
			}
		})
	}
	// The right token executed approve on T-3 once.
	recs, err := f.engine.Executions(context.Background(), actions.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ActionID != "approve" || recs[0].ActorID != "ann" {
		t.Errorf("journal after the CSRF tests: %+v, want one approve of T-3 by ann", recs)
	}
}

// TestExecuteDisabled shows that a console stores nothing unless the
// host enables execution: a valid execute form is refused.
func TestExecuteDisabled(t *testing.T) {
	f := newDefault(t, nil)
	w := f.post(t, "ann", "/execute", url.Values{"csrf": {f.csrf(t, "ann")}, "execute": {"approve"}, "id": {"T-3"}, "version": {"1"}})
	if w.Code != http.StatusForbidden {
		t.Errorf("status %d, want 403", w.Code)
	}
	if !strings.Contains(w.Body.String(), "does not execute actions") {
		t.Errorf("the refusal does not say why:\n%s", w.Body)
	}
	if _, v, _ := f.store.Load(context.Background(), "T-3"); v != 1 {
		t.Errorf("T-3 is at version %d, want 1", v)
	}
	recs, _ := f.engine.Executions(context.Background(), actions.Filter{})
	if len(recs) != 0 {
		t.Errorf("the journal has %d records, want none", len(recs))
	}
	// And the playground offers no Execute button.
	if body := f.get(t, "ann", "/playground?object=T-3").Body.String(); strings.Contains(body, `formaction="execute`) {
		t.Errorf("the playground offers execution although it is disabled")
	}
}

// TestExecute shows execution, when enabled: as the signed-in actor
// (whatever the form's actor says), at the version loaded, and refused
// with the engine's reasons.
func TestExecute(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.Execute = true })
	token := f.csrf(t, "ann")
	send := func(action, id, version string, extra ...string) *httptest.ResponseRecorder {
		// The form holds the object as the playground loaded it.
		form := url.Values{"csrf": {token}, "execute": {action}, "id": {id}, "version": {version},
			"object": {f.storedJSON(t, id)}, "actor.id": {"carl"}, "actor.permissions": {"approve"}, "comment": {"from the console"}}
		for i := 0; i < len(extra); i += 2 {
			form.Set(extra[i], extra[i+1])
		}
		return f.post(t, "ann", "/execute", form)
	}
	// The golden page shows the result and T-3 as stored now.
	w := send("approve", "T-3", "1")
	if w.Code != http.StatusOK {
		t.Errorf("approve T-3: status %d, want 200", w.Code)
	}
	golden(t, "execute_ok.html", w.Body.String())
	obj, v, err := f.store.Load(context.Background(), "T-3")
	if err != nil || v != 2 || obj.Status != "closed" {
		t.Errorf("T-3 after approve: %+v at version %d (%v), want closed at 2", obj, v, err)
	}
	recs, _ := f.engine.Executions(context.Background(), actions.Filter{})
	want := []actions.Execution{{Seq: recs[0].Seq, ID: "exec-1", ActionID: "approve", ObjectID: "T-3", ActorID: "ann", Comment: "from the console",
		Time: pinned, FromVersion: 1, ToVersion: 2, Status: actions.StatusSucceeded}}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("journal mismatch (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name             string
		action, id, ver  string
		extra            []string
		status           int
		fragment         string
		wantT1Version    int64
		wantJournalCount int
	}{
		{"stale version", "estimate", "T-1", "7", []string{"in.estimate.points", "5"}, 409, "the object changed since it was loaded", 1, 1},
		{"not applicable", "start", "T-1", "1", nil, 422, `guard <code class="guard">has-assignee</code> is false`, 1, 1},
		{"invalid input", "estimate", "T-1", "1", []string{"in.estimate.points", "2.5"}, 422, "input.points must be a whole number, not 2.5", 1, 1},
		{"post-condition", "estimate", "T-1", "1", []string{"in.estimate.points", "7"}, 422, "points are a Fibonacci number: 7 is not one", 1, 1},
		{"unknown object", "estimate", "T-9", "1", []string{"in.estimate.points", "5"}, 404, `actions: object &#34;T-9&#34; not found`, 1, 1},
		{"executed", "estimate", "T-1", "1", []string{"in.estimate.points", "5"}, 200, "Saved as version 2", 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := send(tc.action, tc.id, tc.ver, tc.extra...)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if !strings.Contains(w.Body.String(), tc.fragment) {
				t.Errorf("the page does not say %q:\n%s", tc.fragment, w.Body)
			}
			if _, v, _ := f.store.Load(context.Background(), "T-1"); v != tc.wantT1Version {
				t.Errorf("T-1 at version %d, want %d", v, tc.wantT1Version)
			}
			if recs, _ := f.engine.Executions(context.Background(), actions.Filter{}); len(recs) != tc.wantJournalCount {
				t.Errorf("%d records, want %d", len(recs), tc.wantJournalCount)
			}
		})
	}
}

var (
	rowSeq   = regexp.MustCompile(`<tr>\n<td>(\d+)</td>`)
	olderRel = regexp.MustCompile(`href="([^"]+)" rel="next"`)
	newerRel = regexp.MustCompile(`href="([^"]+)" rel="prev"`)
)

// TestJournalPaging walks a filtered journal back and forth with the
// page's own links.
func TestJournalPaging(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.PageSize = 2 })
	for i := range 5 {
		f.execute(t, "estimate", "T-1", bob, actions.Inputs{"points": i})
		f.execute(t, "estimate", "T-2", ann, actions.Inputs{"points": i}) // filtered out
	}
	// bob's records are 1, 3, 5, 7, 9.
	type page struct {
		Seqs         []int
		Older, Newer bool
	}
	read := func(path string) (page, string, string) {
		t.Helper()
		w := f.get(t, "ann", path)
		if w.Code != 200 {
			t.Fatalf("GET %s: status %d\n%s", path, w.Code, w.Body)
		}
		body := w.Body.String()
		var p page
		for _, m := range rowSeq.FindAllStringSubmatch(body, -1) {
			n, _ := strconv.Atoi(m[1])
			p.Seqs = append(p.Seqs, n)
		}
		var older, newer string
		if m := olderRel.FindStringSubmatch(body); m != nil {
			p.Older, older = true, html.UnescapeString(m[1])
		}
		if m := newerRel.FindStringSubmatch(body); m != nil {
			p.Newer, newer = true, html.UnescapeString(m[1])
		}
		return p, "/" + older, "/" + newer
	}
	// Back: from the newest page, by the Older links.
	var got []page
	p, older, newer := read("/journal?actor=bob")
	got = append(got, p)
	for p.Older {
		p, older, newer = read(older)
		got = append(got, p)
	}
	// Forth: from the oldest page, by the Newer links.
	var back []page
	for p.Newer {
		p, _, newer = read(newer)
		back = append(back, p)
	}
	want := []page{{Seqs: []int{9, 7}, Older: true}, {Seqs: []int{5, 3}, Older: true, Newer: true}, {Seqs: []int{1}, Newer: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("older pages mismatch (-want +got):\n%s", diff)
	}
	wantBack := []page{{Seqs: []int{5, 3}, Older: true, Newer: true}, {Seqs: []int{9, 7}, Older: true}}
	if diff := cmp.Diff(wantBack, back); diff != "" {
		t.Errorf("newer pages mismatch (-want +got):\n%s", diff)
	}
}

// TestJournalBadFilter shows the filters the journal page refuses.
func TestJournalBadFilter(t *testing.T) {
	f := newDefault(t, nil)
	for _, tc := range []struct{ query, message string }{
		{"status=done", `There is no status &#34;done&#34;`},
		{"before=x", `before=&#34;x&#34; is not a positive sequence number.`},
		{"after=-1", `after=&#34;-1&#34; is not a positive sequence number.`},
		{"before=3&after=1", "Page with before or with after, not both."},
		{"actor=bob&noactor=1", "The filter cannot be answered"},
	} {
		w := f.get(t, "ann", "/journal?"+tc.query)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), tc.message) {
			t.Errorf("GET /journal?%s: status %d, want 400 saying %q:\n%s", tc.query, w.Code, tc.message, w.Body)
		}
	}
}

// TestNewOptions shows the options New refuses.
func TestNewOptions(t *testing.T) {
	f := newDefault(t, nil)
	for _, tc := range []struct {
		name string
		opts console.Options[Ticket]
	}{
		{"short key", console.Options[Ticket]{CSRFKey: []byte("short")}},
		{"negative page size", console.Options[Ticket]{PageSize: -1}},
		{"page size too large", console.Options[Ticket]{PageSize: console.MaxPageSize + 1}},
	} {
		if _, err := console.New(f.engine, tc.opts); err == nil {
			t.Errorf("%s: New accepted %+v", tc.name, tc.opts)
		}
	}
	if _, err := console.New[Ticket](nil, console.Options[Ticket]{}); err == nil {
		t.Errorf("New accepted a nil engine")
	}
}

// TestBodyLimit shows that a form larger than the console reads is
// refused.
func TestBodyLimit(t *testing.T) {
	f := newDefault(t, nil)
	w := f.post(t, "ann", "/playground", url.Values{"csrf": {f.csrf(t, "ann")}, "object": {strings.Repeat(" ", console.MaxFormBytes)}})
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", w.Code)
	}
}
