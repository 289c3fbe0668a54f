package workfront_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/adaptertest"
	"github.com/actionable-go/actionable/adapters/workfront"
	"github.com/google/go-cmp/cmp"
)

// Doc is the document type of the tests.
type Doc struct {
	Title      string `json:"title"`
	VersionID  string `json:"versionId"`
	Status     string `json:"status"`
	Pages      int    `json:"pages" validate:"gte=0,lte=100"`
	ArchivedBy string `json:"archivedBy"`
}

// The seed's example document and version.
const (
	seedDoc     = "5502082c003a4f30ddec2fb2b739cb7c"
	seedVersion = "54b598a700e2342d6971597a5df1a8d3"
	seedQuery   = "name=archive&documentId=" + seedDoc + "&documentVersionId=" + seedVersion
)

var testDefs = []actions.Definition{
	{
		ID: "archive", Name: "Archive", Position: 1, Permission: "edit",
		Workflow: &actions.Workflow{Field: "status", From: []string{"active"}, To: "archived"},
		Changes:  []actions.Change{{Field: "archivedBy", Expr: "Actor.ID"}},
	},
	{
		ID: "double", Name: "Double pages", Position: 2, Permission: "edit",
		Changes: []actions.Change{{Field: "pages", Expr: "Pages * 2"}},
	},
	{ID: "notify", Name: "Notify watchers", Position: 3, Effects: []string{"notify"}},
	{ID: "approve", Name: "Approve", Position: 4, Permission: "approve"},
	{
		ID: "purge", Name: "Purge", Position: 5, Reserved: true, Permission: "edit",
		Changes: []actions.Change{{Field: "title", Expr: `""`}},
	},
}

var testDocs = map[string]Doc{
	seedDoc:        {Title: "Contract", VersionID: seedVersion, Status: "active", Pages: 10},
	"doc-archived": {Title: "Old memo", VersionID: "v-old", Status: "archived", Pages: 2, ArchivedBy: "jane@foo.com"},
	"doc-big":      {Title: "Handbook", VersionID: "v-big", Status: "active", Pages: 80},
}

var errNotifyDown = errors.New("mail server down")

func testCatalog(t testing.TB) *actions.Catalog[Doc] {
	t.Helper()
	cat, err := actions.Compile[Doc](testDefs, actions.WithEffect[Doc]("notify", actions.EffectFunc[Doc](
		func(context.Context, actions.EffectInput[Doc]) error { return errNotifyDown })))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// newEngine returns an engine over store, filled with testDocs.
// testStore is a store the tests can fill.
type testStore interface {
	actions.Store[Doc]
	actions.Creator[Doc]
}

func newEngine(t testing.TB, store testStore) *actions.Engine[Doc] {
	t.Helper()
	for id, d := range testDocs {
		if _, err := store.Create(context.Background(), id, d); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	engine, err := actions.New(testCatalog(t), store, actions.WithExecutionIDs(func() string { n++; return fmt.Sprintf("exec-%d", n) }))
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

// authenticate knows one API key for one user, and one bearer token.
func authenticate(r *http.Request) (actions.Actor, error) {
	c, err := workfront.ReadCredentials(r)
	if err != nil {
		return actions.Actor{}, err
	}
	john := actions.Actor{ID: "johndoe@foo.com", Name: "John Doe", Permissions: []string{"edit"}}
	switch {
	case c.Token == "wf-token":
		return john, nil
	case c.Token != "":
		return actions.Actor{}, fmt.Errorf("unknown token: %w", workfront.ErrBadCredentials)
	case c.APIKey == "wf-key" && c.Username == "johndoe@foo.com":
		return john, nil
	}
	return actions.Actor{}, fmt.Errorf("unknown key or user: %w", workfront.ErrBadCredentials)
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newHandler(t testing.TB, engine *actions.Engine[Doc], cfg workfront.Config[Doc]) http.Handler {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = discard()
	}
	h, err := workfront.New(engine, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var apiKey = http.Header{"Apikey": {"wf-key"}, "Username": {"johndoe@foo.com"}}

func serve(h http.Handler, method, target string, hdr http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	adaptertest.Golden(t, filepath.Join("testdata", name), got)
}

// TestSeedExample is the request of Workfront's /customAction page, under
// the /webhooks prefix it shows.
func TestSeedExample(t *testing.T) {
	engine := newEngine(t, actions.NewMemoryStore[Doc]())
	mux := http.NewServeMux()
	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate})))

	w := serve(mux, "GET", "https://sample.com/webhooks/customAction?"+seedQuery, apiKey)

	if w.Code != http.StatusOK {
		t.Errorf("status = %d, want 200", w.Code)
	}
	if diff := cmp.Diff(`{"status":"success"}`, w.Body.String()); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("application/json; charset=utf-8", w.Header().Get("Content-Type")); diff != "" {
		t.Errorf("Content-Type mismatch (-want +got):\n%s", diff)
	}
	got, version, err := engine.Load(context.Background(), seedDoc)
	if err != nil {
		t.Fatal(err)
	}
	want := testDocs[seedDoc]
	want.Status, want.ArchivedBy = "archived", "johndoe@foo.com"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("document mismatch (-want +got):\n%s", diff)
	}
	if version != 2 {
		t.Errorf("version = %d, want 2", version)
	}
}

