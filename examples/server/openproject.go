package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/openproject"
)

// opWorkPackage is the demo's work package. Custom actions read its fields
// by Go name (Status, Assignee, PercentageDone) and change them by JSON name.
type opWorkPackage struct {
	Subject        string  `json:"subject" validate:"required"`
	Project        string  `json:"project"`
	Type           string  `json:"type"`
	Status         string  `json:"status"`
	Assignee       string  `json:"assignee"`
	PercentageDone int     `json:"percentageDone" validate:"gte=0,lte=100"`
	StartDate      *string `json:"startDate"`
}

// opUser is a demo user: an API token, and a role per project (or every
// permission everywhere, for the admin).
type opUser struct {
	Token       string            `json:"token"`
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Admin       bool              `json:"admin"`
	Memberships map[string]string `json:"memberships"` // project → role
}

// opUsers is the demo's users file.
type opUsers struct {
	Roles map[string][]string `json:"roles"` // role → permissions
	Users []opUser            `json:"users"`
}

// actor is u as authenticated: its roles and permissions in all its
// projects, which is what "may edit work packages in some project" asks.
func (us *opUsers) actor(u opUser) actions.Actor {
	a := actions.Actor{ID: u.ID, Name: u.Name}
	if u.Admin {
		a.Permissions = []string{actions.AllPermissions}
	}
	for _, role := range u.Memberships {
		a.Roles = append(a.Roles, role)
		a.Permissions = append(a.Permissions, us.Roles[role]...)
	}
	slices.Sort(a.Roles)
	a.Roles = slices.Compact(a.Roles)
	return a
}

// scoped is u's actor in one project: only its role there.
func (us *opUsers) scoped(u opUser, project string) actions.Actor {
	a := actions.Actor{ID: u.ID, Name: u.Name}
	if u.Admin {
		a.Permissions = []string{actions.AllPermissions}
	}
	if role, ok := u.Memberships[project]; ok {
		a.Roles = []string{role}
		a.Permissions = append(a.Permissions, us.Roles[role]...)
	}
	return a
}

// mountOpenProject mounts the openproject adapter on /api/v3/, with the
// custom actions, work packages and users of dir/openproject, and returns
// the store of the work packages.
func mountOpenProject(mux *http.ServeMux, dir string) (*actions.MemoryStore[opWorkPackage], error) {
	dir = filepath.Join(dir, "openproject")
	cat, err := actions.LoadFile[opWorkPackage](filepath.Join(dir, "custom_actions.json"))
	if err != nil {
		return nil, err
	}
	store, err := opLoadWorkPackages(filepath.Join(dir, "work_packages.json"))
	if err != nil {
		return nil, err
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		return nil, err
	}
	var users opUsers
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	byToken := map[string]opUser{}
	byID := map[string]opUser{}
	for _, u := range users.Users {
		byToken[u.Token] = u
		byID[u.ID] = u
	}
	h, err := openproject.New(engine, openproject.Config[opWorkPackage]{
		Authenticate: func(r *http.Request) (actions.Actor, bool) {
			token, ok := openproject.APIKey(r)
			if !ok {
				return actions.Actor{}, false
			}
			u, ok := byToken[token]
			if !ok {
				return actions.Actor{}, false
			}
			return users.actor(u), true
		},
		ActorFor: func(_ context.Context, a actions.Actor, _ string, wp opWorkPackage) actions.Actor {
			return users.scoped(byID[a.ID], wp.Project)
		},
		Links: func(id string, wp opWorkPackage) map[string]openproject.Link {
			return map[string]openproject.Link{"self": {Href: "/api/v3/work_packages/" + id, Title: wp.Subject}}
		},
		AttributeNames: map[string]string{"percentageDone": "% Complete", "startDate": "Start date"},
	})
	if err != nil {
		return nil, err
	}
	mux.Handle("/api/v3/", h)
	return store, nil
}

// opLoadWorkPackages puts the demo's work packages in a memory store, each at
// its lockVersion.
func opLoadWorkPackages(path string) (*actions.MemoryStore[opWorkPackage], error) {
	var file struct {
		WorkPackages []struct {
			ID          int64 `json:"id"`
			LockVersion int64 `json:"lockVersion"`
			opWorkPackage
		} `json:"workPackages"`
	}
	if err := readJSON(path, &file); err != nil {
		return nil, err
	}
	ctx := context.Background()
	store := actions.NewMemoryStore[opWorkPackage]()
	for _, w := range file.WorkPackages {
		id := strconv.FormatInt(w.ID, 10)
		if w.LockVersion < 1 {
			return nil, fmt.Errorf("%s: work package %s: lockVersion must be at least 1", path, id)
		}
		if _, err := store.Create(ctx, id, w.opWorkPackage); err != nil {
			return nil, err
		}
		// A store starts objects at version 1; saving without an execution
		// record brings one to its lockVersion.
		for v := int64(1); v < w.LockVersion; v++ {
			if _, err := store.Save(ctx, id, w.opWorkPackage, v, nil); err != nil {
				return nil, err
			}
		}
	}
	return store, nil
}
