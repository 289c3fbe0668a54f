package salesforce_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// definition is a Primary Once group of one link of type typ to url, with
// extra JSON appended to the link's properties.
func definition(typ, url, extra string) string {
	method := "HttpPost"
	if typ == "Ui" || typ == "Download" {
		method = "HttpGet"
	}
	return fmt.Sprintf(`{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-31T00:00:00.000Z",
		"actionLinks":[{"actionType":%q,"actionUrl":%q,"method":%q,"labelKey":"Approve","requiresConfirmation":false%s}]}`, typ, url, method, extra)
}

// TestDefinitionsPerUser: one user may have at most
// Limits.DefinitionsPerUser (default 100) definitions that they created
// and have not deleted. Before, 200 POSTs of 1 MB definitions by one user
// grew the server by 350 MB; now a 1 MB definition is refused for its
// lengths, and of 200 POSTs of definitions at the default length limits the
// 101st and every one after it are refused, by count.
//
// Source: Salesforce documents no such limit (Action Link Group Definition
// Input; Action Link Group Definitions resource): the limit, its 400
// LIMIT_EXCEEDED and its default are the adapter's own.
func TestDefinitionsPerUser(t *testing.T) {
	e := newEnv(t)
	big := definition("Api", urlOK, `,"requestBody":"`+strings.Repeat("x", 1<<20-1024)+`"`)
	if code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", big); code != http.StatusBadRequest ||
		!strings.Contains(body, `"STRING_TOO_LONG"`) {
		t.Errorf("a 1 MB definition: %d %.200s, want 400 STRING_TOO_LONG", code, body)
	}

	// Definitions as large as the default limits allow: a requestBody of
	// DefaultRequestBodyBytes.
	full := definition("Api", urlOK, `,"requestBody":"`+strings.Repeat("x", salesforce.DefaultRequestBodyBytes)+`"`)
	var created []string
	var tr transcript
	for i := range 200 {
		code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", full)
		switch {
		case i < salesforce.DefaultDefinitionsPerUser && code == http.StatusCreated:
			var g salesforce.GroupDefinition
			if err := json.Unmarshal([]byte(body), &g); err != nil {
				t.Fatal(err)
			}
			created = append(created, g.ID)
		case i >= salesforce.DefaultDefinitionsPerUser && code == http.StatusBadRequest:
			if i == salesforce.DefaultDefinitionsPerUser {
				tr.add(t, "alice's 101st definition", code, body)
			}
		default:
			t.Fatalf("POST %d: %d %.300s", i+1, code, body)
		}
	}
	groups := e.stores.Groups.(*actions.MemoryStore[salesforce.Group])
	if n := len(groups.IDs()); n != salesforce.DefaultDefinitionsPerUser {
		t.Errorf("%d groups stored, want %d", n, salesforce.DefaultDefinitionsPerUser)
	}

	// Other users are not affected; a deleted definition no longer counts;
	// a host's fixtures count but are never refused.
	code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-bob", definition("Ui", urlUI, ""))
	tr.add(t, "bob is not affected", code, summary(t, body))
	code, body = e.do("DELETE", "/connect/action-link-group-definitions/"+created[0], "sf-alice", "")
	tr.add(t, "alice deletes one", code, body)
	code, body = e.do("POST", "/connect/action-link-group-definitions", "sf-alice", definition("Ui", urlUI, ""))
	tr.add(t, "alice may create one again", code, summary(t, body))
	code, body = e.do("POST", "/connect/action-link-group-definitions", "sf-alice", definition("Ui", urlUI, ""))
	tr.add(t, "and no more", code, body)
	in := salesforce.GroupDefinitionInput{
		Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: "2026-12-31T00:00:00Z",
		ActionLinks: []salesforce.ActionLinkDefinitionInput{{ActionType: "Ui", ActionURL: urlUI, Method: "HttpGet", LabelKey: "View", RequiresConfirmation: new(salesforce.Boolean)}},
	}
	if _, err := e.h.CreateGroup(context.Background(), salesforce.NewGroup{CreatedBy: alice, Input: in}); err != nil {
		t.Errorf("CreateGroup beyond the limit: %v", err)
	}
	golden(t, "definitions_per_user.golden", tr.b.String())
}

