package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
	"github.com/google/go-cmp/cmp"
)

// validGroup has one link of each type, with every optional field.
const validGroup = `{
  "category": "Primary",
  "executionsAllowed": "OncePerUser",
  "expirationDate": "2027-01-31T12:00:00.000Z",
  "actionLinks": [
    {"actionType": "ApiAsync", "actionUrl": "http://callouts.example/ok?link={!actionLinkId}", "method": "HttpPost",
     "labelKey": "Approve", "requiresConfirmation": true, "groupDefault": true,
     "headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "X-User", "value": "{!userId}"}],
     "requestBody": "{\"group\":\"{!actionLinkGroupId}\",\"org\":\"{!orgId}\"}"},
    {"actionType": "Ui", "actionUrl": "{!communityUrl}/orders/{!actionLinkId}", "method": "HttpGet",
     "labelKey": "View", "requiresConfirmation": false, "excludedUserId": "005000000000002AAA"},
    {"actionType": "Download", "actionUrl": "https://files.example/report.pdf", "method": "HttpGet",
     "labelKey": "Download", "requiresConfirmation": false, "userId": "005000000000002AAA"}
  ]
}`

// TestGroupDefinitionLifecycle: a definition's whole life, every body
// whole: POST and GET answer an Action Link Group Definition (every
// property: actionLinks, category, createdDate, executionsAllowed,
// expirationDate, id, modifiedDate, templateId null, url) whose links are
// Action Link Definitions (label null, the action type as type); the group
// is a Platform Action Group of Platform Actions, each user seeing only
// their links; DELETE answers 204.
//
// Sources: Connect REST API Developer Guide, Action Link Group Definition
// (response body), Action Link Definition (response body; its rows after
// label read in the Apex twin, ConnectApi.ActionLinkDefinition), Platform
// Action Group, Platform Action, Action Link Diagnostic Information, and
// the resources Action Link Group Definitions, Action Link Group
// Definition and Action Link Group.
func TestGroupDefinitionLifecycle(t *testing.T) {
	e := newEnv(t)
	var tr transcript
	step := func(title, method, path, token, body string, want int) {
		t.Helper()
		code, out := e.do(method, path, token, body)
		if code != want {
			t.Errorf("%s: status %d, want %d: %s", title, code, want, out)
		}
		tr.add(t, title, code, out)
	}
	def := "/connect/action-link-group-definitions/0Ag000000000001AAA"
	step("alice creates a group", "POST", "/connect/action-link-group-definitions", "sf-alice", validGroup, http.StatusCreated)
	step("alice reads the definition", "GET", def, "sf-alice", "", http.StatusOK)
	step("bob may not read it", "GET", def, "sf-bob", "", http.StatusForbidden)
	step("alice sees the group (not the Download link)", "GET", "/connect/action-link-groups/0Ag000000000001AAA", "sf-alice", "", http.StatusOK)
	step("bob sees the group (not the Ui link)", "GET", "/connect/action-link-groups/0Ag000000000001AAA", "sf-bob", "", http.StatusOK)
	step("alice sees the ApiAsync link", "GET", "/connect/action-links/0An000000000001AAA", "sf-alice", "", http.StatusOK)
	step("alice sees the Ui link", "GET", "/connect/action-links/0An000000000002AAA", "sf-alice", "", http.StatusOK)
	step("bob may not see the Ui link", "GET", "/connect/action-links/0An000000000002AAA", "sf-bob", "", http.StatusNotFound)
	step("alice may not see the Download link", "GET", "/connect/action-links/0An000000000003AAA", "sf-alice", "", http.StatusNotFound)
	step("bob sees the Download link", "GET", "/connect/action-links/0An000000000003AAA", "sf-bob", "", http.StatusOK)
	step("no diagnostic before an execution", "GET", "/connect/action-links/0An000000000001AAA/diagnostic-info", "sf-alice", "", http.StatusOK)
	step("bob may not delete it", "DELETE", def, "sf-bob", "", http.StatusForbidden)
	step("alice deletes it", "DELETE", def, "sf-alice", "", http.StatusNoContent)
	step("the definition is gone", "GET", def, "sf-alice", "", http.StatusNotFound)
	step("the group is gone", "GET", "/connect/action-link-groups/0Ag000000000001AAA", "sf-alice", "", http.StatusNotFound)
	step("the link is gone", "GET", "/connect/action-links/0An000000000001AAA", "sf-alice", "", http.StatusNotFound)
	golden(t, "group_lifecycle.golden", tr.b.String())
}

