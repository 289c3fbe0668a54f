package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWorkfront replays the request of Workfront's /customAction page
// against the example server, then the calls of the README.
func TestWorkfront(t *testing.T) {
	h := demoHandler(t)
	const seed = "/webhooks/customAction?name=archive&documentId=5502082c003a4f30ddec2fb2b739cb7c&documentVersionId=54b598a700e2342d6971597a5df1a8d3"
	apiKey := http.Header{"Apikey": {"wf-key"}, "Username": {"johndoe@foo.com"}}
	steps := []struct {
		name   string
		target string
		header http.Header
		status int
		body   string
	}{
		{"seed example", seed, apiKey, 200, `{"status":"success"}`},
		{"archive again", seed, apiKey, 200, `{"status":"error","error":"This document is already archived."}`},
		{"restore with a bearer token",
			"/webhooks/customAction?name=restore&documentId=5502082c003a4f30ddec2fb2b739cb7c&documentVersionId=54b598a700e2342d6971597a5df1a8d3",
			http.Header{"Authorization": {"Bearer wf-token"}}, 200, `{"status":"success"}`},
		{"archive after restore", seed, apiKey, 200, `{"status":"success"}`},
		{"restore an active document",
			"/webhooks/customAction?name=restore&documentId=9a3f1c7e2b6d4e8f0a1b2c3d4e5f6a7b&documentVersionId=3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f",
			apiKey, 200, `{"status":"error","error":"This document is not archived."}`},
		{"old version",
			"/webhooks/customAction?name=archive&documentId=9a3f1c7e2b6d4e8f0a1b2c3d4e5f6a7b&documentVersionId=54b598a700e2342d6971597a5df1a8d3",
			apiKey, 404, `{"status":"error","error":"Version 54b598a700e2342d6971597a5df1a8d3 is not the current version of this document; custom actions run on the current version only."}`},
		{"no credentials", seed, nil, 403, `{"status":"error","error":"Invalid or missing credentials."}`},
		{"serviceInfo", "/webhooks/serviceInfo", nil, 200,
			`{"webhookVersion":"1.2","version":"1.0","publisher":"actionable example server","availableEndpoints":["serviceInfo","customAction"],` +
				`"customActions":[{"name":"archive","displayName":"Archive"},{"name":"restore","displayName":"Restore"}]}`},
	}
	for _, s := range steps { // in order: each step sees the ones before
		t.Run(s.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", s.target, nil)
			for k, vs := range s.header {
				r.Header[k] = vs
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != s.status {
				t.Errorf("status = %d, want %d", w.Code, s.status)
			}
			if diff := cmp.Diff(s.body, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
