package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
	"github.com/google/go-cmp/cmp"
)

// guideExample is the example of Action Link Group Definition Input ("This
// example instantiates an action link group definition without a
// template"), booleans given as strings as it gives them, with an
// expirationDate in the future of the tests' clock.
const guideExample = `{
  "actionLinks": [
    {"actionType": "Api", "labelKey": "Like", "groupDefault": "true",
     "actionUrl": "https://test.com/this", "method": "HttpPost", "requiresConfirmation": "false"},
    {"actionType": "Api", "labelKey": "Unlike",
     "actionUrl": "https://test.com/that", "method": "HttpPost", "requiresConfirmation": "false"}
  ],
  "executionsAllowed": "OncePerUser",
  "expirationDate": "2026-12-07T23:59:11.168Z",
  "category": "Primary"
}`

// TestBooleansAsStrings: groupDefault and requiresConfirmation are read
// from JSON booleans and from the strings "true" and "false", as the
// developer guide's own examples send them; any other value is refused
// with 400 JSON_PARSER_ERROR. The guide's example is created with the
// booleans it means.
//
// Source: Connect REST API Developer Guide, Action Link Group Definition
// Input (its example sends "groupDefault": "true" and
// "requiresConfirmation": "false"). How Salesforce reads other strings is
// not documented; refusing them is the adapter's rule.
func TestBooleansAsStrings(t *testing.T) {
	e := newEnv(t)
	var tr transcript
	code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", guideExample)
	if code != http.StatusCreated {
		t.Fatalf("the guide's example: %d %s", code, body)
	}
	tr.add(t, "the guide's example", code, body)
	var g salesforce.GroupDefinition
	if err := json.Unmarshal([]byte(body), &g); err != nil {
		t.Fatal(err)
	}
	got := [][2]bool{{g.ActionLinks[0].GroupDefault, g.ActionLinks[0].RequiresConfirmation}, {g.ActionLinks[1].GroupDefault, g.ActionLinks[1].RequiresConfirmation}}
	if diff := cmp.Diff([][2]bool{{true, false}, {false, false}}, got); diff != "" {
		t.Errorf("groupDefault and requiresConfirmation mismatch (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		value string
		want  int
	}{
		{`true`, http.StatusCreated},
		{`"true"`, http.StatusCreated},
		{`false`, http.StatusCreated},
		{`"false"`, http.StatusCreated},
		{`"TRUE"`, http.StatusBadRequest},
		{`"yes"`, http.StatusBadRequest},
		{`"1"`, http.StatusBadRequest},
		{`1`, http.StatusBadRequest},
		{`{}`, http.StatusBadRequest},
		{`null`, http.StatusBadRequest}, // requiresConfirmation is required
	} {
		code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice",
			definition("Ui", urlUI, `,"groupDefault":"true","requiresConfirmation":`+tt.value))
		if code != tt.want {
			t.Errorf("requiresConfirmation %s: status %d, want %d: %s", tt.value, code, tt.want, body)
		}
		tr.add(t, "requiresConfirmation "+tt.value, code, summary(t, body))
	}
	golden(t, "booleans.golden", tr.b.String())
}

// TestPlatformActionBody: a Platform Action carries every property of the
// response body, with Salesforce's nulls: createdRecords (empty: these
// links create no records), and executingUser as a User Summary from
// Config.UserSummary (null before anyone executed the link; with no hook,
// or for a user the hook does not know, its id, type and url only).
//
// Source: Connect REST API Developer Guide, Platform Action (createdRecords:
// "This collection is empty if the action hasn't been performed yet by the
// context user or if the action doesn't create a record"; executingUser:
// "User Summary"), User Summary, and Connect REST API Filter Group ("Big—The
// default size. Includes every property in a response body").
func TestPlatformActionBody(t *testing.T) {
	name := "Alice Liddell"
	active := true
	nickname := "alice"
	internal := "Internal"
	hooks := []struct {
		name string
		hook func(context.Context, string) (salesforce.UserSummary, error)
		want int
	}{
		{"a host's directory", func(_ context.Context, id string) (salesforce.UserSummary, error) {
			return salesforce.UserSummary{
				// ID, Type and URL are the handler's to set.
				ID: "ignored", Type: "Group", URL: "/elsewhere",
				CommunityNickname: &nickname, DisplayName: &nickname, FirstName: new("Alice"), LastName: new("Liddell"),
				IsActive: &active, IsInThisCommunity: &active, Name: &name, UserType: &internal,
				Motif: &salesforce.Motif{Color: new("1797C0"), LargeIconURL: "/img/icon/profile64.png",
					MediumIconURL: "/img/icon/profile32.png", SmallIconURL: "/img/icon/profile16.png"},
				OutOfOffice: &salesforce.OutOfOffice{Message: ""},
			}, nil
		}, http.StatusOK},
		{"no hook", nil, http.StatusOK},
		{"a user the directory does not know", func(context.Context, string) (salesforce.UserSummary, error) {
			return salesforce.UserSummary{Name: &name}, fmt.Errorf("user gone: %w", actions.ErrNotFound)
		}, http.StatusOK},
		{"a directory that fails", func(context.Context, string) (salesforce.UserSummary, error) {
			return salesforce.UserSummary{}, errors.New("directory down")
		}, http.StatusInternalServerError},
	}
	var tr transcript
	for _, tt := range hooks {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *salesforce.Config) { c.UserSummary = tt.hook })
			id := e.oneLink("Once", "Ui", "HttpGet", urlUI, "")
			code, body := e.do("GET", "/connect/action-links/"+id, "sf-bob", "")
			if code != http.StatusOK {
				t.Fatalf("before: %d %s", code, body)
			}
			if tt.name == "a host's directory" {
				tr.add(t, "before anyone executed it", code, body)
			}
			if code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", "sf-alice", ""); code != tt.want {
				t.Errorf("PATCH: %d, want %d: %s", code, tt.want, body)
			}
			code, body = e.do("GET", "/connect/action-links/"+id, "sf-bob", "")
			if code != tt.want {
				t.Errorf("GET: %d, want %d: %s", code, tt.want, body)
			}
			tr.add(t, tt.name+": bob sees alice's execution", code, body)
		})
	}
	golden(t, "platform_action.golden", tr.b.String())
}