func TestCustomAction(t *testing.T) {
	bearer := func(v string) http.Header { return http.Header{"Authorization": {v}} }
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int
	}{
		{"seed example", seedQuery, apiKey, 200},
		{"bearer token", seedQuery, bearer("Bearer wf-token"), 200},
		{"bearer scheme in lower case", seedQuery, bearer("bearer wf-token"), 200},
		{"extra parameters ignored", seedQuery + "&tenant=acme&apiKey=other", apiKey, 200},
		{"reserved action by name", "name=purge&documentId=doc-big&documentVersionId=v-big", apiKey, 200},
		{"no credentials", seedQuery, nil, 403},
		{"wrong api key", seedQuery, http.Header{"Apikey": {"nope"}, "Username": {"johndoe@foo.com"}}, 403},
		{"unknown user", seedQuery, http.Header{"Apikey": {"wf-key"}, "Username": {"eve@foo.com"}}, 403},
		{"api key without username", seedQuery, http.Header{"Apikey": {"wf-key"}}, 403},
		{"wrong bearer token", seedQuery, bearer("Bearer stolen"), 403},
		{"basic authorization", seedQuery, bearer("Basic d2Yta2V5Og=="), 403},
		{"credentials in the query string", seedQuery + "&apiKey=wf-key&username=johndoe%40foo.com&access_token=wf-token", nil, 403},
		{"missing name", "documentId=" + seedDoc + "&documentVersionId=" + seedVersion, apiKey, 400},
		{"empty name", "name=&documentId=" + seedDoc + "&documentVersionId=" + seedVersion, apiKey, 400},
		{"missing documentId", "name=archive&documentVersionId=" + seedVersion, apiKey, 400},
		{"missing documentVersionId", "name=archive&documentId=" + seedDoc, apiKey, 400},
		{"no parameters", "", apiKey, 400},
		{"repeated name", seedQuery + "&name=double", apiKey, 400},
		{"malformed query", seedQuery + "&x=%zz", apiKey, 400},
		{"unknown action", "name=shred&documentId=" + seedDoc + "&documentVersionId=" + seedVersion, apiKey, 404},
		{"unknown document", "name=archive&documentId=nope&documentVersionId=" + seedVersion, apiKey, 404},
		{"not applicable", "name=archive&documentId=doc-archived&documentVersionId=v-old", apiKey, 200},
		{"validation failed", "name=double&documentId=doc-big&documentVersionId=v-big", apiKey, 200},
		{"effect failed", "name=notify&documentId=" + seedDoc + "&documentVersionId=" + seedVersion, apiKey, 200},
		{"permission missing", "name=approve&documentId=" + seedDoc + "&documentVersionId=" + seedVersion, apiKey, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, newEngine(t, actions.NewMemoryStore[Doc]()), workfront.Config[Doc]{Authenticate: authenticate})

			w := serve(h, "GET", "/customAction?"+tt.query, tt.header)

			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			golden(t, filepath.Join("customAction", strings.ReplaceAll(tt.name, " ", "_")+".json"), w.Body.Bytes())
		})
	}
}