// summary reduces a created definition to its id and link count, so that a
// golden file does not hold whole bodies a test made many of.
func summary(t *testing.T, body string) string {
	t.Helper()
	var g salesforce.GroupDefinition
	if err := json.Unmarshal([]byte(body), &g); err != nil || g.ID == "" {
		return body
	}
	b, _ := json.Marshal(map[string]any{"id": g.ID, "actionLinks": len(g.ActionLinks)})
	return string(b)
}

// TestLengthLimits: labelKey, actionUrl, requestBody, header names and
// values, and the number of headers each have a limit (Limits), refused
// with 400 STRING_TOO_LONG (or INVALID_API_INPUT for the count); a value at
// its limit is accepted.
//
// Source: Connect REST API Developer Guide, Action Link Definition Input,
// documents no lengths; the defaults of labelKey (128) and requestBody
// (32,000) are the lengths of the LabelKey and RequestBody fields of the
// ActionLinkTemplate object (Object Reference, ActionLinkTemplate), the
// others the adapter's own.
func TestLengthLimits(t *testing.T) {
	lim := salesforce.Limits{LabelKey: 8, ActionURL: 40, RequestBody: 16, HeaderName: 6, HeaderValue: 6, Headers: 2}
	e := newEnv(t, func(c *salesforce.Config) { c.Limits = lim })
	at := `{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-31T00:00:00.000Z","actionLinks":[
		{"actionType":"Api","actionUrl":"http://callouts.example/ok?q=12345678901","method":"HttpPost","labelKey":"Approval","requiresConfirmation":false,
		 "requestBody":"0123456789abcdef","headers":[{"name":"X-Abcd","value":"123456"},{"name":"X-Efgh","value":"123456"}]}]}`
	over := `{"category":"Primary","executionsAllowed":"Once","expirationDate":"2026-12-31T00:00:00.000Z","actionLinks":[
		{"actionType":"Api","actionUrl":"http://callouts.example/ok?q=123456789012","method":"HttpPost","labelKey":"Approvals","requiresConfirmation":false,
		 "requestBody":"0123456789abcdefg","headers":[{"name":"X-Abcde","value":"1234567"},{"name":"X-Efgh","value":"123456"}]},
		{"actionType":"Api","actionUrl":"http://callouts.example/ok","method":"HttpPost","labelKey":"Approve","requiresConfirmation":false,
		 "headers":[{"name":"A","value":"1"},{"name":"B","value":"2"},{"name":"C","value":"3"}]}]}`
	var tr transcript
	code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", at)
	if code != http.StatusCreated {
		t.Errorf("every value at its limit: %d %s", code, body)
	}
	tr.add(t, "every value at its limit", code, summary(t, body))
	code, body = e.do("POST", "/connect/action-link-group-definitions", "sf-alice", over)
	if code != http.StatusBadRequest {
		t.Errorf("every value over its limit: %d %s", code, body)
	}
	tr.add(t, "every value over its limit", code, body)
	golden(t, "length_limits.golden", tr.b.String())

	cfg := salesforce.Config{Stores: salesforce.NewMemoryStores(), Limits: salesforce.Limits{Headers: -1}}
	if _, err := salesforce.New(cfg); err == nil {
		t.Error("New accepted a negative limit")
	}
}

