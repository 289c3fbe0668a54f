package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/actionable-go/actionable/adapters/openproject"
	"github.com/google/go-cmp/cmp"
)

// TestOpenProject replays the examples of OpenProject's custom actions API
// (GET custom action 2; execute 1 on work package 42 with lockVersion "3")
// against the example server with the demo data, then the README's calls.
// Work packages render as OpenProject renders them
// (lib/api/v3/work_packages/work_package_representer.rb): type, project,
// status and assignee under _links, an unassigned one {"href": null}, and
// the custom actions both linked and embedded.
func TestOpenProject(t *testing.T) {
	h := demoHandler(t)
	const (
		basicMember = "Basic b3AtbWVtYmVyOm9wLW1lbWJlcg==" // wrong user name: apikey is required
		member      = "Basic YXBpa2V5Om9wLW1lbWJlcg=="     // apikey:op-member
		viewer      = "Bearer op-viewer"
		admin       = "Bearer op-admin"
		hal         = "application/hal+json; charset=utf-8"
		execute42   = `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": "3"}`
	)
	names := map[string]string{"1": "Close", "2": "Change project and type", "3": "Unassign", "4": "Make progress", "5": "Start work"}
	link := func(id, title string) string {
		return `{"href":"/api/v3/custom_actions/` + id + `","title":"` + title + `"}`
	}
	// customAction is GET /api/v3/custom_actions/{id}, and what a work
	// package embeds.
	customAction := func(id string) string {
		description := "null"
		if id == "2" {
			description = `"Changes project and type in one go"`
		}
		return `{"_type":"CustomAction","name":"` + names[id] + `","description":` + description + `,` +
			`"_links":{"executeImmediately":{"href":"/api/v3/custom_actions/` + id + `/execute","title":"Execute ` + names[id] + `","method":"post"},` +
			`"self":{"href":"/api/v3/custom_actions/` + id + `","title":"` + names[id] + `"}}}`
	}
	// workPackage renders a work package: its properties, its linked
	// properties and the custom actions ids; embed adds their resources.
	workPackage := func(id, lockVersion, subject, props, linked string, ids []string, embed bool) string {
		links, resources := make([]string, len(ids)), make([]string, len(ids))
		for i, a := range ids {
			links[i], resources[i] = link(a, names[a]), customAction(a)
		}
		b := `{"_type":"WorkPackage","id":` + id + `,"lockVersion":` + lockVersion + `,"subject":"` + subject + `",` + props
		if embed {
			b += `,"_embedded":{"customActions":[` + strings.Join(resources, ",") + `]}`
		}
		return b + `,"_links":{"self":{"href":"/api/v3/work_packages/` + id + `","title":"` + subject + `"},` + linked +
			`,"customActions":[` + strings.Join(links, ",") + `]}}`
	}
	const (
		task, bug        = `"type":{"href":"/api/v3/types/1","title":"Task"}`, `"type":{"href":"/api/v3/types/7","title":"Bug"}`
		demo, secret     = `"project":{"href":"/api/v3/projects/1","title":"demo"}`, `"project":{"href":"/api/v3/projects/3","title":"secret"}`
		statusNew        = `"status":{"href":"/api/v3/statuses/1","title":"New"}`
		inProgress       = `"status":{"href":"/api/v3/statuses/7","title":"In progress"}`
		closed           = `"status":{"href":"/api/v3/statuses/12","title":"Closed"}`
		maxMember        = `"assignee":{"href":"/api/v3/users/2","title":"Max Member"}`
		unassigned       = `"assignee":{"href":null}`
		subject42        = "Write the release notes"
		props42, props43 = `"percentageDone":0,"startDate":null`, `"percentageDone":80,"startDate":"2026-11-02"`
	)
	wp42 := func(lockVersion, status string, ids []string, embed bool) string {
		return workPackage("42", lockVersion, subject42, props42, strings.Join([]string{task, demo, status, maxMember}, ","), ids, embed)
	}
	wp43 := func(ids []string, embed bool) string {
		return workPackage("43", "1", "Login fails on Safari", props43, strings.Join([]string{bug, demo, inProgress, unassigned}, ","), ids, embed)
	}
	all, afterClose := []string{"1", "2", "3", "4", "5"}, []string{"2", "3", "4"}
	steps := []struct {
		name        string
		method      string
		target      string
		auth        string
		contentType string
		body        string
		status      int
		wantType    string
		want        string
	}{
		{"seed: get custom action 2", "GET", "/api/v3/custom_actions/2", member, "", "", 200, hal, customAction("2") + "\n"},
		{"work package 42 before", "GET", "/api/v3/work_packages/42", "Bearer op-member", "", "", 200, hal, wp42("3", statusNew, all, true) + "\n"},
		// The list view: what the member may see (not 44), nothing embedded
		// (work_package_collection_representer.rb, offset_paginated_collection.rb).
		{"the member's work packages", "GET", "/api/v3/work_packages", member, "", "", 200, hal,
			`{"_type":"WorkPackageCollection","total":2,"count":2,"pageSize":20,"offset":1,"_embedded":{"elements":[` +
				wp42("3", statusNew, all, false) + "," + wp43([]string{"1", "2", "4"}, false) + `]},` +
				`"_links":{"self":{"href":"/api/v3/work_packages?offset=1&pageSize=20"},` +
				`"jumpTo":{"href":"/api/v3/work_packages?offset=%7Boffset%7D&pageSize=20","templated":true},` +
				`"changeSize":{"href":"/api/v3/work_packages?offset=1&pageSize=%7Bsize%7D","templated":true}}}` + "\n"},
		{"the admin's second page of one", "GET", "/api/v3/work_packages?offset=2&pageSize=1", admin, "", "", 200, hal,
			`{"_type":"WorkPackageCollection","total":3,"count":1,"pageSize":1,"offset":2,"_embedded":{"elements":[` +
				wp43([]string{"1", "2", "4"}, false) + `]},` +
				`"_links":{"self":{"href":"/api/v3/work_packages?offset=2&pageSize=1"},` +
				`"jumpTo":{"href":"/api/v3/work_packages?offset=%7Boffset%7D&pageSize=1","templated":true},` +
				`"changeSize":{"href":"/api/v3/work_packages?offset=2&pageSize=%7Bsize%7D","templated":true},` +
				`"previousByOffset":{"href":"/api/v3/work_packages?offset=1&pageSize=1"},` +
				`"nextByOffset":{"href":"/api/v3/work_packages?offset=3&pageSize=1"}}}` + "\n"},
		{"seed: execute 1 on 42", "POST", "/api/v3/custom_actions/1/execute", member, "application/json", execute42, 200, hal,
			wp42("4", closed, afterClose, true) + "\n"},
		{"execute 1 on 42 again", "POST", "/api/v3/custom_actions/1/execute", member, "application/json", execute42, 409, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:UpdateConflict","message":"Couldn't update the resource because of conflicting modifications."}` + "\n"},
		{"work package 42 after", "GET", "/api/v3/work_packages/42", member, "", "", 200, hal, wp42("4", closed, afterClose, true) + "\n"},
		{"make progress on 43 fails validation", "POST", "/api/v3/custom_actions/4/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/work_packages/43"}}, "lockVersion": 1}`, 422, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:PropertyConstraintViolation",` +
				`"message":"% Complete must be less than or equal to 100.","_embedded":{"details":{"attribute":"percentageDone"}}}` + "\n"},
		{"43 is unchanged", "GET", "/api/v3/work_packages/43", viewer, "", "", 200, hal, wp43(nil, true) + "\n"},
		{"unassign the unassigned 43", "POST", "/api/v3/custom_actions/3/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/work_packages/43"}}, "lockVersion": "1"}`, 403, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:MissingPermission","message":"The conditions of this custom action are not met for this work package."}` + "\n"},
		{"viewer may not execute, even an unknown action", "POST", "/api/v3/custom_actions/99/execute", viewer, "application/json", execute42, 403, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:MissingPermission","message":"You are not authorized to access this resource."}` + "\n"},
		{"member cannot see 44", "POST", "/api/v3/custom_actions/1/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/work_packages/44"}}, "lockVersion": "1"}`, 422, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:PropertyConstraintViolation","message":"Work package does not exist.","_embedded":{"details":{"attribute":"workPackage"}}}` + "\n"},
		{"member gets no 44", "GET", "/api/v3/work_packages/44", member, "", "", 404, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:NotFound","message":"The work package you are looking for cannot be found or has been deleted."}` + "\n"},
		{"admin sees 44", "GET", "/api/v3/work_packages/44", admin, "", "", 200, hal,
			workPackage("44", "1", "Rotate the signing keys", props42, strings.Join([]string{task, secret, statusNew, unassigned}, ","), []string{"1", "2", "4"}, true) + "\n"},
		{"ids are integers", "GET", "/api/v3/work_packages/WP-42", member, "", "", 400, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:BadRequest","message":"Bad request: id is invalid"}` + "\n"},
		{"a link to something else", "POST", "/api/v3/custom_actions/1/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/projects/1"}}, "lockVersion": "1"}`, 422, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:ResourceTypeMismatch",` +
				`"message":"For property 'work_package' a link like '/api/v3/work_packages/:id' is expected, but got '/api/v3/projects/1'."}` + "\n"},
		{"a body that is not JSON", "POST", "/api/v3/custom_actions/1/execute", member, "application/json", `{"lockVersion": 3,}`, 400, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:InvalidRequestBody","message":"The request body was not a single JSON object.",` +
				`"_embedded":{"details":{"parseError":"invalid character '}' looking for beginning of object key string at line 1, column 19"}}}` + "\n"},
		{"basic auth needs the apikey user", "GET", "/api/v3/work_packages/42", basicMember, "", "", 401, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:Unauthenticated","message":"You did not provide the correct credentials."}` + "\n"},
		{"no credentials", "GET", "/api/v3/work_packages/42", "", "", "", 401, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:Unauthenticated","message":"You need to be authenticated to access this resource."}` + "\n"},
		{"no content type", "POST", "/api/v3/custom_actions/1/execute", member, "", execute42, 406, "text/plain",
			"Missing content-type header"},
	}
	for _, s := range steps { // in order: each step sees the ones before
		t.Run(s.name, func(t *testing.T) {
			r := httptest.NewRequest(s.method, s.target, strings.NewReader(s.body))
			if s.auth != "" {
				r.Header.Set("Authorization", s.auth)
			}
			if s.contentType != "" {
				r.Header.Set("Content-Type", s.contentType)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != s.status {
				t.Errorf("status = %d, want %d", w.Code, s.status)
			}
			if got := w.Header().Get("Content-Type"); got != s.wantType {
				t.Errorf("Content-Type = %q, want %q", got, s.wantType)
			}
			if diff := cmp.Diff(s.want, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenProjectChallenge: the WWW-Authenticate of each 401 of the
// README, as OpenProject sends it (spec/requests/api/v3/authentication_spec.rb).
func TestOpenProjectChallenge(t *testing.T) {
	h := demoHandler(t)
	tests := []struct {
		name string
		auth string
		want string
	}{
		{"no credentials", "", `Basic realm="OpenProject API"`},
		{"unknown API key", "Basic YXBpa2V5Om9wLW5vYm9keQ==", `Basic realm="OpenProject API"`}, // apikey:op-nobody
		{"unknown bearer token", "Bearer op-nobody", `Bearer realm="OpenProject API" error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/v3/work_packages/42", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 401 || w.Header().Get("WWW-Authenticate") != tt.want {
				t.Errorf("%d WWW-Authenticate %q, want 401 %q", w.Code, w.Header().Get("WWW-Authenticate"), tt.want)
			}
		})
	}
}

// TestOpenProjectStartWork: "Start work" is for role Member only, and sets
// the start date to today.
func TestOpenProjectStartWork(t *testing.T) {
	h := demoHandler(t)
	const body = `{"_links": {"workPackage": {"href": "/api/v3/work_packages/42"}}, "lockVersion": 3}`
	tests := []struct {
		name   string
		auth   string
		status int
	}{
		{"admin has no role Member", "Bearer op-admin", 403},
		{"member", "Bearer op-member", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v3/custom_actions/5/execute", strings.NewReader(body))
			r.Header.Set("Authorization", tt.auth)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			before := time.Now().Format(time.DateOnly)
			h.ServeHTTP(w, r)
			after := time.Now().Format(time.DateOnly)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				return
			}
			for _, want := range []string{`"status":{"href":"/api/v3/statuses/7","title":"In progress"}`,
				`"assignee":{"href":"/api/v3/users/2","title":"Max Member"}`, `"lockVersion":4`} {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("body %s does not contain %s", w.Body, want)
				}
			}
			// Today, at midnight possibly either day.
			if !strings.Contains(w.Body.String(), `"startDate":"`+before+`"`) && !strings.Contains(w.Body.String(), `"startDate":"`+after+`"`) {
				t.Errorf("body %s: startDate is not today (%s)", w.Body, after)
			}
		})
	}
}

// TestOpActors: the actors made once are those opUsers.actor and
// opUsers.scoped make for each request.
func TestOpActors(t *testing.T) {
	users := opUsers{
		Roles: map[string][]string{"Member": {"view_work_packages", "edit_work_packages"}, "Reader": {"view_work_packages"}},
		Users: []opUser{
			{ID: "admin", Name: "Ada", Admin: true},
			{ID: "admin2", Name: "Adam", Admin: true, Memberships: map[string]string{"demo": "Reader"}},
			{ID: "member", Name: "Max", Memberships: map[string]string{"demo": "Member"}},
			{ID: "many", Name: "Mia", Memberships: map[string]string{"demo": "Member", "archive": "Reader", "secret": "Member", "": "Reader"}},
			{ID: "nobody", Name: "Ned"},
		},
	}
	for _, u := range users.Users {
		as := users.actors(u)
		if diff := cmp.Diff(users.actor(u), as.actor); diff != "" {
			t.Errorf("%s: actor mismatch (-opUsers.actor +opActors):\n%s", u.ID, diff)
		}
		for _, project := range []string{"demo", "archive", "secret", "", "elsewhere"} {
			if diff := cmp.Diff(users.scoped(u, project), as.scoped(project)); diff != "" {
				t.Errorf("%s in %q: mismatch (-opUsers.scoped +opActors):\n%s", u.ID, project, diff)
			}
		}
	}
	if diff := cmp.Diff(users.scoped(opUser{}, "demo"), (*opActors)(nil).scoped("demo")); diff != "" {
		t.Errorf("unknown user: mismatch (-opUsers.scoped +opActors):\n%s", diff)
	}
}

// TestOpLinkedProperties: the links made once are those opResources.link
// makes, and a name without an id is still an error.
func TestOpLinkedProperties(t *testing.T) {
	res := opResources{
		Statuses: map[string]int64{"New": 1, "Closed": 12, "Zero": 0},
		Types:    map[string]int64{"Task": 1},
		Projects: map[string]int64{"demo": 1},
		Users:    map[string]int64{"member": 2, "ghost": 9},
	}
	names := map[string]string{"member": "Max Member"}
	linked := res.linkedProperties(names)
	type row struct {
		Link openproject.Link
		Err  bool
	}
	for _, wp := range []opWorkPackage{
		{Type: "Task", Project: "demo", Status: "New", Assignee: "member"},
		{Type: "Task", Project: "demo", Status: "Closed", Assignee: "ghost"},
		{Status: "Zero"},
		{},
		{Type: "Bug", Project: "nowhere", Status: "Gone", Assignee: "stranger"},
	} {
		want := []row{}
		for _, p := range []struct {
			r     openproject.Resource
			ids   map[string]int64
			name  string
			title string
		}{
			{openproject.Types, res.Types, wp.Type, wp.Type},
			{openproject.Projects, res.Projects, wp.Project, wp.Project},
			{openproject.Statuses, res.Statuses, wp.Status, wp.Status},
			{openproject.Users, res.Users, wp.Assignee, names[wp.Assignee]},
		} {
			l, err := res.link(p.r, p.ids, p.name, p.title)
			want = append(want, row{l, err != nil})
		}
		got := []row{}
		for _, p := range linked {
			l, err := p.Link(t.Context(), wp)
			got = append(got, row{l, err != nil})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%+v: mismatch (-opResources.link +linkedProperties):\n%s", wp, diff)
		}
	}
}
