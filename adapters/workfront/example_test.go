package workfront_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/workfront"
)

// Document is the host's own type.
type Document struct {
	Name      string `json:"name"`
	VersionID string `json:"versionId"`
	Status    string `json:"status"`
}

// ExampleNew mounts the handler under /webhooks, the base URL registered in
// Workfront, and runs the request of Workfront's /customAction page twice.
func ExampleNew() {
	ctx := context.Background()
	cat := actions.MustCompile[Document]([]actions.Definition{{
		ID: "archive", Name: "Archive", Permission: "archive",
		Workflow: &actions.Workflow{Field: "status", From: []string{"active"}, To: "archived"},
	}})
	store := actions.NewMemoryStore[Document]()
	_, _ = store.Create(ctx, "5502082c003a4f30ddec2fb2b739cb7c",
		Document{Name: "Contract", VersionID: "54b598a700e2342d6971597a5df1a8d3", Status: "active"})
	engine, err := actions.New(cat, store)
	if err != nil {
		panic(err)
	}

	h, err := workfront.New(engine, workfront.Config[Document]{
		Publisher: "Acme, LLC",
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			c, err := workfront.ReadCredentials(r)
			if err != nil {
				return actions.Actor{}, err // none: 403
			}
			if c.APIKey == "wf-key" && c.Username == "johndoe@foo.com" {
				return actions.Actor{ID: c.Username, Permissions: []string{"archive"}}, nil
			}
			return actions.Actor{}, workfront.ErrBadCredentials // 403
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", h))

	get := func(target string) {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("apiKey", "wf-key")
		r.Header.Set("username", "johndoe@foo.com")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body)
	}
	get("/webhooks/serviceInfo")
	seed := "/webhooks/customAction?name=archive&documentId=5502082c003a4f30ddec2fb2b739cb7c&documentVersionId=54b598a700e2342d6971597a5df1a8d3"
	get(seed)
	get(seed)
	// Output:
	// 200 {"webhookVersion":"1.2","version":"1.0","publisher":"Acme, LLC","availableEndpoints":["serviceInfo","customAction"],"customActions":[{"name":"archive","displayName":"Archive"}]}
	// 200 {"status":"success"}
	// 200 {"status":"error","error":"Archive cannot be run on this document: status is \"archived\", not one of [\"active\"]."}
}

// ExampleConfig maps Workfront's ids to the store's, runs actions on the
// current version of a document only, and words a refusal for the user.
func ExampleConfig() {
	ctx := context.Background()
	cat := actions.MustCompile[Document]([]actions.Definition{{
		ID: "archive", Name: "Archive",
		Workflow: &actions.Workflow{Field: "status", From: []string{"active"}, To: "archived"},
	}})
	store := actions.NewMemoryStore[Document]()
	_, _ = store.Create(ctx, "doc/42", Document{Name: "Memo", VersionID: "v7", Status: "archived"})
	engine, _ := actions.New(cat, store)

	h, _ := workfront.New(engine, workfront.Config[Document]{
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			if c, err := workfront.ReadCredentials(r); err != nil || c.Token != "wf-token" {
				return actions.Actor{}, workfront.ErrBadCredentials
			}
			return actions.Actor{ID: "johndoe@foo.com"}, nil
		},
		ObjectID: func(ctx context.Context, documentID, versionID string) (string, error) {
			return "doc/" + documentID, nil
		},
		DocumentVersion: func(d Document) string { return d.VersionID },
		ErrorMessage: func(a *actions.Action, err error) string {
			if errors.Is(err, actions.ErrNotApplicable) {
				return "This document is already archived."
			}
			return "" // the default message
		},
	})

	for _, version := range []string{"v6", "v7"} {
		r := httptest.NewRequest("GET", "/customAction?name=archive&documentId=42&documentVersionId="+version, nil)
		r.Header.Set("Authorization", "Bearer wf-token")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 404 {"status":"error","error":"Version v6 is not the current version of this document; custom actions run on the current version only."}
	// 200 {"status":"error","error":"This document is already archived."}
}

// ReadCredentials reads what Workfront sends, in either mode, for
// Config.Authenticate to check.
func ExampleReadCredentials() {
	for _, header := range []http.Header{
		{"Apikey": {"wf-key"}, "Username": {"johndoe@foo.com"}}, // ApiKey mode
		{"Authorization": {"Bearer wf-token"}},                  // OAuth2 mode
		{},                                                      // none
	} {
		r := httptest.NewRequest("GET", "/customAction?name=archive&documentId=1&documentVersionId=2&apiKey=ignored", nil)
		r.Header = header
		c, err := workfront.ReadCredentials(r)
		fmt.Printf("%+v %v\n", c, err)
	}
	// Output:
	// {APIKey:wf-key Username:johndoe@foo.com Token:} <nil>
	// {APIKey: Username: Token:wf-token} <nil>
	// {APIKey: Username: Token:} adapters: no credentials
}
