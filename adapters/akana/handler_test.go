package akana_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	typeJSON = "application/json"
	typeXML  = "application/xml"
	typeText = "text/plain; charset=utf-8"
)

func actionsURL(id string) string { return "/api/workflow/objects/" + id + "/actions" }

// docJSON compares a JSON body with a sample of the documents, as values:
// the samples differ from each other (and from us) only in white space.
func docJSON(t *testing.T, doc string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("testdata", "doc", doc))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(doc, ".txt") {
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("body differs from the document's %s (-want +got):\n%s", doc, diff)
		}
		return
	}
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body: %v\n%s", err, got)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("body differs from the document's %s (-want +got):\n%s", doc, diff)
	}
}

// TestDocumentExamples runs every example of the two documents, in order,
// on one fixture: GET request URLs #1 and #2, sample responses #1 to #4
// (#3 after submitting the API version), and the POST sample.
func TestDocumentExamples(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	postBody, err := os.ReadFile("testdata/doc/post-request.json")
	if err != nil {
		t.Fatal(err)
	}
	accept := func(v string) map[string]string { return hdr("Accept", v, "Cookie", adminAuth) }
	steps := []struct {
		exchange
		doc string // the document's sample the body must equal
	}{
		{exchange: exchange{name: "GET request URL #1 (discussion)", method: "GET", target: actionsURL(discussion10121),
			header: accept(typeJSON), wantStatus: 200, wantType: typeJSON, golden: "get-discussion10121.json"}},
		{exchange: exchange{name: "GET sample response #1 (user workflow)", method: "GET", target: actionsURL(user1),
			header: accept(typeJSON), wantStatus: 200, wantType: typeJSON, golden: "get-user1.json"}, doc: "get-sample-1.json"},
		{exchange: exchange{name: "GET sample response #2 (API version in Draft)", method: "GET", target: actionsURL(apiVersion1),
			header: accept(typeJSON), wantStatus: 200, wantType: typeJSON, golden: "get-apiversion1-draft.json"}, doc: "get-sample-2.json"},
		{exchange: exchange{name: "POST submit the API version for approval", method: "POST", target: actionsURL(apiVersion1),
			header: hdr("Accept", "*/*", "Content-Type", typeJSON, "Cookie", adminAuth, csrfHeader, "akana-admin"),
			body:   `{"ActionName": "apiversion.action.submit.approval"}`, wantStatus: 200, wantType: typeText,
			golden: "post-apiversion1-submit.txt", stateOf: apiVersion1, wantState: "Pending Approval"}},
		{exchange: exchange{name: "GET sample response #3 (API version pending approval)", method: "GET", target: actionsURL(apiVersion1),
			header: accept(typeJSON), wantStatus: 200, wantType: typeJSON, golden: "get-apiversion1-pending.json"}, doc: "get-sample-3.json"},
		{exchange: exchange{name: "GET request URL #2 and sample response #4 (reserved actions)", method: "GET",
			target: actionsURL(appVersion) + "?IncludeReservedActions", header: accept(typeJSON),
			wantStatus: 200, wantType: typeJSON, golden: "get-appversion-reserved.json"}, doc: "get-sample-4.json"},
		{exchange: exchange{name: "POST sample (unpublish a discussion)", method: "POST", target: actionsURL(discussion11018),
			header: hdr("Accept", "*/*", "Content-Type", "application/json; charset=UTF-8", csrfHeader, "akana-admin", "Cookie", adminAuth),
			body:   string(postBody), wantStatus: 200, wantType: typeText, golden: "post-discussion11018-unpublish.txt",
			stateOf: discussion11018, wantState: "Pending"}, doc: "post-response.txt"},
		{exchange: exchange{name: "GET the unpublished discussion", method: "GET", target: actionsURL(discussion11018),
			header: accept(typeJSON), wantStatus: 200, wantType: typeJSON, golden: "get-discussion11018-pending.json"}},
		{exchange: exchange{name: "POST publish it again", method: "POST", target: actionsURL(discussion11018),
			header: hdr("Content-Type", typeJSON, csrfHeader, "akana-admin", "Cookie", adminAuth),
			body:   `{"ActionName": "discussion.action.publish"}`, wantStatus: 200, wantType: typeText,
			golden: "post-discussion11018-publish.txt", stateOf: discussion11018, wantState: "Published"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			f.check(t, s.exchange)
			if s.doc != "" {
				res := f.do(t, s.method, s.target, s.header, "")
				if s.method == "POST" { // not repeatable: compare the golden body
					got, _ := os.ReadFile(filepath.Join("testdata", s.golden))
					docJSON(t, s.doc, got)
					return
				}
				got, _ := io.ReadAll(res.Body)
				docJSON(t, s.doc, got)
			}
		})
	}
	// The comment is kept on the execution record.
	recs, err := f.store.Executions(context.Background(), actions.Filter{ObjectID: discussion11018})
	if err != nil {
		t.Fatal(err)
	}
	type rec struct{ ActionID, ActorID, Comment string }
	var got []rec
	for _, r := range recs {
		got = append(got, rec{r.ActionID, r.ActorID, r.Comment})
	}
	want := []rec{
		{"discussion-workflow/discussion.action.unpublish", "admin", "Unpublishing while I edit."},
		{"discussion-workflow/discussion.action.publish", "admin", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("executions mismatch (-want +got):\n%s", diff)
	}
}

// TestDocumentExamplesXML renders the documents' GET examples as XML, in
// the documents' order (sample #3 follows submitting the API version, here
// with an XML body), and checks each sample field by field against the
// document's JSON, read with a decoder independent of the package's types.
func TestDocumentExamplesXML(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	tests := []struct {
		name, target, golden, doc string
		submit                    bool // submit the API version first
	}{
		{name: "request URL #1", target: actionsURL(discussion10121), golden: "get-discussion10121.xml"},
		{name: "sample #1", target: actionsURL(user1), golden: "get-user1.xml", doc: "get-sample-1.json"},
		{name: "sample #2", target: actionsURL(apiVersion1), golden: "get-apiversion1-draft.xml", doc: "get-sample-2.json"},
		{name: "sample #3", target: actionsURL(apiVersion1), golden: "get-apiversion1-pending.xml", doc: "get-sample-3.json", submit: true},
		{name: "sample #4", target: actionsURL(appVersion) + "?IncludeReservedActions", golden: "get-appversion-reserved.xml", doc: "get-sample-4.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.submit {
				f.check(t, exchange{method: "POST", target: actionsURL(apiVersion1),
					header:     hdr("Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", typeXML),
					body:       "<Action><ActionName>apiversion.action.submit.approval</ActionName></Action>",
					wantStatus: 200, wantType: typeText, golden: "post-apiversion1-submit.txt",
					stateOf: apiVersion1, wantState: "Pending Approval"})
			}
			f.check(t, exchange{method: "GET", target: tt.target, header: hdr("Accept", typeXML, "Cookie", adminAuth),
				wantStatus: 200, wantType: typeXML, golden: tt.golden})
			if tt.doc == "" {
				return
			}
			body, err := os.ReadFile(filepath.Join("testdata", tt.golden))
			if err != nil {
				t.Fatal(err)
			}
			var x struct {
				Title string   `xml:"channel>title"`
				Key   string   `xml:"channel>WorkflowObject>WorkflowDefinitionKey"`
				State []string `xml:"channel>WorkflowObject>State"`
				GUIDs []string `xml:"channel>item>guid"`
			}
			if err := xml.Unmarshal(body, &x); err != nil {
				t.Fatal(err)
			}
			items := []any{}
			for _, g := range x.GUIDs {
				items = append(items, map[string]any{"guid": map[string]any{"value": g}})
			}
			asJSON, err := json.Marshal(map[string]any{"channel": map[string]any{
				"title":          x.Title,
				"WorkflowObject": map[string]any{"WorkflowDefinitionKey": x.Key, "State": x.State},
				"item":           items,
			}})
			if err != nil {
				t.Fatal(err)
			}
			docJSON(t, tt.doc, asJSON)
		})
	}
}