// TestFailedActionLeavesDocumentUnchanged checks every failure that happens
// before the save: the document, its version and the journal stay as they
// were.
func TestFailedActionLeavesDocumentUnchanged(t *testing.T) {
	tests := []struct {
		name   string
		action string
		doc    string
		header http.Header
		status int
	}{
		{"not applicable", "archive", "doc-archived", apiKey, 200},
		{"validation failed", "double", "doc-big", apiKey, 200},
		{"permission missing", "approve", "doc-big", apiKey, 403},
		{"unknown action", "shred", "doc-big", apiKey, 404},
		{"not authenticated", "archive", "doc-big", nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := actions.NewMemoryStore[Doc]()
			engine := newEngine(t, store)
			h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate})
			before, beforeVersion, err := engine.Load(ctx, tt.doc)
			if err != nil {
				t.Fatal(err)
			}

			w := serve(h, "GET", "/customAction?name="+tt.action+"&documentId="+tt.doc+"&documentVersionId=v", tt.header)

			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			var body struct{ Status, Error string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Status != "error" || body.Error == "" {
				t.Errorf("body = %s (%v), want the error shape", w.Body, err)
			}
			after, afterVersion, err := engine.Load(ctx, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("document changed (-before +after):\n%s", diff)
			}
			if afterVersion != beforeVersion {
				t.Errorf("version = %d, want %d", afterVersion, beforeVersion)
			}
			if recs, _ := engine.Executions(ctx, actions.Filter{}); len(recs) != 0 {
				t.Errorf("executions = %+v, want none", recs)
			}
		})
	}
}

// TestEffectFailed: an effect runs after the save, so the change stays and
// the execution says the effect failed.
func TestEffectFailed(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	engine := newEngine(t, actions.NewMemoryStore[Doc]())
	h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	w := serve(h, "GET", "/customAction?name=notify&documentId="+seedDoc+"&documentVersionId="+seedVersion, apiKey)

	want := `{"status":"error","error":"Notify watchers was applied, but its follow-up step \"notify\" failed."}`
	if diff := cmp.Diff(want, w.Body.String()); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
	recs, err := engine.Executions(ctx, actions.Filter{ObjectID: seedDoc})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Status != actions.StatusFailed || recs[0].Detail != errNotifyDown.Error() {
		t.Errorf("executions = %+v, want one failed with %q", recs, errNotifyDown)
	}
	if !strings.Contains(logs.String(), "mail server down") {
		t.Errorf("log = %q, want the effect's error", logs.String())
	}
}

func TestServiceInfo(t *testing.T) {
	engine := newEngine(t, actions.NewMemoryStore[Doc]())
	h := newHandler(t, engine, workfront.Config[Doc]{})

	w := serve(h, "GET", "/serviceInfo", nil) // no credentials needed

	if w.Code != http.StatusOK {
		t.Errorf("status = %d, want 200", w.Code)
	}
	golden(t, "serviceInfo.json", w.Body.Bytes())
	want := map[string]any{
		"webhookVersion":     "1.2",
		"version":            "1.0",
		"publisher":          "actionable",
		"availableEndpoints": []any{"serviceInfo", "customAction"},
		"customActions": []any{
			map[string]any{"name": "archive", "displayName": "Archive"},
			map[string]any{"name": "double", "displayName": "Double pages"},
			map[string]any{"name": "notify", "displayName": "Notify watchers"},
			map[string]any{"name": "approve", "displayName": "Approve"},
		},
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("serviceInfo mismatch (-want +got):\n%s", diff)
	}
}

func TestServiceInfoOptions(t *testing.T) {
	engine := newEngine(t, actions.NewMemoryStore[Doc]())
	h := newHandler(t, engine, workfront.Config[Doc]{
		WebhookVersion:  "1.1",
		Version:         "2.3",
		Publisher:       "Acme, LLC",
		Endpoints:       []string{"files", "metadata", "customAction", "files", ""},
		IncludeReserved: true,
	})

	w := serve(h, "GET", "/serviceInfo", nil)

	golden(t, "serviceInfo_options.json", w.Body.Bytes())
}

