package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"path/filepath"
	"slices"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/workfront"
)

// wfDocument is a Workfront document as the example keeps it.
type wfDocument struct {
	Name       string `json:"name"`
	VersionID  string `json:"versionId"`
	Status     string `json:"status" validate:"oneof=active archived"`
	ArchivedBy string `json:"archivedBy,omitempty"`
}

// wfUser is a Workfront user allowed to call the custom actions, with the
// API key (ApiKey mode) and the access token (OAuth2 mode) it may send.
type wfUser struct {
	Username    string   `json:"username"`
	Name        string   `json:"name"`
	APIKey      string   `json:"apiKey"`
	Token       string   `json:"token"`
	Permissions []string `json:"permissions"`
}

// wfRefusals words, for the Workfront user, why an action does not apply.
var wfRefusals = map[string]string{
	"archive": "This document is already archived.",
	"restore": "This document is not archived.",
}

// mountWorkfront mounts the workfront adapter under /webhooks, the base URL
// to register in Workfront, over the documents, rules and users of
// dir/workfront in the stores of st, and returns its engine.
func mountWorkfront(ctx context.Context, mux *http.ServeMux, dir string, st *storage) (*demo[wfDocument], error) {
	dir = filepath.Join(dir, "workfront")
	cat, err := actions.LoadFile[wfDocument](filepath.Join(dir, "rules.json"))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID string `json:"id"`
		wfDocument
	}
	if err := readJSON(filepath.Join(dir, "documents.json"), &docs); err != nil {
		return nil, err
	}
	var users []wfUser
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	store, err := newStore[wfDocument](ctx, st, "workfront.documents")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range docs {
		if _, err := load(ctx, store, d.ID, d.wfDocument); err != nil {
			return nil, err
		}
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	engine, err := actions.New(cat, store)
	if err != nil {
		return nil, err
	}
	h, err := workfront.New(engine, workfront.Config[wfDocument]{
		Publisher:       "actionable example server",
		Authenticate:    wfAuthenticate(users),
		DocumentVersion: func(d wfDocument) string { return d.VersionID },
		ErrorMessage: func(a *actions.Action, err error) string {
			if errors.Is(err, actions.ErrNotApplicable) {
				return wfRefusals[a.ID()]
			}
			return ""
		},
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("/webhooks/", http.StripPrefix("/webhooks", h))
	return &demo[wfDocument]{engine: engine, store: store, ids: ids}, nil
}

// wfAuthenticate accepts the API key and username of a user, or a user's
// access token.
func wfAuthenticate(users []wfUser) func(*http.Request) (actions.Actor, error) {
	same := func(a, b string) bool { return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	return func(r *http.Request) (actions.Actor, error) {
		c, err := workfront.ReadCredentials(r)
		if err != nil {
			return actions.Actor{}, err
		}
		for _, u := range users {
			if c.Token != "" && same(u.Token, c.Token) || c.Token == "" && same(u.APIKey, c.APIKey) && same(u.Username, c.Username) {
				return actions.Actor{ID: u.Username, Name: u.Name, Permissions: u.Permissions}, nil
			}
		}
		return actions.Actor{}, workfront.ErrBadCredentials
	}
}
