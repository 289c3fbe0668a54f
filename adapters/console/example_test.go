package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/console"
)

// A host mounts the console on its own mux, behind its own sign-in. Here
// the host lets in the requests that carry its admin token.
func ExampleNew() {
	type Door struct {
		State string `json:"state"`
	}
	cat := actions.MustCompile[Door]([]actions.Definition{
		{ID: "open", Name: "Open", Workflow: &actions.Workflow{Field: "state", From: []string{"closed"}, To: "open"}},
		{ID: "close", Name: "Close", Workflow: &actions.Workflow{Field: "state", From: []string{"open"}, To: "closed"}},
	})
	store := actions.NewMemoryStore[Door]()
	_, _ = store.Create(context.Background(), "front", Door{State: "closed"})
	engine, _ := actions.New(cat, store)
	h, err := console.New(engine, console.Options[Door]{
		Title: "Doors",
		Authorize: func(r *http.Request) (actions.Actor, error) {
			if r.Header.Get("Authorization") != "Bearer admin-token" {
				return actions.Actor{}, console.ErrUnauthenticated
			}
			return actions.Actor{ID: "admin", Name: "Admin"}, nil
		},
		Challenge: `Bearer realm="doors"`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", http.StripPrefix("/console", h))

	for _, token := range []string{"", "admin-token"} {
		r := httptest.NewRequest("GET", "/console/playground?object=front", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		body := w.Body.String()
		fmt.Printf("%d, challenge %q\n", w.Code, w.Header().Get("WWW-Authenticate"))
		fmt.Println("  offers Open:", strings.Contains(body, `data-action="open"`) && strings.Index(body, `id="applicable"`) < strings.Index(body, `data-action="open"`))
		fmt.Println("  explains Close:", strings.Contains(body, `state is &#34;closed&#34;, not one of [&#34;open&#34;]`))
	}
	// Output:
	// 401, challenge "Bearer realm=\"doors\""
	//   offers Open: false
	//   explains Close: false
	// 200, challenge ""
	//   offers Open: true
	//   explains Close: true
}

// Without an Authorize hook, a console lets nobody in.
func ExampleNew_denyByDefault() {
	type Door struct {
		State string `json:"state"`
	}
	engine, _ := actions.New(actions.MustCompile[Door](nil), actions.NewMemoryStore[Door]())
	h, _ := console.New(engine, console.Options[Door]{})
	for _, path := range []string{"/", "/playground", "/assets/console.css"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, w.Code)
	}
	// Output:
	// / 403
	// /playground 403
	// /assets/console.css 403
}

// A host with several engines lists their consoles in a menu.
func ExampleNewMenu() {
	menu := console.NewMenu(console.MenuOptions{
		Title: "Consoles",
		Entries: []console.MenuEntry{
			{Name: "Doors", Path: "doors/", Description: "The doors of the building"},
			{Name: "Windows", Path: "windows/"},
		},
		Authorize: func(*http.Request) (actions.Actor, error) { return actions.Actor{ID: "admin"}, nil },
	})
	w := httptest.NewRecorder()
	menu.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	for line := range strings.SplitSeq(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "<li><a href=") {
			fmt.Println(line)
		}
	}
	// Output:
	// <li><a href="doors/">Doors</a><p>The doors of the building</p></li>
	// <li><a href="windows/">Windows</a></li>
}

// A console that several users share shows each of them only what they
// may see: ActorFor scopes the signed-in user to an object (here: its
// role in the object's team), Visible decides with that actor, and the
// journal follows Visible unless VisibleRecord says otherwise.
func ExampleOptions_visible() {
	type Doc struct {
		Team  string `json:"team"`
		State string `json:"state"`
	}
	cat := actions.MustCompile[Doc]([]actions.Definition{
		{ID: "publish", Name: "Publish", Permission: "publish", Workflow: &actions.Workflow{Field: "state", From: []string{"draft"}, To: "published"}},
	})
	store := actions.NewMemoryStore[Doc]()
	_, _ = store.Create(context.Background(), "red-1", Doc{Team: "red", State: "draft"})
	_, _ = store.Create(context.Background(), "blue-1", Doc{Team: "blue", State: "draft"})
	engine, _ := actions.New(cat, store)
	teams := map[string]string{"rita": "red", "bert": "blue"} // user → team
	h, _ := console.New(engine, console.Options[Doc]{
		Authorize: func(r *http.Request) (actions.Actor, error) {
			user := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			if teams[user] == "" {
				return actions.Actor{}, console.ErrUnauthenticated
			}
			return actions.Actor{ID: user}, nil
		},
		ActorFor: func(_ context.Context, viewer actions.Actor, _ string, d Doc) actions.Actor {
			if teams[viewer.ID] == d.Team {
				viewer.Roles, viewer.Permissions = []string{"editor"}, []string{"publish"}
			}
			return viewer
		},
		Visible: func(_ context.Context, a actions.Actor, _ string, _ Doc) bool {
			return len(a.Roles) > 0 // an editor of the doc's team
		},
	})
	for _, user := range []string{"rita", "bert"} {
		for _, id := range []string{"red-1", "blue-1"} {
			r := httptest.NewRequest("GET", "/playground?object="+id, nil)
			r.Header.Set("Authorization", "Bearer "+user)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			fmt.Printf("%s loads %s: %d\n", user, id, w.Code)
		}
	}
	// Output:
	// rita loads red-1: 200
	// rita loads blue-1: 404
	// bert loads red-1: 404
	// bert loads blue-1: 200
}
