package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/console"
	"github.com/actionable-go/actionable/adapters/openproject"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// consoleUser is the user name the demo consoles take, with a demo token
// as the password (HTTP Basic), as OpenProject takes its API keys. A
// Bearer token works too.
const consoleUser = "apikey"

// mountConsoles mounts a console for each demo engine under /console/
// (/console/openproject/, /console/akana/, /console/salesforce/,
// /console/workfront/) and a menu of them at /console/. Each console shows
// the adapter's own engine, so it sees the same rules, objects and
// journal. The Akana and Workfront consoles let in the demo's admins; the
// OpenProject and Salesforce ones every demo user, who sees only what the
// adapter would show them (the work packages of their projects; the links
// of the groups they created). Each console offers every demo user as an
// actor in its playground. Execution is off: the consoles store nothing.
func mountConsoles(mux *http.ServeMux, dir string, s *server) error {
	type mounted struct {
		name, path, description string
		h                       http.Handler
	}
	op, err := opConsole(dir, s.op)
	if err != nil {
		return fmt.Errorf("openproject: %w", err)
	}
	ak, err := akanaConsole(dir, s.ak)
	if err != nil {
		return fmt.Errorf("akana: %w", err)
	}
	sf, err := sfConsole(dir, s.sf, s.sfStores.Groups)
	if err != nil {
		return fmt.Errorf("salesforce: %w", err)
	}
	wf, err := wfConsole(dir, s.wf)
	if err != nil {
		return fmt.Errorf("workfront: %w", err)
	}
	consoles := []mounted{
		{"OpenProject", "openproject", "Custom actions on the work packages 42, 43 and 44. Sign in as " + consoleUser + " with the password op-admin (every work package), op-member or op-viewer (those of project demo: 42 and 43), each with the roles of their project; the playground offers Ada Admin, Max Member and Vera Viewer as actors.", op},
		{"Akana", "akana", "Workflow actions on discussions, an API version, a user and an app version. Sign in as " + consoleUser + " with the password akana-admin.", ak},
		{"Salesforce", "salesforce", "The rules of action links (who sees one, Once and OncePerUser, expiry). Sign in as " + consoleUser + " with the password sf-alice (the demo's five links, in the groups she created) or sf-bob (the links of the groups he creates): each sees the links and executions of their own groups, as the API shows definitions to their creator only.", sf},
		{"Workfront", "workfront", "Archive and restore documents. Sign in as " + consoleUser + " with the password wf-token.", wf},
	}
	var entries []console.MenuEntry
	for _, c := range consoles {
		prefix := "/console/" + c.path
		mux.Handle(prefix+"/", http.StripPrefix(prefix, c.h))
		entries = append(entries, console.MenuEntry{Name: c.name, Path: c.path + "/", Description: c.description})
	}
	mux.Handle("/console/", http.StripPrefix("/console", console.NewMenu(console.MenuOptions{
		Title:   "actionable example server",
		Entries: entries,
		// The menu shows the consoles' names and the demo's published
		// tokens, nothing else: anyone may see it.
		Authorize: func(*http.Request) (actions.Actor, error) { return actions.Actor{}, nil },
	})))
	return nil
}

// consoleToken is the demo token a console request carries: the password
// of user apikey, or a Bearer token (as openproject.APIKey reads them).
func consoleToken(r *http.Request) (string, bool) {
	if user, pass, ok := r.BasicAuth(); ok {
		return pass, user == consoleUser && pass != ""
	}
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return t, ok && t != ""
}

// errNotAdmin refuses a demo user who is not an admin (403).
var errNotAdmin = errors.New("the console lets in the demo's admins only")

