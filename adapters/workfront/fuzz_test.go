package workfront_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/workfront"
)

// FuzzCustomActionQuery sends arbitrary query strings, authenticated, to
// /customAction: the answer is never a panic or a 500, and always the
// success or the error shape.
func FuzzCustomActionQuery(f *testing.F) {
	for _, q := range []string{
		seedQuery,
		"",
		"name=archive",
		"name=double&documentId=doc-big&documentVersionId=v-big",
		"name=notify&documentId=" + seedDoc + "&documentVersionId=x",
		"name=archive&documentId=doc-archived&documentVersionId=v-old",
		"name=purge&name=archive&documentId=doc-big&documentVersionId=v",
		"name=%zz&documentId=doc-big",
		"name=archive;documentId=doc-big",
		"name=archive&documentId=%00&documentVersionId=%FF",
		"apiKey=wf-key&username=johndoe%40foo.com",
		"&&&==&name=&documentId=",
	} {
		f.Add(q)
	}
	engine := newEngine(f, actions.NewMemoryStore[Doc]())
	h := newHandler(f, engine, workfront.Config[Doc]{
		Authenticate:    authenticate,
		DocumentVersion: func(d Doc) string { return d.VersionID },
	})
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/customAction", nil)
		r.URL.RawQuery = query
		r.Header = apiKey.Clone()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
		default:
			t.Fatalf("query %q: status %d: %s", query, w.Code, w.Body)
		}
		var body struct {
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			t.Fatalf("query %q: body %q: %v", query, w.Body, err)
		}
		ok := body.Status == "success" && body.Error == "" && w.Code == http.StatusOK ||
			body.Status == "error" && body.Error != ""
		if !ok {
			t.Fatalf("query %q: status %d, body %s", query, w.Code, w.Body)
		}
	})
}