// TestServiceInfoCurrentCatalog: /serviceInfo and /customAction follow a
// catalog installed with Swap.
func TestServiceInfoCurrentCatalog(t *testing.T) {
	engine := newEngine(t, actions.NewMemoryStore[Doc]())
	h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate})
	next, err := actions.Compile[Doc]([]actions.Definition{
		{ID: "shred", Name: "Shred", Position: 2, Changes: []actions.Change{{Field: "pages", Expr: "0"}}},
		{ID: "archive", Name: "Archive now", Position: 1, Workflow: &actions.Workflow{Field: "status", From: []string{"active"}, To: "archived"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Swap(next); err != nil {
		t.Fatal(err)
	}

	w := serve(h, "GET", "/serviceInfo", nil)

	want := `{"webhookVersion":"1.2","version":"1.0","publisher":"actionable","availableEndpoints":["serviceInfo","customAction"],` +
		`"customActions":[{"name":"archive","displayName":"Archive now"},{"name":"shred","displayName":"Shred"}]}`
	if diff := cmp.Diff(want, w.Body.String()); diff != "" {
		t.Errorf("serviceInfo mismatch (-want +got):\n%s", diff)
	}
	for action, want := range map[string]int{"shred": 200, "double": 404} {
		if w := serve(h, "GET", "/customAction?name="+action+"&documentId=doc-big&documentVersionId=v", apiKey); w.Code != want {
			t.Errorf("%s: status = %d, want %d: %s", action, w.Code, want, w.Body)
		}
	}
}

func TestDocumentVersion(t *testing.T) {
	tests := []struct {
		name    string
		version string
		status  int
		body    string
	}{
		{"current version", seedVersion, 200, `{"status":"success"}`},
		{"other version", "0123456789abcdef0123456789abcdef", 404,
			`{"status":"error","error":"Version 0123456789abcdef0123456789abcdef is not the current version of this document; custom actions run on the current version only."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			engine := newEngine(t, actions.NewMemoryStore[Doc]())
			h := newHandler(t, engine, workfront.Config[Doc]{
				Authenticate:    authenticate,
				DocumentVersion: func(d Doc) string { return d.VersionID },
			})

			w := serve(h, "GET", "/customAction?name=archive&documentId="+seedDoc+"&documentVersionId="+tt.version, apiKey)

			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if diff := cmp.Diff(tt.body, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObjectID(t *testing.T) {
	errDB := errors.New("database down")
	objectID := func(_ context.Context, docID, versionID string) (string, error) {
		switch docID {
		case "WF-1":
			return "doc-big", nil
		case "WF-DB":
			return "", errDB
		}
		return "", fmt.Errorf("document %s: %w", docID, actions.ErrNotFound)
	}
	tests := []struct {
		name   string
		doc    string
		status int
		body   string
	}{
		{"mapped", "WF-1", 200, `{"status":"success"}`},
		{"not mapped", "WF-2", 404, `{"status":"error","error":"The document was not found."}`},
		{"mapping failed", "WF-DB", 500, `{"status":"error","error":"Internal error."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			engine := newEngine(t, actions.NewMemoryStore[Doc]())
			h := newHandler(t, engine, workfront.Config[Doc]{
				Authenticate: authenticate, ObjectID: objectID, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})

			w := serve(h, "GET", "/customAction?name=archive&documentId="+tt.doc+"&documentVersionId=v1", apiKey)

			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if diff := cmp.Diff(tt.body, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			if logged := strings.Contains(logs.String(), errDB.Error()); logged != (tt.status == 500) {
				t.Errorf("log = %q: logged the cause = %v, want %v", logs.String(), logged, tt.status == 500)
			}
		})
	}
}

// racyStore lets a concurrent writer change the document before each of the
// first races saves, as another request would.
type racyStore struct {
	*actions.MemoryStore[Doc]
	races int
}

func (s *racyStore) Save(ctx context.Context, id string, obj Doc, expected int64, rec *actions.Execution) (int64, error) {
	if s.races > 0 {
		s.races--
		cur, v, err := s.MemoryStore.Load(ctx, id)
		if err != nil {
			return 0, err
		}
		cur.Pages++
		if _, err := s.MemoryStore.Save(ctx, id, cur, v, nil); err != nil {
			return 0, err
		}
	}
	return s.MemoryStore.Save(ctx, id, obj, expected, rec)
}

func TestConflictRetries(t *testing.T) {
	tests := []struct {
		name    string
		retries int
		races   int
		body    string
		want    Doc
	}{
		{"retried until it succeeds", 0, 3, `{"status":"success"}`,
			Doc{Title: "Handbook", VersionID: "v-big", Status: "archived", Pages: 83, ArchivedBy: "johndoe@foo.com"}},
		{"retries exhausted", 0, 4, `{"status":"error","error":"Archive was not applied: the document kept changing while it ran. Please try again."}`,
			Doc{Title: "Handbook", VersionID: "v-big", Status: "active", Pages: 84}},
		{"more retries", 5, 5, `{"status":"success"}`,
			Doc{Title: "Handbook", VersionID: "v-big", Status: "archived", Pages: 85, ArchivedBy: "johndoe@foo.com"}},
		{"no retries", -1, 1, `{"status":"error","error":"Archive was not applied: the document kept changing while it ran. Please try again."}`,
			Doc{Title: "Handbook", VersionID: "v-big", Status: "active", Pages: 81}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &racyStore{MemoryStore: actions.NewMemoryStore[Doc]()}
			engine := newEngine(t, store)
			store.races = tt.races
			h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate, MaxRetries: tt.retries})

			w := serve(h, "GET", "/customAction?name=archive&documentId=doc-big&documentVersionId=v-big", apiKey)

			if w.Code != http.StatusOK {
				t.Errorf("status = %d, want 200", w.Code)
			}
			if diff := cmp.Diff(tt.body, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			got, _, err := engine.Load(context.Background(), "doc-big")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("document mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConflictRechecksVersion: a retry checks the reloaded document again.
func TestConflictRechecksVersion(t *testing.T) {
	store := &racyStore{MemoryStore: actions.NewMemoryStore[Doc]()}
	engine := newEngine(t, store)
	store.races = 1
	versionOf := func(d Doc) string { return fmt.Sprintf("%s-%d", d.VersionID, d.Pages) } // the racer adds a page
	h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate, DocumentVersion: versionOf})

	w := serve(h, "GET", "/customAction?name=archive&documentId=doc-big&documentVersionId=v-big-80", apiKey)

	if w.Code != http.StatusNotFound {
		t.Errorf("status = %d, want 404: %s", w.Code, w.Body)
	}
}

func TestAuthentication(t *testing.T) {
	allow := func(workfront.Credentials) (actions.Actor, error) {
		return actions.Actor{ID: "someone", Permissions: []string{"*"}}, nil
	}
	anonymous := func(workfront.Credentials) (actions.Actor, error) {
		return actions.Actor{Permissions: []string{"*"}}, nil
	}
	tests := []struct {
		name   string
		auth   func(workfront.Credentials) (actions.Actor, error)
		header http.Header
		status int
		want   workfront.Credentials // what ReadCredentials read
	}{
		{"no Authenticate denies", nil, apiKey, 403, workfront.Credentials{}},
		{"no credentials are refused", allow, nil, 403, workfront.Credentials{}},
		{"actor without id denies", anonymous, apiKey, 403, workfront.Credentials{APIKey: "wf-key", Username: "johndoe@foo.com"}},
		{"every header is passed", allow, http.Header{"Apikey": {"k"}, "Username": {"u"}, "Authorization": {"Bearer  t "}}, 200,
			workfront.Credentials{APIKey: "k", Username: "u", Token: "t"}},
		{"other schemes are not read", allow, http.Header{"Username": {"u"}, "Authorization": {"Token t"}}, 200,
			workfront.Credentials{Username: "u"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got workfront.Credentials
			cfg := workfront.Config[Doc]{}
			if tt.auth != nil {
				cfg.Authenticate = func(r *http.Request) (actions.Actor, error) {
					c, err := workfront.ReadCredentials(r)
					if err != nil {
						return actions.Actor{}, err
					}
					got = c
					return tt.auth(c)
				}
			}
			h := newHandler(t, newEngine(t, actions.NewMemoryStore[Doc]()), cfg)

			w := serve(h, "GET", "/customAction?"+seedQuery, tt.header)

			if w.Code != tt.status {
				t.Errorf("status = %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("credentials mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuthenticateRefusals: the refusals every adapter's Authenticate may
// return, as the Document Webhooks API answers them (its error-handling
// section: 403 for missing or invalid credentials or no access, 500 for
// anything else).
func TestAuthenticateRefusals(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"no credentials", workfront.ErrNoCredentials, 403, `{"status":"error","error":"Invalid or missing credentials."}`},
		{"bad credentials", fmt.Errorf("token expired: %w", workfront.ErrBadCredentials), 403,
			`{"status":"error","error":"Invalid or missing credentials."}`},
		{"forbidden", fmt.Errorf("account locked: %w", actions.ErrForbidden), 403,
			`{"status":"error","error":"You are not allowed to run custom actions."}`},
		{"fails", errors.New("directory down"), 500, `{"status":"error","error":"Internal error."}`},
		{"fails with not found", fmt.Errorf("directory: %w", actions.ErrNotFound), 500, `{"status":"error","error":"Internal error."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, newEngine(t, actions.NewMemoryStore[Doc]()), workfront.Config[Doc]{
				Authenticate: func(*http.Request) (actions.Actor, error) { return actions.Actor{}, tt.err },
			})

			w := serve(h, "GET", "/customAction?"+seedQuery, apiKey)

			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if diff := cmp.Diff(tt.body, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	engine := newEngine(t, actions.NewMemoryStore[Doc]())
	h := newHandler(t, engine, workfront.Config[Doc]{
		Authenticate: authenticate,
		ErrorMessage: func(a *actions.Action, err error) string {
			if a.ID() == "archive" && errors.Is(err, actions.ErrNotApplicable) {
				return "Dokumentet är redan arkiverat."
			}
			return ""
		},
	})
	tests := []struct{ name, query, body string }{
		{"reworded", "name=archive&documentId=doc-archived&documentVersionId=v",
			`{"status":"error","error":"Dokumentet är redan arkiverat."}`},
		{"default kept", "name=double&documentId=doc-big&documentVersionId=v",
			`{"status":"error","error":"Double pages was not applied: pages must be at most 100."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, "GET", "/customAction?"+tt.query, apiKey)
			if diff := cmp.Diff(tt.body, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// panickyStore panics in its first Load once armed.
type panickyStore struct {
	*actions.MemoryStore[Doc]
	armed *atomic.Bool
}

func (s panickyStore) Load(ctx context.Context, id string) (Doc, int64, error) {
	if s.armed.Swap(false) {
		panic("boom")
	}
	return s.MemoryStore.Load(ctx, id)
}

// TestHostPanic: a panic in host code (a Config function, the store) is
// answered 500, logged with its stack, and the handler goes on serving.
func TestHostPanic(t *testing.T) {
	tests := []struct {
		name      string
		configure func(c *workfront.Config[Doc], boom func())
		query     string
		again     string // the body of the same request once the hook returns
	}{
		{"Authenticate", func(c *workfront.Config[Doc], boom func()) {
			c.Authenticate = func(r *http.Request) (actions.Actor, error) { boom(); return authenticate(r) }
		}, seedQuery, `{"status":"success"}`},
		{"ObjectID", func(c *workfront.Config[Doc], boom func()) {
			c.ObjectID = func(_ context.Context, id, _ string) (string, error) { boom(); return id, nil }
		}, seedQuery, `{"status":"success"}`},
		{"DocumentVersion", func(c *workfront.Config[Doc], boom func()) {
			c.DocumentVersion = func(d Doc) string { boom(); return d.VersionID }
		}, seedQuery, `{"status":"success"}`},
		{"ErrorMessage", func(c *workfront.Config[Doc], boom func()) {
			c.ErrorMessage = func(*actions.Action, error) string { boom(); return "" }
		}, "name=archive&documentId=doc-archived&documentVersionId=v-old",
			`{"status":"error","error":"Archive cannot be run on this document: status is \"archived\", not one of [\"active\"]."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var thrown atomic.Bool // the first call panics, the next ones return
			log, lines := adaptertest.NewLogger()
			cfg := workfront.Config[Doc]{Authenticate: authenticate, Logger: log}
			tt.configure(&cfg, func() {
				if !thrown.Swap(true) {
					panic("boom")
				}
			})
			engine := newEngine(t, actions.NewMemoryStore[Doc]())
			h := newHandler(t, engine, cfg)

			w := serve(h, "GET", "/customAction?"+tt.query, apiKey)

			if w.Code != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", w.Code)
			}
			if diff := cmp.Diff(`{"status":"error","error":"Internal error."}`, w.Body.String()); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			want := `level=ERROR msg="workfront: internal error" method=GET path=/customAction error="panic: boom" stack=…` + "\n"
			if got := lines.String(); got != want {
				t.Errorf("log = %q, want %q", got, want)
			}
			if w := serve(h, "GET", "/customAction?"+tt.query, apiKey); w.Body.String() != tt.again {
				t.Errorf("the request again: %d %s, want %s", w.Code, w.Body, tt.again)
			}
		})
	}
	t.Run("the store", func(t *testing.T) {
		var armed atomic.Bool
		engine := newEngine(t, panickyStore{MemoryStore: actions.NewMemoryStore[Doc](), armed: &armed})
		log, lines := adaptertest.NewLogger()
		h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate, Logger: log})
		armed.Store(true)

		w := serve(h, "GET", "/customAction?"+seedQuery, apiKey)

		if w.Code != http.StatusInternalServerError || w.Body.String() != `{"status":"error","error":"Internal error."}` {
			t.Errorf("got %d %s, want 500 and the internal error", w.Code, w.Body)
		}
		if got := lines.String(); !strings.HasPrefix(got, `level=ERROR msg="workfront: internal error" method=GET path=/customAction error="panic: boom"`) {
			t.Errorf("log = %q, want the panic", got)
		}
	})
}

// TestEffectConflictIsNotRetried: an effect that fails after the save is
// never retried, even when its cause wraps a version conflict: retrying
// would apply the action twice.
func TestEffectConflictIsNotRetried(t *testing.T) {
	cat, err := actions.Compile[Doc]([]actions.Definition{{ID: "bump", Name: "Bump", Effects: []string{"sync"},
		Changes: []actions.Change{{Field: "pages", Expr: "Pages + 1"}}}},
		actions.WithEffect[Doc]("sync", actions.EffectFunc[Doc](func(context.Context, actions.EffectInput[Doc]) error {
			return fmt.Errorf("crm: %w", actions.ErrConflict)
		})))
	if err != nil {
		t.Fatal(err)
	}
	store := actions.NewMemoryStore[Doc]()
	if _, err := store.Create(context.Background(), "doc-big", testDocs["doc-big"]); err != nil {
		t.Fatal(err)
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, engine, workfront.Config[Doc]{Authenticate: authenticate})

	w := serve(h, "GET", "/customAction?name=bump&documentId=doc-big&documentVersionId=v-big", apiKey)

	want := `{"status":"error","error":"Bump was applied, but its follow-up step \"sync\" failed."}`
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Errorf("got %d %s, want 200 %s", w.Code, w.Body, want)
	}
	doc, _, err := engine.Load(context.Background(), "doc-big")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Pages != 81 {
		t.Errorf("pages = %d, want 81: the action ran more than once", doc.Pages)
	}
}

func TestRoutes(t *testing.T) {
	h := newHandler(t, newEngine(t, actions.NewMemoryStore[Doc]()), workfront.Config[Doc]{Authenticate: authenticate})
	tests := []struct {
		name, method, target string
		status               int
		body                 string
	}{
		{"POST customAction", "POST", "/customAction?" + seedQuery, 405, `{"status":"error","error":"Only GET is allowed here."}`},
		{"DELETE serviceInfo", "DELETE", "/serviceInfo", 405, `{"status":"error","error":"Only GET is allowed here."}`},
		{"unknown endpoint", "GET", "/customName?" + seedQuery, 404, `{"status":"error","error":"There is no such endpoint."}`},
		{"HEAD serviceInfo", "HEAD", "/serviceInfo", 200, ""},
		{"HEAD customAction does not act", "HEAD", "/customAction?" + seedQuery, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.method, tt.target, apiKey)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if tt.method != "HEAD" {
				if diff := cmp.Diff(tt.body, w.Body.String()); diff != "" {
					t.Errorf("body mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestNewWithoutEngine(t *testing.T) {
	if _, err := workfront.New[Doc](nil, workfront.Config[Doc]{}); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
}