// consoleAuthorize admits the request whose token lookup knows, if it is
// an admin's. A request without a token, or with one the demo does not
// know, is asked for one (401), so that a browser asks again.
func consoleAuthorize(lookup func(token string) (a actions.Actor, known, admin bool)) console.AuthorizeFunc {
	return func(r *http.Request) (actions.Actor, error) {
		token, ok := consoleToken(r)
		if !ok {
			return actions.Actor{}, console.ErrUnauthenticated
		}
		a, known, admin := lookup(token)
		switch {
		case !known:
			return actions.Actor{}, console.ErrUnauthenticated
		case !admin:
			return actions.Actor{}, errNotAdmin
		}
		return a, nil
	}
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func challenge(name string) string {
	return `Basic realm="actionable console: ` + name + `", charset="UTF-8"`
}

// opConsole is the console of the OpenProject demo: every demo user signs
// in with their token and acts, as in the API, with the roles of the work
// package's project (ActorFor), seeing only the work packages they may
// view there, and their records.
func opConsole(dir string, d *demo[opWorkPackage]) (http.Handler, error) {
	dir = filepath.Join(dir, "openproject")
	var users opUsers
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	var actors []actions.Actor
	byID := map[string]opUser{}
	for _, u := range users.Users {
		actors = append(actors, users.actor(u))
		byID[u.ID] = u
	}
	return console.New(d.engine, console.Options[opWorkPackage]{
		Title: "OpenProject demo",
		Authorize: consoleAuthorize(func(token string) (actions.Actor, bool, bool) {
			for _, u := range users.Users {
				if sameToken(u.Token, token) {
					return users.actor(u), true, true
				}
			}
			return actions.Actor{}, false, false
		}),
		// As the adapter's ActorFor and its default CanView.
		ActorFor: func(_ context.Context, a actions.Actor, _ string, wp opWorkPackage) actions.Actor {
			return users.scoped(byID[a.ID], wp.Project)
		},
		Visible: func(_ context.Context, a actions.Actor, _ string, _ opWorkPackage) bool {
			return a.Can(openproject.PermissionViewWorkPackages)
		},
		Challenge: challenge("OpenProject"),
		Objects:   func(context.Context) ([]string, error) { return d.ids, nil },
		Samples: []console.Sample[opWorkPackage]{
			{Name: "a new bug in demo", Object: opWorkPackage{Subject: "A new bug", Project: "demo", Type: "Bug", Status: "New"}},
			{Name: "a closed task", Object: opWorkPackage{Subject: "Done and dusted", Project: "demo", Type: "Task", Status: "Closed", Assignee: "member", PercentageDone: 100}},
		},
		Actors:  actors,
		MenuURL: "../",
	})
}

// akanaConsole is the console of the Akana demo: akana-admin signs in.
func akanaConsole(dir string, d *demo[akanaObject]) (http.Handler, error) {
	dir = filepath.Join(dir, "akana")
	var users struct {
		FedMember string      `json:"fedmember"`
		Users     []akanaUser `json:"users"`
	}
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	actor := func(u akanaUser) actions.Actor {
		return actions.Actor{ID: u.ID, Name: u.Name, Permissions: u.Permissions}
	}
	var actors []actions.Actor
	for _, u := range users.Users {
		actors = append(actors, actor(u))
	}
	return console.New(d.engine, console.Options[akanaObject]{
		Title: "Akana demo",
		Authorize: consoleAuthorize(func(token string) (actions.Actor, bool, bool) {
			for _, u := range users.Users {
				if sameToken(u.Token, token) {
					return actor(u), true, slices.Contains(u.Permissions, actions.AllPermissions)
				}
			}
			return actions.Actor{}, false, false
		}),
		Challenge: challenge("Akana"),
		Objects:   func(context.Context) ([]string, error) { return d.ids, nil },
		Samples: []console.Sample[akanaObject]{
			{Name: "an API version pending approval", Object: akanaObject{Type: "apiversion", Name: "Payments API v2", WorkflowKey: "aba30718-a086-407c-99e9-76a1f07060a2", State: "Pending Approval"}},
		},
		Actors:  actors,
		MenuURL: "../",
	})
}

// wfConsole is the console of the Workfront demo: its user signs in with
// the access token.
func wfConsole(dir string, d *demo[wfDocument]) (http.Handler, error) {
	dir = filepath.Join(dir, "workfront")
	var users []wfUser
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	actor := func(u wfUser) actions.Actor {
		return actions.Actor{ID: u.Username, Name: u.Name, Permissions: u.Permissions}
	}
	var actors []actions.Actor
	for _, u := range users {
		actors = append(actors, actor(u))
	}
	return console.New(d.engine, console.Options[wfDocument]{
		Title: "Workfront demo",
		Authorize: consoleAuthorize(func(token string) (actions.Actor, bool, bool) {
			for _, u := range users {
				if sameToken(u.Token, token) {
					return actor(u), true, true // the demo's one user
				}
			}
			return actions.Actor{}, false, false
		}),
		Challenge: challenge("Workfront"),
		Objects:   func(context.Context) ([]string, error) { return d.ids, nil },
		Samples: []console.Sample[wfDocument]{
			{Name: "an archived document", Object: wfDocument{Name: "Old plan.docx", VersionID: "v1", Status: "archived", ArchivedBy: "johndoe@foo.com"}},
		},
		Actors:  actors,
		MenuURL: "../",
	})
}

// sfConsole is the console of the Salesforce demo: every demo user signs
// in, and sees the links of the groups they created and their executions,
// as the API shows a group definition to its creator only. Alice created
// the demo's groups. Its objects are the action links, as the adapter
// stores them; its actors are the demo's users.
func sfConsole(dir string, h *salesforce.Handler, groups salesforce.Store[salesforce.Group]) (http.Handler, error) {
	dir = filepath.Join(dir, "salesforce")
	var users []sfUser
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, err
	}
	var demoGroups []sfGroup
	if err := readJSON(filepath.Join(dir, "groups.json"), &demoGroups); err != nil {
		return nil, err
	}
	var ids []string
	for _, g := range demoGroups {
		ids = append(ids, g.LinkIDs...)
	}
	slices.Sort(ids)
	var actors []actions.Actor
	for _, u := range users {
		actors = append(actors, actions.Actor{ID: u.ID, Name: u.Name})
	}
	return console.New(h.Engine(), console.Options[salesforce.Link]{
		Title: "Salesforce demo",
		Authorize: consoleAuthorize(func(token string) (actions.Actor, bool, bool) {
			for _, u := range users {
				if sameToken(u.Token, token) {
					return actions.Actor{ID: u.ID, Name: u.Name}, true, true
				}
			}
			return actions.Actor{}, false, false
		}),
		// A link is the creator's of its group; a record is visible with
		// its link (the default of VisibleRecord), so the records of a
		// deleted group are no one's.
		Visible: func(ctx context.Context, a actions.Actor, _ string, l salesforce.Link) bool {
			g, _, err := groups.Load(ctx, l.GroupID)
			return err == nil && a.ID != "" && g.CreatedBy == a.ID
		},
		Challenge: challenge("Salesforce"),
		Objects:   func(context.Context) ([]string, error) { return ids, nil },
		Actors:    actors,
		MenuURL:   "../",
	})
}
