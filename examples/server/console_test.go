package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// consoleGet sends GET path to the demo server with the Authorization
// header auth ("" for none).
func consoleGet(t *testing.T, h http.Handler, auth, path string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// basic is the Authorization header of user apikey with password token.
func basic(token string) string {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth("apikey", token)
	return r.Header.Get("Authorization")
}

// TestConsoleSignIn shows who the demo consoles let in: the admins of
// each demo, with the demo tokens; others are asked again (401) or
// refused (403).
func TestConsoleSignIn(t *testing.T) {
	h := demoHandler(t)
	for _, tc := range []struct {
		path, auth string
		status     int
		challenge  string
	}{
		{"/console/openproject/", "", 401, `Basic realm="actionable console: OpenProject", charset="UTF-8"`},
		{"/console/openproject/", basic("nope"), 401, `Basic realm="actionable console: OpenProject", charset="UTF-8"`},
		{"/console/openproject/", basic("op-member"), 403, ""},
		{"/console/openproject/", basic("op-viewer"), 403, ""},
		{"/console/openproject/", basic("op-admin"), 200, ""},
		{"/console/openproject/", "Bearer op-admin", 200, ""},
		{"/console/akana/", basic("op-admin"), 401, `Basic realm="actionable console: Akana", charset="UTF-8"`},
		{"/console/akana/", basic("akana-viewer"), 403, ""},
		{"/console/akana/journal", basic("akana-admin"), 200, ""},
		{"/console/workfront/rules", basic("wf-token"), 200, ""},
		{"/console/workfront/assets/console.css", "", 401, `Basic realm="actionable console: Workfront", charset="UTF-8"`},
		{"/console/", "", 200, ""},
		{"/console/assets/console.css", "", 200, ""},
	} {
		w := consoleGet(t, h, tc.auth, tc.path)
		if w.Code != tc.status || w.Header().Get("WWW-Authenticate") != tc.challenge {
			t.Errorf("GET %s with %q: %d, challenge %q; want %d, %q", tc.path, tc.auth, w.Code, w.Header().Get("WWW-Authenticate"), tc.status, tc.challenge)
		}
	}
}

var menuLink = regexp.MustCompile(`<li><a href="([^"]+)">([^<]+)</a>`)

// TestConsoleMenu shows that the menu links a console for each demo
// engine, and that each link leads to it.
func TestConsoleMenu(t *testing.T) {
	h := demoHandler(t)
	body := consoleGet(t, h, "", "/console/").Body.String()
	var got [][2]string
	for _, m := range menuLink.FindAllStringSubmatch(body, -1) {
		got = append(got, [2]string{m[1], m[2]})
	}
	want := [][2]string{{"openproject/", "OpenProject"}, {"akana/", "Akana"}, {"salesforce/", "Salesforce"}, {"workfront/", "Workfront"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("menu mismatch (-want +got):\n%s", diff)
	}
	tokens := map[string]string{"openproject/": "op-admin", "akana/": "akana-admin", "salesforce/": "sf-alice", "workfront/": "wf-token"}
	for _, l := range want {
		w := consoleGet(t, h, basic(tokens[l[0]]), "/console/"+l[0])
		if w.Code != 200 || !strings.Contains(w.Body.String(), "<h1>Catalog</h1>") || !strings.Contains(w.Body.String(), `href="../">All consoles</a>`) {
			t.Errorf("GET /console/%s: %d, not the catalog with a link to the menu:\n%s", l[0], w.Code, w.Body)
		}
		if !strings.Contains(body, "password "+tokens[l[0]]) {
			t.Errorf("the menu does not say to sign in with %s", tokens[l[0]])
		}
	}
}

// stateBox is a state of a workflow picture: a box and its name.
var stateBox = regexp.MustCompile(`<g class="state"><rect [^>]*/><text [^>]*>([^<]+)</text></g>`)

// TestConsoleCatalogs shows that each demo's catalog is the adapter's: its
// actions, and a workflow picture per group of states.
func TestConsoleCatalogs(t *testing.T) {
	h := demoHandler(t)
	for _, tc := range []struct {
		path, token string
		actions     []string
		svgStates   [][]string
	}{
		{"/console/openproject/", "op-admin", []string{"Close", "Change project and type", "Unassign", "Make progress", "Start work"}, nil},
		// The Salesforce rules: who sees a link, and the two executing
		// actions; its links' statuses are derived from the journal, not
		// a workflow field.
		{"/console/salesforce/", "sf-alice", []string{"View", "Execute (Once)", "Execute (OncePerUser)"}, nil},
		{"/console/workfront/", "wf-token", []string{"Archive", "Restore"}, [][]string{{"active", "archived"}}},
		{"/console/akana/", "akana-admin", nil, [][]string{
			{"Published", "Pending"},
			{"Draft", "Pending Approval", "Rejected", "Approved"},
			{"Setup", "Managed", "Unmanaged"},
		}},
	} {
		body := consoleGet(t, h, basic(tc.token), tc.path).Body.String()
		for _, a := range tc.actions {
			if !strings.Contains(body, `">`+a+` <code class="id">`) {
				t.Errorf("%s does not list %q", tc.path, a)
			}
		}
		var states [][]string
		for _, fig := range strings.Split(body, `<figure class="workflow"`)[1:] {
			var s []string
			for _, m := range stateBox.FindAllStringSubmatch(fig, -1) {
				s = append(s, m[1])
			}
			states = append(states, s)
		}
		if diff := cmp.Diff(tc.svgStates, states); diff != "" {
			t.Errorf("%s: the states of the pictures mismatch (-want +got):\n%s", tc.path, diff)
		}
	}
}

// TestConsolePlayground shows the OpenProject demo's playground on work
// package 43 for Max Member: Start work and Unassign are refused, each
// with its clause and the value it read.
func TestConsolePlayground(t *testing.T) {
	h := demoHandler(t)
	w := consoleGet(t, h, basic("op-admin"), "/console/openproject/playground?object=43&actor=member")
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("status %d\n%s", w.Code, body)
	}
	applicable, refused, ok := strings.Cut(body, `id="refused"`)
	if !ok {
		t.Fatalf("no list of refused actions:\n%s", body)
	}
	for _, a := range []string{"Close", "Change project and type", "Make progress"} {
		if !strings.Contains(applicable, "<h3>"+a+" ") {
			t.Errorf("%s is not applicable", a)
		}
	}
	for _, clause := range []string{
		`<code>Assignee != &#34;&#34;</code> is <strong class="false">false</strong>: <code>Assignee</code> = <code class="value">&#34;&#34;</code>`,
		`<code>Status == &#34;New&#34;</code> is <strong class="false">false</strong>: <code>Status</code> = <code class="value">&#34;In progress&#34;</code>`,
	} {
		if !strings.Contains(refused, clause) {
			t.Errorf("the refused actions do not show %s", clause)
		}
	}
	if !strings.Contains(body, `value="Max Member"`) {
		t.Errorf("the actor form is not Max Member's")
	}
}

// TestConsoleSalesforce shows the Salesforce demo's playground on the Ui
// link 0An000000000005AAA, which only Bob may see: for Alice the view
// action is refused by its guard "visible", with the user ids it read.
func TestConsoleSalesforce(t *testing.T) {
	h := demoHandler(t)
	w := consoleGet(t, h, basic("sf-alice"), "/console/salesforce/playground?object=0An000000000005AAA&actor=005000000000001AAA")
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("status %d\n%s", w.Code, body)
	}
	_, refused, ok := strings.Cut(body, `id="refused"`)
	if !ok {
		t.Fatalf("no list of refused actions:\n%s", body)
	}
	for _, want := range []string{"View", "visible", `<code>UserID</code> = <code class="value">&#34;005000000000002AAA&#34;</code>`} {
		if !strings.Contains(refused, want) {
			t.Errorf("the refused actions do not show %s", want)
		}
	}
	if w := consoleGet(t, h, basic("sf-bob"), "/console/salesforce/"); w.Code != 403 {
		t.Errorf("Bob signing in: %d, want 403 (the console lets in Alice)", w.Code)
	}
}