// TestActionURL: every actionUrl is an absolute https:// URL, or, for Ui
// and Download links, a path relative to the server; http:// only where
// Config.AllowHTTP allows it (here callouts.example). Context variables no
// longer skip the check: it runs at creation with placeholder values, and
// again with the real values before every callout and for every Ui and
// Download URL shown. Before, javascript:alert(1) was accepted for a Ui
// link and shown to every user, and any URL holding {! was not checked.
//
// Source: Connect REST API Developer Guide, Action Link Definition Input,
// actionUrl: "Links to Salesforce can be relative. All other links must be
// absolute and start with https://."; its Usage section: "Salesforce
// substitutes the value when the action link is executed."
func TestActionURL(t *testing.T) {
	tests := []struct {
		name, typ, url string
		want           int
	}{
		{"Ui https", "Ui", "https://app.example/orders/42", http.StatusCreated},
		{"Ui relative path", "Ui", "/orders/{!actionLinkId}", http.StatusCreated},
		{"Download from a site", "Download", "{!communityUrl}/files/report.pdf", http.StatusCreated},
		{"Api from a site", "Api", "{!communityUrl}/services/apexrest/approve", http.StatusCreated},
		{"Api http where AllowHTTP allows it", "Api", "http://callouts.example/ok?u={!userId}", http.StatusCreated},
		{"Ui javascript", "Ui", "javascript:alert(1)", http.StatusBadRequest},
		{"Ui javascript behind a variable", "Ui", "javascript:alert('{!userId}')", http.StatusBadRequest},
		{"Download data", "Download", "data:text/html,<script>alert(1)</script>", http.StatusBadRequest},
		{"Ui http", "Ui", "http://app.example/orders/42", http.StatusBadRequest},
		{"Ui scheme-relative", "Ui", "//evil.example/x", http.StatusBadRequest},
		{"Ui backslash", "Ui", "/\\evil.example/x", http.StatusBadRequest},
		{"Ui a bare word", "Ui", "orders", http.StatusBadRequest},
		{"Ui user and password", "Ui", "https://alice:secret@app.example/", http.StatusBadRequest},
		{"Ui line break", "Ui", "https://app.example/\nx", http.StatusBadRequest},
		{"Api relative path", "Api", "/services/data/v62.0/chatter/feed-elements", http.StatusBadRequest},
		{"ApiAsync http where AllowHTTP refuses it", "ApiAsync", "http://{!orgId}.internal.example/", http.StatusBadRequest},
		{"ApiAsync ftp", "ApiAsync", "ftp://files.example/x", http.StatusBadRequest},
		{"Api no host", "Api", "https:///x", http.StatusBadRequest},
	}
	e := newEnv(t)
	var tr transcript
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", definition(tt.typ, tt.url, ""))
			if code != tt.want {
				t.Errorf("status %d, want %d: %s", code, tt.want, body)
			}
			tr.add(t, fmt.Sprintf("%s: %s %q", tt.name, tt.typ, tt.url), code, summary(t, body))
		})
	}
	golden(t, "action_url.golden", tr.b.String())
}

// TestActionURLAfterSubstitution: the URL is checked again with the values
// of the context variables of the request: a callout whose URL is not
// acceptable then is not sent (FailedStatus, and diagnostic-info says why
// without quoting the URL), and a Ui or Download URL that is not
// acceptable is shown as null.
//
// Source: as TestActionURL, and Platform Action (actionUrl: "For Api and
// ApiAsync action links and for all platform actions, this value is null";
// null where the adapter will not show it).
func TestActionURLAfterSubstitution(t *testing.T) {
	community := "https://community.example"
	e := newEnv(t, func(c *salesforce.Config) {
		c.Variables = func(*http.Request) salesforce.Variables { return salesforce.Variables{CommunityURL: community} }
	})
	api := e.oneLink("OncePerUser", "Api", "HttpPost", "{!communityUrl}/ok", "")
	ui := e.oneLink("OncePerUser", "Ui", "HttpGet", "{!communityUrl}/orders/42", "")
	var tr transcript
	for _, c := range []struct{ name, url, token string }{
		{"an http site that AllowHTTP refuses", "http://intranet.example", "sf-alice"},
		{"the internal org, whose {!communityUrl} is empty: a relative URL", "", "sf-bob"},
		{"a javascript: site", "javascript:alert(1)//", "sf-carol"},
	} {
		community = c.url
		code, body := e.do("PATCH", "/connect/action-links/"+api+"?status=PendingStatus", c.token, "")
		tr.add(t, c.name+": the Api link", code, body)
		code, body = e.do("GET", "/connect/action-links/"+api+"/diagnostic-info", c.token, "")
		tr.add(t, c.name+": why it failed", code, body)
		code, body = e.do("GET", "/connect/action-links/"+ui, c.token, "")
		tr.add(t, c.name+": the Ui link", code, body)
	}
	if n := e.callouts.count.Load(); n != 0 {
		t.Errorf("%d callouts, want none", n)
	}
	community = "https://community.example"
	if code, body := e.do("GET", "/connect/action-links/"+ui, "sf-alice", ""); code != http.StatusOK || !strings.Contains(body, `"actionUrl":"https://community.example/orders/42"`) {
		t.Errorf("the Ui link from an https site: %d %s", code, body)
	}
	golden(t, "action_url_substituted.golden", tr.b.String())
}
