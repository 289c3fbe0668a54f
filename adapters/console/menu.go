package console

import (
	"net/http"
	"slices"
)

// MenuEntry is one console a Menu lists.
type MenuEntry struct {
	Name        string
	Path        string // the console's URL, relative to the menu or absolute
	Description string
}

// MenuOptions configures a Menu. Its zero value is valid and refuses every
// request.
type MenuOptions struct {
	// Title heads the menu (default DefaultTitle).
	Title string
	// Entries are the consoles, in order.
	Entries []MenuEntry
	// Authorize decides who may see the menu (see AuthorizeFunc); nil
	// refuses every request.
	Authorize AuthorizeFunc
	// Challenge is the WWW-Authenticate header of a 401, if set.
	Challenge string
}

// Menu lists the consoles of a host, one for each engine: a Handler is
// generic over its object type, so a host with several types has several
// consoles. It serves the list at / and the console's style sheet under
// /assets/, with the security headers of a console. A Menu is safe for
// concurrent use.
type Menu struct {
	opts    MenuOptions
	handler http.Handler
}

// NewMenu returns the menu of opts.Entries.
func NewMenu(opts MenuOptions) *Menu {
	if opts.Title == "" {
		opts.Title = DefaultTitle
	}
	opts.Entries = slices.Clone(opts.Entries)
	m := &Menu{opts: opts}
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", http.StripPrefix("/assets", http.FileServerFS(assets)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, pageData{Title: m.opts.Title, Page: "menu", Heading: m.opts.Title, Viewer: viewer(r), Body: m.opts.Entries})
	})
	m.handler = gate(opts.Authorize, opts.Challenge, mux)
	return m
}

// ServeHTTP implements http.Handler.
func (m *Menu) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }
