package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSalesforce runs the workflow of the README against the example server,
// listening for real: the demo links call the server's own
// /demo/callouts/... through {!communityUrl}.
func TestSalesforce(t *testing.T) {
	h := demoHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()

	const (
		links   = "/services/data/v62.0/connect/action-links/"
		approve = links + "0An000000000001AAA" // Api, Once, calls /demo/callouts/approve
		reject  = links + "0An000000000002AAA" // Api, Once, calls /demo/callouts/fail
		view    = links + "0An000000000003AAA" // Ui, Once
		accept  = links + "0An000000000004AAA" // ApiAsync, OncePerUser, calls /demo/callouts/approve
		report  = links + "0An000000000005AAA" // Download, OncePerUser, bob only
	)
	steps := []struct {
		name, method, path, token, body string
		status                          int
		want                            string // the status and label, the error message, or a piece of the body
	}{
		{"alice sees the Once group", "GET", "/services/data/v62.0/connect/action-link-groups/0Ag000000000001AAA", "sf-alice", "", 200,
			"NewStatus Approve, NewStatus Reject, NewStatus View"},
		{"no token", "GET", approve, "", "", 401, "Session expired or invalid"},
		{"alice approves: the callout answers 200", "PATCH", approve, "sf-alice", `{"status":"PendingStatus"}`, 200, "SuccessfulStatus Approved"},
		{"bob sees alice's execution", "GET", approve, "sf-bob", "", 200, "SuccessfulStatus Approved"},
		{"and who she is (a User Summary)", "GET", approve, "sf-bob", "", 200,
			`"executingUser":{"additionalLabel":null,"communityNickname":null,"companyName":null,"displayName":"Alice","firstName":null,"id":"005000000000001AAA"`},
		{"bob may not execute it again", "PATCH", approve + "?status=PendingStatus", "sf-bob", "", 400,
			"This action link can be executed only once (executionsAllowed Once) and user 005000000000001AAA already executed it. The callout is not sent again."},
		{"alice again: the link, no second callout", "PATCH", approve + "?status=PendingStatus", "sf-alice", "", 200, "SuccessfulStatus Approved"},
		{"what the callout sent and received", "GET", approve + "/diagnostic-info", "sf-alice", "", 200,
			`X-Salesforce-User: 005000000000001AAA\nrequest body: {\"actionLinkId\":\"0An000000000001AAA\",\"groupId\":\"0Ag000000000001AAA\",\"orgId\":\"00D000000000001AAA\",\"userId\":\"005000000000001AAA\"}\nresponse: 200 OK\nresponse body: {\"approved\":true}`},
		{"bob rejects: the callout answers 500", "PATCH", reject, "sf-bob", `{"status":"PendingStatus"}`, 200, "FailedStatus Rejection Failed"},
		{"why it failed", "GET", reject + "/diagnostic-info", "sf-bob", "", 200, `detail: callout answered 500 Internal Server Error`},
		{"alice opens the order", "PATCH", view + "?status=PendingStatus", "sf-alice", "", 200, "PendingStatus View Pending"},
		{"bob may not finish alice's view", "PATCH", view + "?status=FailedStatus", "sf-bob", "", 400,
			"The execution of this action link (executionsAllowed Once) is pending for user 005000000000001AAA; only that user can set FailedStatus."},
		{"alice views the order", "PATCH", view + "?status=SuccessfulStatus", "sf-alice", "", 200, "SuccessfulStatus Viewed"},
		{"not back to NewStatus", "PATCH", view + "?status=NewStatus", "sf-alice", "", 400, "An action link cannot go back to NewStatus from SuccessfulStatus."},
		{"alice accepts: pending until the provider answers", "PATCH", accept, "sf-alice", `{"status":"PendingStatus"}`, 200, "PendingStatus Acceptance Pending"},
		{"bob has his own status", "GET", accept, "sf-bob", "", 200, "NewStatus Accept"},
		{"the provider completes alice's execution", "PATCH", accept, "sf-alice", `{"status":"SuccessfulStatus"}`, 200, "SuccessfulStatus Accepted"},
		{"bob accepts too", "PATCH", accept, "sf-bob", `{"status":"PendingStatus"}`, 200, "PendingStatus Acceptance Pending"},
		{"alice may not see bob's report", "GET", report, "sf-alice", "", 404, "The requested resource does not exist"},
		{"bob downloads it", "PATCH", report + "?status=SuccessfulStatus", "sf-bob", "", 200, "SuccessfulStatus Downloaded"},
		{"bob may not read alice's definition", "GET", "/services/data/v62.0/connect/action-link-group-definitions/0Ag000000000001AAA", "sf-bob", "", 403,
			"Only the user who created an action link group definition can read or delete it."},
		{"bob creates a group", "POST", "/services/data/v62.0/connect/action-link-group-definitions", "sf-bob",
			`{"category":"Overflow","executionsAllowed":"Unlimited","expirationDate":"` + time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339) + `",
			  "actionLinks":[{"actionType":"Ui","actionUrl":"https://www.example.com","method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`, 201,
			`"category":"Overflow","createdDate":`},
		{"the developer guide's example, booleans as strings", "POST", "/services/data/v62.0/connect/action-link-group-definitions", "sf-bob",
			`{"actionLinks":[{"actionType":"Api","labelKey":"Like","groupDefault":"true","actionUrl":"https://test.com/this","method":"HttpPost","requiresConfirmation":"false"},
			  {"actionType":"Api","labelKey":"Unlike","actionUrl":"https://test.com/that","method":"HttpPost","requiresConfirmation":"false"}],
			  "executionsAllowed":"OncePerUser","expirationDate":"` + time.Now().AddDate(0, 0, 7).UTC().Format(time.RFC3339) + `","category":"Primary"}`, 201,
			`"groupDefault":true,"headers":[],"id":`},
		{"a Ui link to javascript:", "POST", "/services/data/v62.0/connect/action-link-group-definitions", "sf-bob",
			`{"category":"Primary","executionsAllowed":"Once","expirationDate":"` + time.Now().AddDate(0, 0, 7).UTC().Format(time.RFC3339) + `",
			  "actionLinks":[{"actionType":"Ui","actionUrl":"javascript:alert(1)","method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`, 400,
			`actionLinks[0].actionUrl: "javascript:alert(1)" has the scheme "javascript"; give an absolute https:// URL`},
		{"a group expired already", "POST", "/services/data/v62.0/connect/action-link-group-definitions", "sf-bob",
			`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2001-07-07T23:59:11.168Z",
			  "actionLinks":[{"actionType":"Ui","actionUrl":"https://www.example.com","method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`, 400,
			"expirationDate: 2001-07-07T23:59:11.168Z has passed; the action links of the group could never be executed"},
		{"a group a year and more ahead", "POST", "/services/data/v62.0/connect/action-link-group-definitions", "sf-bob",
			`{"category":"Overflow","executionsAllowed":"Unlimited","expirationDate":"` + "2099-01-01T00:00:00Z" + `",
			  "actionLinks":[{"actionType":"Ui","actionUrl":"https://www.example.com","method":"HttpGet","labelKey":"View","requiresConfirmation":false}]}`, 400,
			"expirationDate: 2099-01-01T00:00:00.000Z is more than a year ahead"},
	}
	for _, s := range steps { // in order: each step sees the ones before
		t.Run(s.name, func(t *testing.T) {
			var body io.Reader
			if s.body != "" {
				body = strings.NewReader(s.body)
			}
			req, err := http.NewRequest(s.method, srv.URL+s.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if s.token != "" {
				req.Header.Set("Authorization", "Bearer "+s.token)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != s.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, s.status, b)
			}
			if got := sfSummary(b); got != s.want && !strings.Contains(string(b), s.want) {
				t.Errorf("answer mismatch (-want +got):\n%s\nbody: %s", cmp.Diff(s.want, got), b)
			}
		})
	}
}

