package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The sample response bodies of the GET document, verbatim.
const (
	akanaSample1 = `{
  "channel" : {
    "title" : "Custom workflow for managing users",
    "WorkflowObject" : {
      "WorkflowDefinitionKey" : "manage-user-workflow",
      "State" : [ "Setup" ]
    },
    "item" : [ {
      "guid" : {
        "value" : "Change to managed users"
      }
    }, {
      "guid" : {
        "value" : "Change to unmanaged users"
      }
    } ]
  }
}`
	akanaSample2 = `{
  "channel": {
    "title": "v1",
    "WorkflowObject": {
      "WorkflowDefinitionKey": "aba30718-a086-407c-99e9-76a1f07060a2",
      "State": [
        "Draft"
      ]
    },
    "item": [
      {
        "guid": {
          "value": "apiversion.action.submit.approval"
        }
      }
    ]
  }
}`
	akanaSample3 = `{
  "channel": {
    "title": "v1",
    "WorkflowObject": {
      "WorkflowDefinitionKey": "aba30718-a086-407c-99e9-76a1f07060a2",
      "State": [
        "Pending Approval"
      ]
    },
    "item": [
      {
        "guid": {
          "value": "apiversion.action.approve"
        }
      },
      {
        "guid": {
          "value": "apiversion.action.reject"
        }
      }
    ]
  }
}`
	akanaSample4 = `{
  "channel" : {
    "title" : "v1",
    "WorkflowObject" : {
      "WorkflowDefinitionKey" : "26ff0d25-2176-4e11-82d1-5acb3078cef3",
      "State" : [ "Setup" ]
    },
    "item" : [ {
      "guid" : {
        "value" : "@Modify"
      }
    }, {
      "guid" : {
        "value" : "@Delete"
      }
    }, {
      "guid" : {
        "value" : "@KeyInfoSaved"
      }
    }, {
      "guid" : {
        "value" : "@KeyInfoRemoved"
      }
    }, {
      "guid" : {
        "value" : "@RegeneratedSecret"
      }
    }, {
      "guid" : {
        "value" : "reserved-allow-cert-upload"
      }
    }, {
      "guid" : {
        "value" : "reserved-connect-to-api.Sandbox"
      }
    }, {
      "guid" : {
        "value" : "reserved-connect-to-api.Production"
      }
    } ]
  }
}`
	// Request URL #1 has no sample response: the discussion's channel.
	akanaDiscussion10121 = `{"channel": {"title": "Discussion workflow",
  "WorkflowObject": {"WorkflowDefinitionKey": "discussion-workflow", "State": ["Published"]},
  "item": [{"guid": {"value": "discussion.action.unpublish"}}]}}`
	// The sample request body of the POST document, verbatim.
	akanaPostSample = `{
  "ActionName":"discussion.action.unpublish",
  "Comments":"Unpublishing while I edit."
}`
)

