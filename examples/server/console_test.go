package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

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

// TestConsoleSignIn shows who the demo consoles let in, with the demo
// tokens: every user of the OpenProject and Salesforce demos (each sees
// their own, see TestConsoleVisibility), the admins of the Akana and
// Workfront demos; others are asked again (401) or refused (403).
func TestConsoleSignIn(t *testing.T) {
	h := demoHandler(t)
	for _, tc := range []struct {
		path, auth string
		status     int
		challenge  string
	}{
		{"/console/openproject/", "", 401, `Basic realm="actionable console: OpenProject", charset="UTF-8"`},
		{"/console/openproject/", basic("nope"), 401, `Basic realm="actionable console: OpenProject", charset="UTF-8"`},
		{"/console/openproject/", basic("op-member"), 200, ""},
		{"/console/openproject/", basic("op-viewer"), 200, ""},
		{"/console/salesforce/", basic("sf-bob"), 200, ""},
		{"/console/salesforce/", basic("op-admin"), 401, `Basic realm="actionable console: Salesforce", charset="UTF-8"`},
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
}

var datalistID = regexp.MustCompile(`<option value="([^"]+)"></option>`)

// consoleSees returns what the console at base shows the user with token:
// the ids its playground suggests, the status of loading each of ids, and
// the objects of its journal's records.
func consoleSees(t *testing.T, h http.Handler, token, base string, ids ...string) (suggested []string, loads map[string]int, records []string) {
	t.Helper()
	for _, m := range datalistID.FindAllStringSubmatch(consoleGet(t, h, basic(token), base+"playground").Body.String(), -1) {
		suggested = append(suggested, m[1])
	}
	loads = map[string]int{}
	for _, id := range ids {
		loads[id] = consoleGet(t, h, basic(token), base+"playground?object="+id).Code
	}
	journal := consoleGet(t, h, basic(token), base+"journal").Body.String()
	for _, m := range journalObject.FindAllStringSubmatch(journal, -1) {
		records = append(records, m[1])
	}
	return suggested, loads, records
}

var journalObject = regexp.MustCompile(`<td><a href="playground\?object=[^"]+">([^<]+)</a></td>`)

// TestConsoleVisibility shows that a demo console shows each user what the
// adapter would: in OpenProject the work packages they may view with the
// roles of their project (42 and 43 are in demo, 44 in secret), in
// Salesforce the links of the groups they created, each with its records.
func TestConsoleVisibility(t *testing.T) {
	h := demoHandler(t)
	send := func(method, path, auth, body string, want int) string {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", auth)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, path, w.Code, want, w.Body)
		}
		return w.Body.String()
	}
	// Make progress on 42 and on 44, as the admin.
	send("POST", "/api/v3/custom_actions/4/execute", "Bearer op-admin", `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": 3}`, 200)
	send("POST", "/api/v3/custom_actions/4/execute", "Bearer op-admin", `{"_links": {"workPackage": {"href": "/api/v3/work_packages/44"}}, "lockVersion": 1}`, 200)
	// Alice approves her link; Bob creates a group and opens its link.
	send("PATCH", "/services/data/v62.0/connect/action-links/0An000000000003AAA?status=PendingStatus", "Bearer sf-alice", "", 200)
	created := send("POST", "/services/data/v62.0/connect/action-link-group-definitions", "Bearer sf-bob",
		`{"category":"Primary","executionsAllowed":"Once","expirationDate":"`+time.Now().AddDate(0, 0, 7).UTC().Format(time.RFC3339)+`",
		  "actionLinks":[{"actionType":"Ui","actionUrl":"https://www.example.com/bob","method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`, 201)
	var def struct {
		ActionLinks []struct{ ID string } `json:"actionLinks"`
	}
	if err := json.Unmarshal([]byte(created), &def); err != nil || len(def.ActionLinks) != 1 {
		t.Fatalf("the created group %s: %v", created, err)
	}
	bobs := def.ActionLinks[0].ID
	send("PATCH", "/services/data/v62.0/connect/action-links/"+bobs+"?status=PendingStatus", "Bearer sf-bob", "", 200)

	type sees struct {
		Suggested []string
		Loads     map[string]int
		Records   []string
	}
	for _, tc := range []struct {
		token, base string
		ids         []string
		want        sees
	}{
		{"op-admin", "/console/openproject/", []string{"42", "44"}, sees{[]string{"42", "43", "44"}, map[string]int{"42": 200, "44": 200}, []string{"44", "42"}}},
		{"op-member", "/console/openproject/", []string{"42", "44"}, sees{[]string{"42", "43"}, map[string]int{"42": 200, "44": 404}, []string{"42"}}},
		// Vera may view work packages in demo only: scoped to 44's project
		// secret, she has no role and no permission.
		{"op-viewer", "/console/openproject/", []string{"42", "44"}, sees{[]string{"42", "43"}, map[string]int{"42": 200, "44": 404}, []string{"42"}}},
		{"sf-alice", "/console/salesforce/", []string{"0An000000000003AAA", "0An000000000005AAA", bobs},
			sees{[]string{"0An000000000001AAA", "0An000000000002AAA", "0An000000000003AAA", "0An000000000004AAA", "0An000000000005AAA"},
				map[string]int{"0An000000000003AAA": 200, "0An000000000005AAA": 200, bobs: 404}, []string{"0An000000000003AAA"}}},
		{"sf-bob", "/console/salesforce/", []string{"0An000000000003AAA", "0An000000000005AAA", bobs},
			sees{nil, map[string]int{"0An000000000003AAA": 404, "0An000000000005AAA": 404, bobs: 200}, []string{bobs}}},
	} {
		var got sees
		got.Suggested, got.Loads, got.Records = consoleSees(t, h, tc.token, tc.base, tc.ids...)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s in %s mismatch (-want +got):\n%s", tc.token, tc.base, diff)
		}
	}
	// The playground's actor is the user as they stand towards the work
	// package: Vera with her role in demo.
	if body := consoleGet(t, h, basic("op-viewer"), "/console/openproject/playground?object=43").Body.String(); !strings.Contains(body, `name="actor.roles" value="Reader"`) {
		t.Errorf("the actor form for Vera on 43 is not her in project demo:\n%s", body)
	}
}