// TestGroupDefinitionValidation: every violation of a definition comes
// back at once in the error array.
//
// Sources: Connect REST API Developer Guide, Action Link Group Definition
// Input and Action Link Definition Input (required properties, enums, "up
// to three action links in a Primary group and up to four in an Overflow
// group", "within one year of the creation date", userId and excludedUserId
// exclusive, headers for Api and ApiAsync, actionUrl), Status Codes and
// Error Responses (the array).
func TestGroupDefinitionValidation(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty object", `{}`},
		{"everything wrong at once", `{
		  "category": "Secondary", "executionsAllowed": "Twice", "expirationDate": "tomorrow",
		  "templateBindings": [{"key": "k", "value": "v"}],
		  "actionLinks": [
		    {"actionType": "Api", "actionUrl": "", "method": "Post", "labelKey": "", "groupDefault": true,
		     "userId": "005000000000001AAA", "excludedUserId": "005000000000002AAA"},
		    {"actionType": "Link", "actionUrl": "x", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": true,
		     "groupDefault": true, "headers": [{"name": "", "value": "v"}], "userId": "bob"}
		  ]}`},
		{"too many Primary links", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false}]}`},
		{"too many Overflow links", `{"category": "Overflow", "executionsAllowed": "Once", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false}]}`},
		{"two group defaults", `{"category": "Overflow", "executionsAllowed": "Once", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false, "groupDefault": true},
		  {"actionType": "Ui", "actionUrl": "https://b.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false, "groupDefault": true}]}`},
		{"Unlimited with Api and ApiAsync", `{"category": "Primary", "executionsAllowed": "Unlimited", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "Api", "actionUrl": "https://a.example", "method": "HttpPost", "labelKey": "Approve", "requiresConfirmation": false},
		  {"actionType": "ApiAsync", "actionUrl": "https://a.example", "method": "HttpPost", "labelKey": "Approve", "requiresConfirmation": false},
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false}]}`},
		{"expiration more than a year ahead", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2027-11-24T09:00:00.000Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false}]}`},
		// Our rule: Action Link Group Definition Input only says the date
		// "must be within one year of the creation date"; a date already
		// past makes a group whose links can never be executed.
		{"expiration in the past", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2001-07-07T23:59:11.168Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false}]}`},
		{"expiration now", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2026-11-23T09:00:00.000Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false}]}`},
		{"userId and excludedUserId", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false,
		   "userId": "005000000000001AAA", "excludedUserId": "005000000000002AAA"}]}`},
		{"method and actionType enums", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "api", "actionUrl": "https://a.example", "method": "POST", "labelKey": "View", "requiresConfirmation": false}]}`},
		{"headers on a Ui link, bad header, relative Api URL", `{"category": "Primary", "executionsAllowed": "Once", "expirationDate": "2027-01-01T00:00:00Z", "actionLinks": [
		  {"actionType": "Ui", "actionUrl": "https://a.example", "method": "HttpGet", "labelKey": "View", "requiresConfirmation": false,
		   "headers": [{"name": "X-A", "value": "1"}]},
		  {"actionType": "Api", "actionUrl": "/relative", "method": "HttpPost", "labelKey": "Approve", "requiresConfirmation": false,
		   "headers": [{"name": "Bad Name", "value": "a\nb"}]}]}`},
		{"template", `{"templateId": "07g000000000001AAA", "templateBindings": [{"key": "k", "value": "v"}]}`},
		{"not JSON", `{"category": `},
		{"unknown field", `{"category": "Primary", "colour": "red"}`},
		{"wrong type", `{"category": "Primary", "actionLinks": {"actionType": "Ui"}}`},
		{"array body", `[]`},
		{"trailing data", `{} {}`},
		{"empty body", ``},
	}
	e := newEnv(t)
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", tt.body)
			if code != http.StatusBadRequest {
				t.Errorf("status %d, want 400: %s", code, body)
			}
			tr.add(t, tt.name, code, body)
		})
	}
	golden(t, "group_validation.golden", tr.b.String())
}

func TestCreateGroup(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := salesforce.GroupDefinitionInput{
		Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: "2027-01-01T00:00:00Z",
		ActionLinks: []salesforce.ActionLinkDefinitionInput{{
			ActionType: "Ui", ActionURL: "https://a.example", Method: "HttpGet", LabelKey: "View", RequiresConfirmation: new(salesforce.Boolean),
		}},
	}
	g, err := e.h.CreateGroup(ctx, salesforce.NewGroup{ID: "0Ag00000000000FAAA", LinkIDs: []string{"0An00000000000FAAA"}, CreatedBy: alice, Input: in})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0Ag00000000000FAAA", "0An00000000000FAAA"}, []string{g.ID, g.ActionLinks[0].ID}); diff != "" {
		t.Errorf("ids mismatch (-want +got):\n%s", diff)
	}
	if got := e.status("0An00000000000FAAA", "sf-bob"); got != salesforce.StatusNew {
		t.Errorf("status %s, want NewStatus", got)
	}

	_, err = e.h.CreateGroup(ctx, salesforce.NewGroup{ID: "0Ag00000000000FAAA", CreatedBy: alice, Input: in})
	if !errors.Is(err, actions.ErrConflict) {
		t.Errorf("same id again: %v, want ErrConflict", err)
	}
	in.Category = ""
	_, err = e.h.CreateGroup(ctx, salesforce.NewGroup{ID: "0D5000000000001AAA", LinkIDs: []string{"x", "y"}, CreatedBy: alice, Input: in})
	var ie *salesforce.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want an *InputError", err)
	}
	want := []salesforce.Problem{
		{Field: "id", Code: "INVALID_API_INPUT", Message: `id: "0D5000000000001AAA" is not an action link group id (prefix 0Ag)`},
		{Field: "linkIds", Code: "INVALID_API_INPUT", Message: "linkIds: 2 ids for 1 action links"},
		{Field: "linkIds[0]", Code: "INVALID_API_INPUT", Message: `linkIds[0]: "x" is not an action link id (prefix 0An)`},
		{Field: "linkIds[1]", Code: "INVALID_API_INPUT", Message: `linkIds[1]: "y" is not an action link id (prefix 0An)`},
	}
	if diff := cmp.Diff(want, ie.Problems); diff != "" {
		t.Errorf("problems mismatch (-want +got):\n%s", diff)
	}
}

// TestRequests: authentication, ids, unknown resources and methods, and the
// two ways of giving a PATCH its status.
//
// Sources: Connect REST API Developer Guide, Status Codes and Error
// Responses (401, 404, and the INVALID_ID_FIELD example "Invalid
// identifier: 0D5D0000000XZoHKAW"); Action Link Input and "Update the
// Status of an Action Link or Invoke an Action Link" (the status request
// parameter, seed 003).
func TestRequests(t *testing.T) {
	e := newEnv(t)
	id := e.oneLink("Once", "Ui", "HttpGet", "https://a.example", "")
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", "/connect/action-links/" + id, "", "", http.StatusUnauthorized},
		{"unknown token", "GET", "/connect/action-links/" + id, "sf-mallory", "", http.StatusUnauthorized},
		{"id of another object", "GET", "/connect/action-links/0D5D0000000XZoHKAW", "sf-alice", "", http.StatusBadRequest},
		{"malformed id", "GET", "/connect/action-links/abc", "sf-alice", "", http.StatusBadRequest},
		{"unknown link", "GET", "/connect/action-links/0An999999999999AAA", "sf-alice", "", http.StatusNotFound},
		{"unknown group", "GET", "/connect/action-link-groups/0Ag999999999999AAA", "sf-alice", "", http.StatusNotFound},
		{"group id as link id", "GET", "/connect/action-links/0Ag000000000001AAA", "sf-alice", "", http.StatusBadRequest},
		{"unknown resource", "GET", "/connect/feed-elements", "sf-alice", "", http.StatusNotFound},
		{"method not allowed", "PUT", "/connect/action-links/" + id, "sf-alice", "", http.StatusMethodNotAllowed},
		{"PATCH without status", "PATCH", "/connect/action-links/" + id, "sf-alice", "", http.StatusBadRequest},
		{"PATCH with an unknown status", "PATCH", "/connect/action-links/" + id, "sf-alice", `{"status":"DoneStatus"}`, http.StatusBadRequest},
		{"PATCH with malformed JSON", "PATCH", "/connect/action-links/" + id, "sf-alice", `{"status":`, http.StatusBadRequest},
		{"PATCH with body and query at odds", "PATCH", "/connect/action-links/" + id + "?status=FailedStatus", "sf-alice", `{"status":"SuccessfulStatus"}`, http.StatusBadRequest},
		{"PATCH with the status in the query", "PATCH", "/connect/action-links/" + id + "?status=PendingStatus", "sf-alice", "", http.StatusOK},
		{"PATCH with body and query agreeing", "PATCH", "/connect/action-links/" + id + "?status=SuccessfulStatus", "sf-alice", `{"status":"SuccessfulStatus"}`, http.StatusOK},
	}
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do(tt.method, tt.path, tt.token, tt.body)
			if code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, body)
			}
			tr.add(t, tt.name, code, body)
		})
	}
	golden(t, "requests.golden", tr.b.String())
}