// TestXMLSymmetry checks that the XML and the JSON of every channel decode
// to the same value.
func TestXMLSymmetry(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	for id := range testObjects {
		for _, q := range []string{"", "?IncludeReservedActions"} {
			t.Run(id+q, func(t *testing.T) {
				get := func(accept string) []byte {
					res := f.do(t, "GET", actionsURL(id)+q, hdr("Accept", accept, "Cookie", adminAuth), "")
					b, _ := io.ReadAll(res.Body)
					if res.StatusCode != 200 {
						t.Fatalf("status %d: %s", res.StatusCode, b)
					}
					return b
				}
				var fromJSON, fromXML akana.RSS
				if err := json.Unmarshal(get(typeJSON), &fromJSON); err != nil {
					t.Fatal(err)
				}
				if err := xml.Unmarshal(get(typeXML), &fromXML); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(fromJSON, fromXML, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(akana.RSS{}, "XMLName")); diff != "" {
					t.Errorf("JSON and XML differ (-json +xml):\n%s", diff)
				}
			})
		}
	}
}

func TestReservedActions(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		wantStatus int
		golden     string
	}{
		{"absent", "", 200, "get-appversion-unreserved.json"},
		{"bare flag", "?IncludeReservedActions", 200, "get-appversion-reserved.json"},
		{"empty value", "?IncludeReservedActions=", 200, "get-appversion-reserved.json"},
		{"true", "?IncludeReservedActions=true", 200, "get-appversion-reserved.json"},
		{"false", "?IncludeReservedActions=false", 200, "get-appversion-unreserved.json"},
		{"not a boolean", "?IncludeReservedActions=maybe", 400, "error-400-include-reserved.json"},
		{"malformed escape", "?IncludeReservedActions=%zz", 400, "error-400-include-reserved-escape.json"},
		{"other malformed pair ignored", "?x=%zz&IncludeReservedActions", 200, "get-appversion-reserved.json"},
	}
	f := newFixture(t, fixtureConfig{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.check(t, exchange{method: "GET", target: actionsURL(appVersion) + tt.query,
				header: hdr("Accept", typeJSON, "Cookie", adminAuth), wantStatus: tt.wantStatus, wantType: typeJSON, golden: tt.golden})
		})
	}
}

