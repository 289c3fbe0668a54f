package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
)

// akanaObject is the demo's object: a discussion, an API version, a user
// or an app version, each in an Akana workflow.
type akanaObject struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	WorkflowKey string `json:"workflowKey"`
	State       string `json:"state"`
}

// akanaUser is a demo login: the AtmoAuthToken_{fedmember} cookie value
// and the CSRF token its session expects.
type akanaUser struct {
	Token       string   `json:"token"`
	CSRFToken   string   `json:"csrfToken"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
}

// mountAkana mounts the akana adapter on /api/workflow/, with the
// workflows, objects and users of dir/akana, over the stores of st, and
// returns its engine.
func mountAkana(ctx context.Context, mux *http.ServeMux, dir string, st *storage) (*demo[akanaObject], error) {
	dir = filepath.Join(dir, "akana")
	wf, err := akana.LoadWorkflowsFile(filepath.Join(dir, "workflows.json"), akana.Fields{Key: "WorkflowKey", State: "State"})
	if err != nil {
		return nil, err
	}
	cat, err := actions.Compile[akanaObject](wf.Definitions())
	if err != nil {
		return nil, err
	}
	var objects struct {
		Objects []struct {
			ID string `json:"id"`
			akanaObject
		} `json:"objects"`
	}
	if err := readJSON(filepath.Join(dir, "objects.json"), &objects); err != nil {
		return nil, err
	}
	store, err := newStore[akanaObject](ctx, st, "akana.objects")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range objects.Objects {
		if _, err := load(ctx, store, o.ID, o.akanaObject); err != nil {
			return nil, err
		}
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	engine, err := actions.New(cat, store)
	if err != nil {
		return nil, err
	}
	var users struct {
		FedMember string      `json:"fedmember"`
		Users     []akanaUser `json:"users"`
	}
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	if users.FedMember == "" {
		return nil, errors.New("users.json: fedmember is required")
	}
	byToken := map[string]akanaUser{}
	for _, u := range users.Users {
		// An empty token would log in whoever sends an empty cookie.
		if u.Token == "" {
			return nil, fmt.Errorf("users.json: user %q has no token", u.ID)
		}
		if _, dup := byToken[u.Token]; dup {
			return nil, fmt.Errorf("users.json: token of user %q is not unique", u.ID)
		}
		byToken[u.Token] = u
	}
	h, err := akana.New(engine, wf, akana.Config{
		FedMember: users.FedMember,
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			token, err := akana.AuthToken(r, users.FedMember)
			if err != nil {
				return actions.Actor{}, err // no login cookie
			}
			u, ok := byToken[token]
			if !ok {
				return actions.Actor{}, akana.ErrBadCredentials
			}
			return actions.Actor{ID: u.ID, Name: u.Name, Permissions: u.Permissions}, nil
		},
		// The CSRF token of the session the login cookie names.
		CSRFToken: func(r *http.Request, _ actions.Actor) (string, error) {
			token, _ := akana.AuthToken(r, users.FedMember)
			return byToken[token].CSRFToken, nil
		},
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("/api/workflow/", h)
	// The path of both routes too, with the wildcard the handler sets:
	// the mux then holds the ObjectID where SetPathValue writes it, and
	// routes the path without trying it with a slash added.
	mux.Handle("/api/workflow/objects/{ObjectID}/actions", h)
	return &demo[akanaObject]{engine: engine, store: store, ids: ids}, nil
}
