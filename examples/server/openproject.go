package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
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
// projects (in the order of their names), which is what "may edit work
// packages in some project" asks.
func (us *opUsers) actor(u opUser) actions.Actor {
	a := actions.Actor{ID: u.ID, Name: u.Name}
	if u.Admin {
		a.Permissions = []string{actions.AllPermissions}
	}
	for _, project := range slices.Sorted(maps.Keys(u.Memberships)) {
		role := u.Memberships[project]
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

// opActors are a user's actors, made once: authenticating a request and
// scoping its actor to a work package's project are lookups. Their slices
// are shared by every request and clipped, so that an append copies them;
// nothing changes them in place.
type opActors struct {
	actor     actions.Actor            // as authenticated (opUsers.actor)
	elsewhere actions.Actor            // in a project it is no member of
	in        map[string]actions.Actor // in each of its projects
}

// actors returns the actors of u.
func (us *opUsers) actors(u opUser) *opActors {
	outsider := opUser{ID: u.ID, Name: u.Name, Admin: u.Admin} // member of nothing
	as := &opActors{actor: clipActor(us.actor(u)), elsewhere: clipActor(us.scoped(outsider, "")), in: map[string]actions.Actor{}}
	for project := range u.Memberships {
		as.in[project] = clipActor(us.scoped(u, project))
	}
	return as
}

// scoped is the user's actor in project, as opUsers.scoped makes it; an
// unknown user (nil) is the actor without an ID.
func (as *opActors) scoped(project string) actions.Actor {
	if as == nil {
		return actions.Actor{}
	}
	if a, ok := as.in[project]; ok {
		return a
	}
	return as.elsewhere
}

// clipActor returns a with its slices clipped: an append to one copies it.
func clipActor(a actions.Actor) actions.Actor {
	a.Roles, a.Permissions = slices.Clip(a.Roles), slices.Clip(a.Permissions)
	return a
}

// opResources are the integer ids OpenProject's links name resources by
// (/api/v3/statuses/12), for the names the demo's work packages and users
// hold ("Closed").
type opResources struct {
	Statuses map[string]int64 `json:"statuses"`
	Types    map[string]int64 `json:"types"`
	Projects map[string]int64 `json:"projects"`
	Users    map[string]int64 `json:"users"` // by user id ("member")
}

// link links the resource r named name in ids, titled title; "" is the
// link to nothing ({"href": null}). A name without an id is an error (a 500
// and a log line): the demo data has to list it.
func (res *opResources) link(r openproject.Resource, ids map[string]int64, name, title string) (openproject.Link, error) {
	if name == "" {
		return openproject.Link{}, nil
	}
	id, ok := ids[name]
	if !ok {
		return openproject.Link{}, fmt.Errorf("resources.json has no id for %s %q", r, name)
	}
	return r.Link(id, title), nil
}

// linkedProperties render type, project, status and assignee as OpenProject
// does: under _links, titled with the name (the user's name for the
// assignee), an unassigned work package's assignee {"href": null}. Each
// resource's links are made once, and looked up.
func (res *opResources) linkedProperties(names map[string]string) []openproject.LinkedProperty[opWorkPackage] {
	by := func(name string, r openproject.Resource, ids map[string]int64, value func(opWorkPackage) string) openproject.LinkedProperty[opWorkPackage] {
		links := make(map[string]openproject.Link, len(ids))
		for v := range ids {
			title := v
			if r == openproject.Users {
				title = names[v]
			}
			links[v], _ = res.link(r, ids, v, title) // listed: cannot fail
		}
		return openproject.LinkedProperty[opWorkPackage]{Name: name, Link: func(_ context.Context, wp opWorkPackage) (openproject.Link, error) {
			v := value(wp)
			if l, ok := links[v]; ok && v != "" {
				return l, nil
			}
			return res.link(r, ids, v, "") // none, or an error
		}}
	}
	return []openproject.LinkedProperty[opWorkPackage]{
		by("type", openproject.Types, res.Types, func(wp opWorkPackage) string { return wp.Type }),
		by("project", openproject.Projects, res.Projects, func(wp opWorkPackage) string { return wp.Project }),
		by("status", openproject.Statuses, res.Statuses, func(wp opWorkPackage) string { return wp.Status }),
		by("assignee", openproject.Users, res.Users, func(wp opWorkPackage) string { return wp.Assignee }),
	}
}

// mountOpenProject mounts the openproject adapter on /api/v3/, with the
// custom actions, work packages, users and resource ids of dir/openproject,
// over the stores of st, and returns its engine.
func mountOpenProject(ctx context.Context, mux *http.ServeMux, dir string, st *storage) (*demo[opWorkPackage], error) {
	d, cfg, err := openProjectDemo(ctx, dir, st)
	if err != nil {
		return nil, err
	}
	h, err := openproject.New(d.engine, cfg)
	if err != nil {
		return nil, err
	}
	mux.Handle("/api/v3/", h)
	return d, nil
}

// openProjectDemo returns the OpenProject demo of dir/openproject over the
// stores of st, and the adapter's configuration.
func openProjectDemo(ctx context.Context, dir string, st *storage) (*demo[opWorkPackage], openproject.Config[opWorkPackage], error) {
	var none openproject.Config[opWorkPackage]
	dir = filepath.Join(dir, "openproject")
	cat, err := actions.LoadFile[opWorkPackage](filepath.Join(dir, "custom_actions.json"))
	if err != nil {
		return nil, none, err
	}
	store, err := newStore[opWorkPackage](ctx, st, "openproject.work_packages")
	if err != nil {
		return nil, none, err
	}
	ids, err := opLoadWorkPackages(ctx, store, filepath.Join(dir, "work_packages.json"))
	if err != nil {
		return nil, none, err
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		return nil, none, err
	}
	var users opUsers
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, none, err
	}
	var res opResources
	if err := readJSON(filepath.Join(dir, "resources.json"), &res); err != nil {
		return nil, none, err
	}
	byToken := map[string]*opActors{}
	byID := map[string]*opActors{}
	names := map[string]string{}
	for _, u := range users.Users {
		as := users.actors(u)
		byToken[u.Token] = as
		byID[u.ID] = as
		names[u.ID] = u.Name
	}
	linked := res.linkedProperties(names)
	if err := opCheckLinks(store, ids, linked); err != nil {
		return nil, none, fmt.Errorf("%s: %w", filepath.Join(dir, "resources.json"), err)
	}
	cfg := openproject.Config[opWorkPackage]{
		Authenticate: func(r *http.Request) (actions.Actor, error) {
			token, err := openproject.APIKey(r)
			if err != nil {
				return actions.Actor{}, err
			}
			as, ok := byToken[token]
			if !ok {
				return actions.Actor{}, openproject.ErrBadCredentials
			}
			return as.actor, nil
		},
		ActorFor: func(_ context.Context, a actions.Actor, _ string, wp opWorkPackage) actions.Actor {
			return byID[a.ID].scoped(wp.Project)
		},
		// Every work package, by id ascending, as OpenProject sorts them by
		// default; the adapter keeps those the user may see.
		List: func(context.Context, actions.Actor) ([]string, error) {
			return ids, nil
		},
		LinkedProperties: linked,
		AppendProperties: func(b []byte, wp opWorkPackage) ([]byte, string, error) {
			return wp.appendProperties(b), wp.Subject, nil
		},
		AttributeNames: map[string]string{"percentageDone": "% Complete", "startDate": "Start date"},
	}
	return &demo[opWorkPackage]{engine: engine, store: store, ids: ids}, cfg, nil
}

// appendProperties appends the properties the adapter's default rendering
// writes of wp (openproject.Config.AppendProperties): its JSON fields as
// encoding/json encodes them, but the linked properties (type, project,
// status, assignee).
func (wp opWorkPackage) appendProperties(b []byte) []byte {
	b = append(b, `,"subject":`...)
	b = openproject.AppendString(b, wp.Subject)
	b = append(b, `,"percentageDone":`...)
	b = strconv.AppendInt(b, int64(wp.PercentageDone), 10)
	b = append(b, `,"startDate":`...)
	if wp.StartDate == nil {
		return append(b, "null"...)
	}
	return openproject.AppendString(b, *wp.StartDate)
}

// opLoadWorkPackages puts the demo's work packages in store, each at its
// lockVersion, unless the store holds them already, and returns their ids
// by their integer value.
func opLoadWorkPackages(ctx context.Context, store demoStore[opWorkPackage], path string) ([]string, error) {
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
	var ids []string
	for _, w := range file.WorkPackages {
		id := strconv.FormatInt(w.ID, 10)
		if w.LockVersion < 1 {
			return nil, fmt.Errorf("%s: work package %s: lockVersion must be at least 1", path, id)
		}
		ids = append(ids, id)
		created, err := load(ctx, store, id, w.opWorkPackage)
		if err != nil || !created {
			if err != nil {
				return nil, err
			}
			continue
		}
		// A store starts objects at version 1; saving without an execution
		// record brings one to its lockVersion.
		for v := int64(1); v < w.LockVersion; v++ {
			if _, err := store.Save(ctx, id, w.opWorkPackage, v, nil); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return cmp.Compare(x, y)
	})
	return ids, nil
}

// opCheckLinks renders every linked property of every work package once,
// so that a name the resource ids do not list fails at start-up.
func opCheckLinks(store demoStore[opWorkPackage], ids []string, linked []openproject.LinkedProperty[opWorkPackage]) error {
	ctx := context.Background()
	for _, id := range ids {
		wp, _, err := store.Load(ctx, id)
		if err != nil {
			return err
		}
		for _, p := range linked {
			if _, err := p.Link(ctx, wp); err != nil {
				return fmt.Errorf("work package %s: %w", id, err)
			}
		}
	}
	return nil
}