func TestNegotiation(t *testing.T) {
	tests := []struct {
		name       string
		accept     string
		wantStatus int
		wantType   string
		golden     string
	}{
		{"no Accept", "", 200, typeJSON, "get-apiversion1-draft.json"},
		{"any", "*/*", 200, typeJSON, "get-apiversion1-draft.json"},
		{"application/*", "application/*", 200, typeJSON, "get-apiversion1-draft.json"},
		{"json", "application/json", 200, typeJSON, "get-apiversion1-draft.json"},
		{"xml", "application/xml", 200, typeXML, "get-apiversion1-draft.xml"},
		{"v71 json", "application/vnd.soa.v71+json", 200, "application/vnd.soa.v71+json", "get-apiversion1-draft.json"},
		{"v71 xml", "application/vnd.soa.v71+xml", 200, "application/vnd.soa.v71+xml", "get-apiversion1-draft.xml"},
		{"v72 json", "application/vnd.soa.v72+json", 200, "application/vnd.soa.v72+json", "get-apiversion1-draft.json"},
		{"v72 xml", "application/vnd.soa.v72+xml", 200, "application/vnd.soa.v72+xml", "get-apiversion1-draft.xml"},
		{"v80 json", "application/vnd.soa.v80+json", 200, "application/vnd.soa.v80+json", "get-apiversion1-draft.json"},
		{"v80 xml", "application/vnd.soa.v80+xml", 200, "application/vnd.soa.v80+xml", "get-apiversion1-draft.xml"},
		{"v81 json", "application/vnd.soa.v81+json", 200, "application/vnd.soa.v81+json", "get-apiversion1-draft.json"},
		{"v81 xml", "application/vnd.soa.v81+xml", 200, "application/vnd.soa.v81+xml", "get-apiversion1-draft.xml"},
		{"quality prefers json", "application/xml;q=0.5, application/json;q=0.9", 200, typeJSON, "get-apiversion1-draft.json"},
		{"json refused", "application/json;q=0, */*", 200, typeXML, "get-apiversion1-draft.xml"},
		{"first supported of a list", "text/html, application/vnd.soa.v80+xml", 200, "application/vnd.soa.v80+xml", "get-apiversion1-draft.xml"},
		{"unsupported version", "application/vnd.soa.v99+json", 406, typeJSON, "error-406-get.json"},
		{"html only", "text/html", 406, typeJSON, "error-406-get.json"},
	}
	f := newFixture(t, fixtureConfig{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hdr("Cookie", adminAuth)
			if tt.accept != "" {
				h["Accept"] = tt.accept
			}
			f.check(t, exchange{method: "GET", target: actionsURL(apiVersion1), header: h,
				wantStatus: tt.wantStatus, wantType: tt.wantType, golden: tt.golden})
		})
	}
}

func TestGETStatuses(t *testing.T) {
	tests := []exchange{
		{name: "no cookie", header: hdr("Accept", typeJSON), target: actionsURL(discussion10121),
			wantStatus: 401, wantType: typeJSON, golden: "error-401-login.json"},
		{name: "no cookie in XML", header: hdr("Accept", typeXML), target: actionsURL(discussion10121),
			wantStatus: 401, wantType: typeXML, golden: "error-401-login.xml"},
		{name: "unknown token", header: hdr("Cookie", "AtmoAuthToken_acmepaymentscorp=nobody"), target: actionsURL(discussion10121),
			wantStatus: 401, wantType: typeJSON, golden: "error-401-login.json"},
		{name: "logged in but refused", header: hdr("Cookie", bannedAuth), target: actionsURL(discussion10121),
			wantStatus: 403, wantType: typeJSON, golden: "error-403-get.json"},
		{name: "unknown object", header: hdr("Cookie", adminAuth), target: actionsURL("discussion1.acmepaymentscorp"),
			wantStatus: 404, wantType: typeJSON, golden: "error-404-get.json"},
		{name: "unknown object in XML", header: hdr("Cookie", adminAuth, "Accept", "application/vnd.soa.v81+xml"),
			target: actionsURL("discussion1.acmepaymentscorp"), wantStatus: 404, wantType: "application/vnd.soa.v81+xml", golden: "error-404-get.xml"},
		{name: "viewer sees no action", header: hdr("Cookie", viewerAuth), target: actionsURL(discussion10121),
			wantStatus: 200, wantType: typeJSON, golden: "get-discussion10121-viewer.json"},
		{name: "object of an unknown workflow", header: hdr("Cookie", adminAuth), target: actionsURL("orphan.acmepaymentscorp"),
			wantStatus: 200, wantType: typeJSON, golden: "get-orphan.json"},
	}
	f := newFixture(t, fixtureConfig{})
	for _, e := range tests {
		t.Run(e.name, func(t *testing.T) {
			e.method = "GET"
			f.check(t, e)
		})
	}
}