// TestSalesforceCalloutsStayHome: a demo user may POST a link to any URL,
// but its callout reaches only the server itself, not another service on
// the same machine.
func TestSalesforceCalloutsStayHome(t *testing.T) {
	var hits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	h := demoHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer sf-bob")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	port := other.URL[strings.LastIndex(other.URL, ":")+1:]
	tests := []struct{ name, actionURL, want string }{
		{"the server itself", "{!communityUrl}/demo/callouts/approve", "SuccessfulStatus Approved"},
		{"another local service", other.URL + "/admin", "FailedStatus Approval Failed"},
		{"the same service by name", "http://localhost:" + port + "/admin", "FailedStatus Approval Failed"},
		{"the same service over https", "https://127.0.0.1:" + port + "/admin", "FailedStatus Approval Failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b := do("POST", "/services/data/v62.0/connect/action-link-group-definitions", `{"category":"Primary","executionsAllowed":"Once",
				"expirationDate":"`+time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)+`",
				"actionLinks":[{"actionType":"Api","actionUrl":"`+tt.actionURL+`","method":"HttpGet","labelKey":"Approve","requiresConfirmation":false}]}`)
			var g struct {
				ActionLinks []struct{ ID string } `json:"actionLinks"`
			}
			if err := json.Unmarshal(b, &g); err != nil || code != http.StatusCreated || len(g.ActionLinks) != 1 {
				t.Fatalf("POST: %d %s", code, b)
			}
			code, b = do("PATCH", "/services/data/v62.0/connect/action-links/"+g.ActionLinks[0].ID+"?status=PendingStatus", "")
			if got := sfSummary(b); code != http.StatusOK || got != tt.want {
				t.Errorf("PATCH: %d %s, want 200 %s", code, got, tt.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other service got %d requests, want 0", n)
	}
}

// TestSalesforceHTTPStaysHome: the demo accepts http:// action URLs for
// the hosts its callouts may reach (itself, -callout-allow) only, as
// Salesforce accepts https:// ones only.
func TestSalesforceHTTPStaysHome(t *testing.T) {
	srv := httptest.NewServer(demoHandler(t))
	defer srv.Close()
	for _, tt := range []struct {
		name, actionURL string
		want            int
	}{
		{"the server's own address", srv.URL + "/demo/callouts/approve", http.StatusCreated},
		{"another host", "http://192.0.2.1/approve", http.StatusBadRequest},
		{"another host over https", "https://192.0.2.1/approve", http.StatusCreated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", srv.URL+"/services/data/v62.0/connect/action-link-group-definitions", strings.NewReader(
				`{"category":"Primary","executionsAllowed":"Once","expirationDate":"`+time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)+`",
				"actionLinks":[{"actionType":"Api","actionUrl":"`+tt.actionURL+`","method":"HttpGet","labelKey":"Approve","requiresConfirmation":false}]}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer sf-alice")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.want, b)
			}
		})
	}
}

// sfSummary gives the status and label of a Platform Action, those of each
// action of a Platform Action Group, or the message of an error.
func sfSummary(body []byte) string {
	var v struct {
		Status          string `json:"status"`
		Label           string `json:"label"`
		PlatformActions []struct {
			Status string `json:"status"`
			Label  string `json:"label"`
		} `json:"platformActions"`
	}
	if json.Unmarshal(body, &v) == nil {
		if v.PlatformActions != nil {
			var parts []string
			for _, a := range v.PlatformActions {
				parts = append(parts, a.Status+" "+a.Label)
			}
			return strings.Join(parts, ", ")
		}
		return v.Status + " " + v.Label
	}
	var errs []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &errs) == nil && len(errs) > 0 {
		return errs[0].Message
	}
	return string(body)
}
