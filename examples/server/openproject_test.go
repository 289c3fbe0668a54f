package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestOpenProject replays the examples of OpenProject's custom actions API
// (GET custom action 2; execute 1 on work package 42 with lockVersion "3")
// against the example server with the demo data, then the README's calls.
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
	wp42 := func(lockVersion, status, links string) string {
		return `{"_type":"WorkPackage","id":42,"lockVersion":` + lockVersion + `,"subject":"Write the release notes",` +
			`"project":"demo","type":"Task","status":"` + status + `","assignee":"member","percentageDone":0,"startDate":null,` +
			`"_links":{"self":{"href":"/api/v3/work_packages/42","title":"Write the release notes"},"customActions":[` + links + `]}}` + "\n"
	}
	link := func(id, title string) string {
		return `{"href":"/api/v3/custom_actions/` + id + `","title":"` + title + `"}`
	}
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
		{"seed: get custom action 2", "GET", "/api/v3/custom_actions/2", member, "", "", 200, hal,
			`{"_type":"CustomAction","name":"Change project and type","description":"Changes project and type in one go",` +
				`"_links":{"executeImmediately":{"href":"/api/v3/custom_actions/2/execute","title":"Execute Change project and type","method":"post"},` +
				`"self":{"href":"/api/v3/custom_actions/2","title":"Change project and type"}}}` + "\n"},
		{"work package 42 before", "GET", "/api/v3/work_packages/42", "Bearer op-member", "", "", 200, hal,
			wp42("3", "New", strings.Join([]string{link("1", "Close"), link("2", "Change project and type"),
				link("3", "Unassign"), link("4", "Make progress"), link("5", "Start work")}, ","))},
		{"seed: execute 1 on 42", "POST", "/api/v3/custom_actions/1/execute", member, "application/json", execute42, 200, hal,
			wp42("4", "Closed", strings.Join([]string{link("2", "Change project and type"), link("3", "Unassign"), link("4", "Make progress")}, ","))},
		{"execute 1 on 42 again", "POST", "/api/v3/custom_actions/1/execute", member, "application/json", execute42, 409, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:UpdateConflict","message":"Couldn't update the resource because of conflicting modifications."}` + "\n"},
		{"work package 42 after", "GET", "/api/v3/work_packages/42", member, "", "", 200, hal,
			wp42("4", "Closed", strings.Join([]string{link("2", "Change project and type"), link("3", "Unassign"), link("4", "Make progress")}, ","))},
		{"make progress on 43 fails validation", "POST", "/api/v3/custom_actions/4/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/work_packages/43"}}, "lockVersion": 1}`, 422, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:PropertyConstraintViolation",` +
				`"message":"% Complete must be less than or equal to 100.","_embedded":{"details":{"attribute":"percentageDone"}}}` + "\n"},
		{"43 is unchanged", "GET", "/api/v3/work_packages/43", viewer, "", "", 200, hal,
			`{"_type":"WorkPackage","id":43,"lockVersion":1,"subject":"Login fails on Safari","project":"demo","type":"Bug",` +
				`"status":"In progress","assignee":"","percentageDone":80,"startDate":"2026-11-02",` +
				`"_links":{"self":{"href":"/api/v3/work_packages/43","title":"Login fails on Safari"},"customActions":[]}}` + "\n"},
		{"unassign the unassigned 43", "POST", "/api/v3/custom_actions/3/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/work_packages/43"}}, "lockVersion": "1"}`, 403, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:MissingPermission","message":"The conditions of this custom action are not met for this work package."}` + "\n"},
		{"viewer may not execute, even an unknown action", "POST", "/api/v3/custom_actions/99/execute", viewer, "application/json", execute42, 403, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:MissingPermission","message":"You are not authorized to access this resource."}` + "\n"},
		{"member cannot see 44", "POST", "/api/v3/custom_actions/1/execute", member, "application/json",
			`{"_links": {"workPackage": {"href": "/api/v3/work_packages/44"}}, "lockVersion": "1"}`, 422, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:PropertyConstraintViolation","message":"Work package does not exist.","_embedded":{"details":{"attribute":"workPackage"}}}` + "\n"},
		{"admin sees 44", "GET", "/api/v3/work_packages/44", admin, "", "", 200, hal,
			`{"_type":"WorkPackage","id":44,"lockVersion":1,"subject":"Rotate the signing keys","project":"secret","type":"Task",` +
				`"status":"New","assignee":"","percentageDone":0,"startDate":null,` +
				`"_links":{"self":{"href":"/api/v3/work_packages/44","title":"Rotate the signing keys"},"customActions":[` +
				link("1", "Close") + "," + link("2", "Change project and type") + "," + link("4", "Make progress") + `]}}` + "\n"},
		{"basic auth needs the apikey user", "GET", "/api/v3/work_packages/42", basicMember, "", "", 401, hal,
			`{"_type":"Error","errorIdentifier":"urn:openproject-org:api:v3:errors:Unauthenticated","message":"You need to be authenticated to access this resource."}` + "\n"},
		{"no content type", "POST", "/api/v3/custom_actions/1/execute", member, "", execute42, 406, "text/plain",
			"Missing content-type header"},
	}
	for _, s := range steps { // in order: each step sees the ones before
		t.Run(s.name, func(t *testing.T) {
			r := httptest.NewRequest(s.method, s.target, strings.NewReader(s.body))
			r.Header.Set("Authorization", s.auth)
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
			for _, want := range []string{`"status":"In progress"`, `"assignee":"member"`, `"lockVersion":4`} {
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