func TestPOSTStatuses(t *testing.T) {
	admin := func(kv ...string) map[string]string {
		return hdr(append([]string{"Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", typeJSON}, kv...)...)
	}
	unpublish := `{"ActionName": "discussion.action.unpublish"}`
	tests := []exchange{
		{name: "no cookie", header: hdr(csrfHeader, "akana-admin", "Content-Type", typeJSON), body: unpublish,
			wantStatus: 401, wantType: typeJSON, golden: "error-401-login.json"},
		{name: "no CSRF header", header: hdr("Cookie", adminAuth, "Content-Type", typeJSON), body: unpublish,
			wantStatus: 401, wantType: typeJSON, golden: "error-401-csrf.json"},
		{name: "wrong CSRF token", header: admin(csrfHeader, "TokenID%3D8ed70a13"), body: unpublish,
			wantStatus: 401, wantType: typeJSON, golden: "error-401-csrf.json"},
		{name: "another session's CSRF token", header: admin(csrfHeader, "akana-viewer"), body: unpublish,
			wantStatus: 401, wantType: typeJSON, golden: "error-401-csrf.json"},
		{name: "CSRF error in XML", header: hdr("Cookie", adminAuth, "Content-Type", typeXML),
			body:       "<Action><ActionName>discussion.action.unpublish</ActionName></Action>",
			wantStatus: 401, wantType: typeXML, golden: "error-401-csrf.xml"},
		{name: "viewer not allowed", header: hdr("Cookie", viewerAuth, csrfHeader, "akana-viewer", "Content-Type", typeJSON), body: unpublish,
			wantStatus: 403, wantType: typeJSON, golden: "error-403-post.json"},
		{name: "refused by Authenticate", header: hdr("Cookie", bannedAuth, csrfHeader, "akana-banned"), body: unpublish,
			wantStatus: 403, wantType: typeJSON, golden: "error-403-get.json"},
		{name: "unknown object", target: actionsURL("discussion1.acmepaymentscorp"), header: admin(), body: unpublish,
			wantStatus: 404, wantType: typeJSON, golden: "error-404-post.json"},
		{name: "unknown action", header: admin(), body: `{"ActionName": "discussion.action.delete"}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-unknown-action.json"},
		{name: "action of another workflow", header: admin(), body: `{"ActionName": "apiversion.action.approve"}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-other-workflow.json"},
		{name: "action not valid in the state", header: admin(), body: `{"ActionName": "discussion.action.publish"}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-invalid-state.json"},
		{name: "not valid, error in XML", header: admin("Content-Type", "application/vnd.soa.v72+xml"),
			body:       "<Action><ActionName>discussion.action.publish</ActionName></Action>",
			wantStatus: 400, wantType: "application/vnd.soa.v72+xml", golden: "error-400-invalid-state.xml"},
		{name: "malformed JSON", header: admin(), body: `{"ActionName": `,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-malformed-json.json"},
		{name: "empty body", header: admin(), body: "",
			wantStatus: 400, wantType: typeJSON, golden: "error-400-empty.json"},
		{name: "unknown field", header: admin(), body: `{"ActionName": "discussion.action.unpublish", "Comment": "x"}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-unknown-field.json"},
		{name: "missing ActionName", header: admin(), body: `{"Comments": "x"}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-no-action-name.json"},
		{name: "Comments of the wrong type", header: admin(), body: `{"ActionName": "discussion.action.unpublish", "Comments": 42}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-comments-type.json"},
		{name: "trailing data", header: admin(), body: unpublish + ` {}`,
			wantStatus: 400, wantType: typeJSON, golden: "error-400-trailing.json"},
		{name: "malformed XML", header: admin("Content-Type", typeXML), body: "<Action><ActionName>x</Action>",
			wantStatus: 400, wantType: typeXML, golden: "error-400-malformed-xml.xml"},
		{name: "unknown XML element", header: admin("Content-Type", typeXML),
			body:       "<Action><ActionName>discussion.action.unpublish</ActionName><Comment>x</Comment></Action>",
			wantStatus: 400, wantType: typeXML, golden: "error-400-unknown-element.xml"},
		{name: "unsupported Content-Type", header: admin("Content-Type", "text/plain"), body: unpublish,
			wantStatus: 415, wantType: typeJSON, golden: "error-415.json"},
		{name: "Accept without text/plain", header: admin("Accept", typeJSON), body: unpublish,
			wantStatus: 406, wantType: typeJSON, golden: "error-406-post.json"},
		{name: "body too large", header: admin(), body: `{"ActionName": "discussion.action.unpublish", "Comments": "` + strings.Repeat("x", 70<<10) + `"}`,
			wantStatus: 413, wantType: typeJSON, golden: "error-413.json"},
		{name: "Accept names XML for errors", header: admin("Accept", "text/plain, application/xml"), body: `{"ActionName": "nope"}`,
			wantStatus: 400, wantType: typeXML, golden: "error-400-nope.xml"},
	}
	for _, e := range tests {
		t.Run(e.name, func(t *testing.T) {
			f := newFixture(t, fixtureConfig{})
			e.method = "POST"
			if e.target == "" {
				e.target = actionsURL(discussion11018)
				e.stateOf, e.wantState = discussion11018, "Published" // a refused POST changes nothing
			}
			f.check(t, e)
			if recs, _ := f.store.Executions(context.Background(), actions.Filter{}); len(recs) != 0 {
				t.Errorf("refused POST recorded executions: %+v", recs)
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	unpublish := `{"ActionName": "discussion.action.unpublish"}`
	tests := []struct {
		name      string
		cfg       akana.Config
		header    map[string]string
		want      int
		wantState string
	}{
		{"on by default, header of the ObjectID's tenant", akana.Config{},
			hdr(csrfHeader, "akana-admin"), 200, "Pending"},
		{"on by default, no header", akana.Config{}, hdr(), 401, "Published"},
		{"off, no header", akana.Config{DisableCSRF: true}, hdr(), 200, "Pending"},
		{"off, wrong header ignored", akana.Config{DisableCSRF: true}, hdr(csrfHeader, "wrong"), 200, "Pending"},
		{"FedMember names the header", akana.Config{FedMember: "otherfed"},
			hdr("X-Csrf-Token_otherfed", "akana-admin"), 200, "Pending"},
		{"FedMember: the tenant's header does not count", akana.Config{FedMember: "otherfed"},
			hdr(csrfHeader, "akana-admin"), 401, "Published"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureConfig{cfg: tt.cfg})
			h := hdr("Cookie", adminAuth, "Content-Type", typeJSON)
			for k, v := range tt.header {
				h[k] = v
			}
			res := f.do(t, "POST", actionsURL(discussion11018), h, unpublish)
			if res.StatusCode != tt.want {
				b, _ := io.ReadAll(res.Body)
				t.Errorf("status = %d, want %d: %s", res.StatusCode, tt.want, b)
			}
			if got := f.state(t, discussion11018); got != tt.wantState {
				t.Errorf("state = %q, want %q", got, tt.wantState)
			}
			// GET never needs the header.
			if res := f.do(t, "GET", actionsURL(discussion11018), hdr("Cookie", adminAuth), ""); res.StatusCode != 200 {
				t.Errorf("GET status = %d, want 200", res.StatusCode)
			}
		})
	}
}

func TestPOSTBodies(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantComment string
	}{
		{"JSON, Comments a string", typeJSON, `{"ActionName": "discussion.action.unpublish", "Comments": "Unpublishing while I edit."}`, "Unpublishing while I edit."},
		{"JSON, Comments an array", typeJSON, `{"ActionName": "discussion.action.unpublish", "Comments": ["one", "two"]}`, "one\ntwo"},
		{"JSON, Comments null", typeJSON, `{"ActionName": "discussion.action.unpublish", "Comments": null}`, ""},
		{"JSON, UserID ignored", typeJSON, `{"UserID": "someone-else", "ActionName": "discussion.action.unpublish"}`, ""},
		{"no Content-Type is JSON", "", `{"ActionName": "discussion.action.unpublish"}`, ""},
		{"v80 JSON", "application/vnd.soa.v80+json", `{"ActionName": "discussion.action.unpublish", "Comments": "v80"}`, "v80"},
		{"XML, one comment", typeXML, `<Action><ActionName>discussion.action.unpublish</ActionName><Comments>Unpublishing while I edit.</Comments></Action>`, "Unpublishing while I edit."},
		{"XML, two comments", "application/vnd.soa.v71+xml; charset=UTF-8", `<?xml version="1.0" encoding="UTF-8"?>
<Action xmlns="http://soa.com/xsd/workflow/1.0">
  <UserID>someone</UserID>
  <ActionName>discussion.action.unpublish</ActionName>
  <Comments>one</Comments>
  <Comments>two &amp; three</Comments>
</Action>
<!-- trailing comment -->
`, "one\ntwo & three"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, fixtureConfig{})
			h := hdr("Cookie", adminAuth, csrfHeader, "akana-admin")
			if tt.contentType != "" {
				h["Content-Type"] = tt.contentType
			}
			res := f.do(t, "POST", actionsURL(discussion11018), h, tt.body)
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 || string(body) != "Pending" {
				t.Fatalf("got %d %q, want 200 \"Pending\"", res.StatusCode, body)
			}
			recs, err := f.store.Executions(context.Background(), actions.Filter{ObjectID: discussion11018})
			if err != nil || len(recs) != 1 {
				t.Fatalf("executions = %v, %v; want one", recs, err)
			}
			if diff := cmp.Diff(tt.wantComment, recs[0].Comment); diff != "" {
				t.Errorf("comment mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// brokenStore fails every Load.
type brokenStore struct{ *actions.MemoryStore[Object] }

func (brokenStore) Load(context.Context, string) (Object, int64, error) {
	return Object{}, 0, errors.New("disk on fire")
}

func broken(m *actions.MemoryStore[Object]) actions.Store[Object] { return brokenStore{m} }

func conflicting(n int) func(*actions.MemoryStore[Object]) actions.Store[Object] {
	return func(m *actions.MemoryStore[Object]) actions.Store[Object] {
		return adaptertest.NewConflictingStore(m, n)
	}
}

// TestUnexpected: a failure the client cannot act on is a 500 with the
// message Akana documents for it, and nothing of the cause.
//
// Source: seeds 002 and 004 (Akana API Platform, POST and GET
// /api/workflow/objects/{ObjectID}/actions), Error Codes/Messages: "500 An
// error occurred processing the call."
func TestUnexpected(t *testing.T) {
	failing := actions.EffectFunc[Object](func(context.Context, actions.EffectInput[Object]) error {
		return errors.New("mail server down")
	})
	withEffect := func(defs []actions.Definition) []actions.Definition {
		for i := range defs {
			defs[i].Effects = []string{"notify"}
		}
		return defs
	}
	post := hdr("Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", typeJSON)
	unpublish := `{"ActionName": "discussion.action.unpublish"}`
	tests := []struct {
		name string
		cfg  fixtureConfig
		exchange
	}{
		{"GET, store fails", fixtureConfig{store: broken},
			exchange{method: "GET", header: hdr("Cookie", adminAuth), wantStatus: 500, wantType: typeJSON, golden: "error-500.json"}},
		{"GET in XML, store fails", fixtureConfig{store: broken},
			exchange{method: "GET", header: hdr("Cookie", adminAuth, "Accept", typeXML), wantStatus: 500, wantType: typeXML, golden: "error-500.xml"}},
		{"POST, store fails", fixtureConfig{store: broken},
			exchange{method: "POST", header: post, body: unpublish, wantStatus: 500, wantType: typeJSON, golden: "error-500.json",
				stateOf: discussion11018, wantState: "Published"}},
		{"POST, effect fails after the save", fixtureConfig{edit: withEffect,
			catalog: []actions.CompileOption{actions.WithEffect("notify", actions.Effect[Object](failing))}},
			exchange{method: "POST", header: post, body: unpublish, wantStatus: 500, wantType: typeJSON, golden: "error-500-effect.json",
				stateOf: discussion11018, wantState: "Pending"}},
		{"POST, conflicts within the retries", fixtureConfig{store: conflicting(3)},
			exchange{method: "POST", header: post, body: unpublish, wantStatus: 200, wantType: typeText, golden: "post-discussion11018-unpublish.txt",
				stateOf: discussion11018, wantState: "Pending"}},
		{"POST, conflicts beyond the retries", fixtureConfig{store: conflicting(4)},
			exchange{method: "POST", header: post, body: unpublish, wantStatus: 409, wantType: typeJSON, golden: "error-409.json",
				stateOf: discussion11018, wantState: "Published"}},
		{"POST, no retries", fixtureConfig{store: conflicting(1), cfg: akana.Config{MaxRetries: -1}},
			exchange{method: "POST", header: post, body: unpublish, wantStatus: 409, wantType: typeJSON, golden: "error-409.json",
				stateOf: discussion11018, wantState: "Published"}},
		{"Authenticate refuses", fixtureConfig{cfg: akana.Config{Authenticate: func(*http.Request) (actions.Actor, error) {
			return actions.Actor{}, fmt.Errorf("session expired: %w", akana.ErrBadCredentials)
		}}}, exchange{method: "GET", header: hdr("Cookie", adminAuth), wantStatus: 401, wantType: typeJSON, golden: "error-401-login.json"}},
		{"Authenticate returns an actor without an ID", fixtureConfig{cfg: akana.Config{Authenticate: func(*http.Request) (actions.Actor, error) {
			return actions.Actor{Permissions: []string{"*"}}, nil
		}}}, exchange{method: "GET", header: hdr("Cookie", adminAuth), wantStatus: 401, wantType: typeJSON, golden: "error-401-login.json"}},
		{"Authenticate fails", fixtureConfig{cfg: akana.Config{Authenticate: func(*http.Request) (actions.Actor, error) {
			return actions.Actor{}, fmt.Errorf("directory: %w", actions.ErrNotFound) // not the object's 404
		}}}, exchange{method: "GET", header: hdr("Cookie", adminAuth), wantStatus: 500, wantType: typeJSON, golden: "error-500.json"}},
		{"CSRFToken fails", fixtureConfig{cfg: akana.Config{CSRFToken: func(*http.Request, actions.Actor) (string, error) {
			return "", errors.New("session store down")
		}}}, exchange{method: "POST", header: post, body: unpublish, wantStatus: 500, wantType: typeJSON, golden: "error-500.json",
			stateOf: discussion11018, wantState: "Published"}},
		{"CSRFToken has none", fixtureConfig{cfg: akana.Config{CSRFToken: func(*http.Request, actions.Actor) (string, error) {
			return "", nil
		}}}, exchange{method: "POST", header: post, body: unpublish, wantStatus: 401, wantType: typeJSON, golden: "error-401-csrf.json",
			stateOf: discussion11018, wantState: "Published"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg)
			tt.target = actionsURL(discussion11018)
			f.check(t, tt.exchange)
		})
	}
}

// TestEffectFailureIsNotARefusal checks that an effect failing after the
// save is answered 500 whatever its cause wraps: a cause matching a core
// sentinel must neither be retried (conflict) nor reported as a refusal
// (400, 403, 404), since the object did change.
func TestEffectFailureIsNotARefusal(t *testing.T) {
	tests := []struct {
		name  string
		cause error
	}{
		{"plain", errors.New("mail server down")},
		{"wraps ErrConflict", fmt.Errorf("crm: %w", actions.ErrConflict)},
		{"wraps ErrForbidden", fmt.Errorf("crm: %w", actions.ErrForbidden)},
		{"wraps ErrNotApplicable", fmt.Errorf("crm: %w", actions.ErrNotApplicable)},
		{"wraps an object NotFoundError", fmt.Errorf("crm: %w", &actions.NotFoundError{Kind: "object", ID: "crm-1"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failing := actions.EffectFunc[Object](func(context.Context, actions.EffectInput[Object]) error { return tt.cause })
			f := newFixture(t, fixtureConfig{
				edit: func(defs []actions.Definition) []actions.Definition {
					for i := range defs {
						defs[i].Effects = []string{"notify"}
					}
					return defs
				},
				catalog: []actions.CompileOption{actions.WithEffect("notify", actions.Effect[Object](failing))},
			})
			f.check(t, exchange{method: "POST", target: actionsURL(discussion11018),
				header: hdr("Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", typeJSON),
				body:   `{"ActionName": "discussion.action.unpublish"}`, wantStatus: 500, wantType: typeJSON,
				golden: "error-500-effect.json", stateOf: discussion11018, wantState: "Pending"})
			recs, err := f.store.Executions(context.Background(), actions.Filter{ObjectID: discussion11018})
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || recs[0].Status != actions.StatusFailed {
				t.Errorf("executions = %+v, want one failed execution", recs)
			}
		})
	}
}

func TestNilAuthenticateRefuses(t *testing.T) {
	wf, err := akana.NewWorkflows(akana.Fields{}, testWorkflows)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(actions.MustCompile[Object](wf.Definitions()), actions.NewMemoryStore[Object]())
	if err != nil {
		t.Fatal(err)
	}
	h, err := akana.New(engine, wf, akana.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{h: h}
	f.check(t, exchange{method: "GET", target: actionsURL(discussion10121), header: hdr("Cookie", adminAuth),
		wantStatus: 401, wantType: typeJSON, golden: "error-401-required.json"})
}

func TestNewErrors(t *testing.T) {
	wf, err := akana.NewWorkflows(akana.Fields{}, testWorkflows)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(actions.MustCompile[Object](wf.Definitions()), actions.NewMemoryStore[Object]())
	if err != nil {
		t.Fatal(err)
	}
	partial, err := actions.New(actions.MustCompile[Object](wf.Definitions()[:3]), actions.NewMemoryStore[Object]())
	if err != nil {
		t.Fatal(err)
	}
	other, err := akana.NewWorkflows(akana.Fields{Key: "Name", State: "Missing"}, testWorkflows)
	if err != nil {
		t.Fatal(err)
	}
	typed, err := akana.NewWorkflows(akana.Fields{Key: "Name", State: "Count"}, testWorkflows)
	if err != nil {
		t.Fatal(err)
	}
	type counted struct {
		Name  string
		Count int
	}
	countEngine, err := actions.New(actions.MustCompile[counted](nil), actions.NewMemoryStore[counted]())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		new  func() error
		want string
	}{
		{"nil engine", func() error { _, err := akana.New[Object](nil, wf, akana.Config{}); return err },
			"akana: New needs an engine and workflows"},
		{"nil workflows", func() error { _, err := akana.New(engine, nil, akana.Config{}); return err },
			"akana: New needs an engine and workflows"},
		{"negative body limit", func() error { _, err := akana.New(engine, wf, akana.Config{MaxBodyBytes: -1}); return err },
			"akana: MaxBodyBytes must not be negative, got -1"},
		{"missing field", func() error { _, err := akana.New(engine, other, akana.Config{}); return err },
			"akana: object type akana_test.Object has no exported field Missing"},
		{"field not a string", func() error { _, err := akana.New(countEngine, typed, akana.Config{}); return err },
			"akana: field Count of akana_test.counted is int, not a string"},
		{"catalog lacks actions", func() error { _, err := akana.New(partial, wf, akana.Config{}); return err },
			"akana: the engine's catalog lacks action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.new()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v, want one starting with %q", err, tt.want)
			}
		})
	}
}

// TestRoutes checks what the handler does not serve: an unmatched path or
// method is answered in the API's error shape ({"code", "message"}, or the
// XML <error> the client asked for), as every other error of the Akana API
// Platform's workflow pages is, not in net/http's plain text.
func TestRoutes(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	tests := []struct {
		exchange
		allow string
	}{
		{exchange: exchange{name: "PUT", method: "PUT", target: actionsURL(discussion10121),
			wantStatus: http.StatusMethodNotAllowed, wantType: typeJSON, golden: "error-405-put.json"}, allow: "GET, HEAD, POST"},
		{exchange: exchange{name: "DELETE in XML", method: "DELETE", target: actionsURL(discussion10121), header: hdr("Accept", typeXML),
			wantStatus: http.StatusMethodNotAllowed, wantType: typeXML, golden: "error-405-delete.xml"}, allow: "GET, HEAD, POST"},
		{exchange: exchange{name: "other path", method: "GET", target: "/api/workflow/objects/" + discussion10121,
			wantStatus: http.StatusNotFound, wantType: typeJSON, golden: "error-404-path.json"}},
		{exchange: exchange{name: "other path in XML", method: "POST", target: "/api/workflow/other", header: hdr("Accept", "application/vnd.soa.v81+xml"),
			wantStatus: http.StatusNotFound, wantType: "application/vnd.soa.v81+xml", golden: "error-404-path.xml"}},
		{exchange: exchange{name: "HEAD is GET", method: "HEAD", target: actionsURL(discussion10121),
			wantStatus: http.StatusUnauthorized, wantType: typeJSON, golden: "empty.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.check(t, tt.exchange)
			res := f.do(t, tt.method, tt.target, tt.header, "")
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

// TestListHeaders checks the headers of GET .../actions, answered or
// refused, in JSON and XML: Vary (but for a 406), the type and the length.
func TestListHeaders(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	for _, tc := range []struct {
		name, id, accept string
		wantStatus       int
		wantVary         bool
	}{
		{"JSON", discussion10121, typeJSON, 200, true},
		{"XML", discussion10121, typeXML, 200, true},
		{"vendor JSON", discussion10121, "application/vnd.soa.v81+json", 200, true},
		{"unknown object", "discussion1.acmepaymentscorp", typeJSON, 404, true},
		{"not acceptable", discussion10121, "text/html", 406, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, actionsURL(tc.id), nil)
			r.Header.Set("Cookie", adminAuth)
			r.Header.Set("Accept", tc.accept)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			wantType := tc.accept
			if tc.wantStatus == http.StatusNotAcceptable {
				wantType = typeJSON
			}
			want := http.Header{
				"Content-Type":   {wantType},
				"Content-Length": {strconv.Itoa(w.Body.Len())},
			}
			if tc.wantVary {
				want["Vary"] = []string{"Accept"}
			}
			if diff := cmp.Diff(want, w.Header()); diff != "" {
				t.Errorf("headers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