// TestAkanaDocuments runs the requests of the two Akana documents, in
// order, against the example server and its demo data.
func TestAkanaDocuments(t *testing.T) {
	h := demoHandler(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	const (
		cookie = "AtmoAuthToken_acmepaymentscorp=akana-admin"
		csrf   = "X-Csrf-Token_acmepaymentscorp"
	)
	get := map[string]string{"Accept": "application/json", "Cookie": cookie}
	post := map[string]string{"Accept": "*/*", "Content-Type": "application/json; charset=UTF-8", csrf: "akana-admin", "Cookie": cookie}
	tests := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		wantType   string
		want       string // JSON compared as a value, or text compared whole
	}{
		{"GET request URL #1", "GET", "/api/workflow/objects/discussion10121.acmepaymentscorp/actions", get, "",
			200, "application/json", akanaDiscussion10121},
		{"GET sample response #1", "GET", "/api/workflow/objects/user1.acmepaymentscorp/actions", get, "",
			200, "application/json", akanaSample1},
		{"GET sample response #2", "GET", "/api/workflow/objects/apiversion1.acmepaymentscorp/actions", get, "",
			200, "application/json", akanaSample2},
		{"POST submit for approval", "POST", "/api/workflow/objects/apiversion1.acmepaymentscorp/actions", post,
			`{"ActionName": "apiversion.action.submit.approval"}`, 200, "text/plain; charset=utf-8", "Pending Approval"},
		{"GET sample response #3", "GET", "/api/workflow/objects/apiversion1.acmepaymentscorp/actions", get, "",
			200, "application/json", akanaSample3},
		{"GET request URL #2, sample response #4", "GET",
			"/api/workflow/objects/4pg3oSwgEuGZruzwORllQY8XsYYo4KBMMqcnOjru.acmepaymentscorp/actions?IncludeReservedActions", get, "",
			200, "application/json", akanaSample4},
		{"POST sample", "POST", "/api/workflow/objects/discussion11018.acmepaymentscorp/actions", post, akanaPostSample,
			200, "text/plain; charset=utf-8", "Pending"},
		{"POST the same again is refused", "POST", "/api/workflow/objects/discussion11018.acmepaymentscorp/actions", post, akanaPostSample,
			400, "application/json", `{"code": 400, "message": "action \"discussion.action.unpublish\" is not valid for \"discussion11018.acmepaymentscorp\" in state \"Pending\""}`},
		{"POST publish back", "POST", "/api/workflow/objects/discussion11018.acmepaymentscorp/actions", post,
			`{"ActionName": "discussion.action.publish"}`, 200, "text/plain; charset=utf-8", "Published"},
		{"POST without the CSRF header", "POST", "/api/workflow/objects/discussion11018.acmepaymentscorp/actions",
			map[string]string{"Content-Type": "application/json", "Cookie": cookie}, akanaPostSample,
			401, "application/json", `{"code": 401, "message": "missing or invalid CSRF token (header X-Csrf-Token_acmepaymentscorp)"}`},
		{"POST by the viewer", "POST", "/api/workflow/objects/discussion11018.acmepaymentscorp/actions",
			map[string]string{"Content-Type": "application/json", "Cookie": "AtmoAuthToken_acmepaymentscorp=akana-viewer", csrf: "akana-viewer"}, akanaPostSample,
			403, "application/json", `{"code": 403, "message": "not allowed to perform \"discussion.action.unpublish\" on \"discussion11018.acmepaymentscorp\""}`},
		{"GET without login", "GET", "/api/workflow/objects/discussion11018.acmepaymentscorp/actions", nil, "",
			401, "application/json", `{"code": 401, "message": "missing or invalid login"}`},
		{"GET unknown object", "GET", "/api/workflow/objects/discussion1.acmepaymentscorp/actions", get, "",
			404, "application/json", `{"code": 404, "message": "object \"discussion1.acmepaymentscorp\" not found"}`},
		{"POST user workflow", "POST", "/api/workflow/objects/user1.acmepaymentscorp/actions", post,
			`{"ActionName": "Change to managed users"}`, 200, "text/plain; charset=utf-8", "Managed"},
		{"POST reserved action", "POST", "/api/workflow/objects/4pg3oSwgEuGZruzwORllQY8XsYYo4KBMMqcnOjru.acmepaymentscorp/actions", post,
			`{"ActionName": "@Modify", "Comments": ["new logo"]}`, 200, "text/plain; charset=utf-8", "Setup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header[k] = []string{v} // as written: X-Csrf-Token_… is sent verbatim
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d: %s", res.StatusCode, tt.wantStatus, body)
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if !strings.HasPrefix(tt.wantType, "application/json") {
				if diff := cmp.Diff(tt.want, string(body)); diff != "" {
					t.Errorf("body mismatch (-want +got):\n%s", diff)
				}
				return
			}
			var want, got any
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAkanaXML checks the XML rendering the server gives for a document's
// example.
func TestAkanaXML(t *testing.T) {
	h := demoHandler(t)
	req := httptest.NewRequest("GET", "/api/workflow/objects/apiversion1.acmepaymentscorp/actions", nil)
	req.Header.Set("Accept", "application/vnd.soa.v81+xml")
	req.Header.Set("Cookie", "AtmoAuthToken_acmepaymentscorp=akana-admin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	want := `<?xml version="1.0" encoding="UTF-8"?>
<rss>
  <channel>
    <title>v1</title>
    <WorkflowObject>
      <WorkflowDefinitionKey>aba30718-a086-407c-99e9-76a1f07060a2</WorkflowDefinitionKey>
      <State>Draft</State>
    </WorkflowObject>
    <item>
      <guid>apiversion.action.submit.approval</guid>
    </item>
  </channel>
</rss>
`
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/vnd.soa.v81+xml" {
		t.Errorf("got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

// TestAkanaUsersNeedTokens checks that demo users that would make logins
// ambiguous fail at start-up: an empty token would let an empty
// AtmoAuthToken_ cookie log in, a shared one would pick one user silently,
// and no fedmember leaves no cookie name.
func TestAkanaUsersNeedTokens(t *testing.T) {
	tests := []struct {
		name  string
		users string
	}{
		{"user without token", `{"fedmember": "acmepaymentscorp", "users": [{"csrfToken": "c", "id": "ghost", "permissions": ["*"]}]}`},
		{"no fedmember", `{"users": [{"token": "t", "csrfToken": "t", "id": "u"}]}`},
		{"token of two users", `{"fedmember": "acmepaymentscorp", "users": [{"token": "t", "id": "a"}, {"token": "t", "id": "b", "permissions": ["*"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir() // mountAkana reads root/akana
			dir := filepath.Join(root, "akana")
			if err := os.CopyFS(dir, os.DirFS("../../testdata/akana")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "users.json"), []byte(tt.users), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := mountAkana(context.Background(), http.NewServeMux(), root, nil); err == nil {
				t.Fatal("mountAkana accepted the users")
			}
		})
	}
}
