package console

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/actionable-go/actionable/actions"
)

// pageNames are the console's pages, each a template of its own over the
// shared layout and partials.
var pageNames = []string{"catalog", "playground", "journal", "rules", "menu"}

var pageTemplates = func() map[string]*template.Template {
	funcs := template.FuncMap{"join": strings.Join}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
	}
	return out
}()

// navItems are the links of every console page's header.
var navItems = []struct{ Page, Href, Label string }{
	{"catalog", "./", "Catalog"},
	{"playground", "playground", "Playground"},
	{"journal", "journal", "Journal"},
	{"rules", "rules", "Rule check"},
}

// pageData is what the layout renders; Body is the page's own.
type pageData struct {
	Title   string // the console's
	Page    string // one of pageNames
	Heading string
	Nav     any // navItems, or nil on the menu
	Viewer  actions.Actor
	MenuURL string
	CSRF    string
	Execute bool
	Body    any
}

// view is what a page handler returns: the page to render, its status and
// its data.
type view struct {
	status  int
	page    string
	heading string
	body    any
}

// render writes a page, or a 500 if its template fails (which the tests
// of every page rule out).
func render(w http.ResponseWriter, status int, data pageData) {
	var buf bytes.Buffer
	if err := pageTemplates[data.Page].Execute(&buf, data); err != nil {
		http.Error(w, "console: rendering "+data.Page+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// show renders v in the console's layout for the request's viewer.
func (h *Handler[T]) show(w http.ResponseWriter, r *http.Request, v view) {
	who := viewer(r)
	if v.status == 0 {
		v.status = http.StatusOK
	}
	render(w, v.status, pageData{
		Title: h.opts.Title, Page: v.page, Heading: v.heading, Nav: navItems, Viewer: who, MenuURL: h.opts.MenuURL,
		CSRF: h.csrf.token(who.ID), Execute: h.opts.Execute, Body: v.body,
	})
}

// page adapts a GET page handler.
func (h *Handler[T]) page(fn func(r *http.Request) view) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h.show(w, r, fn(r)) }
}

// form adapts a POST handler: it bounds and parses the form, and refuses
// it without the viewer's CSRF token.
func (h *Handler[T]) form(limit int64, fn func(r *http.Request) view) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				refuse(w, http.StatusRequestEntityTooLarge, "The form is larger than this console accepts.")
				return
			}
			refuse(w, http.StatusBadRequest, "The form could not be read.")
			return
		}
		if !h.csrf.valid(viewer(r).ID, r.PostForm.Get(csrfField)) {
			refuse(w, http.StatusForbidden, "The form's CSRF token is missing or not valid for you: reload the page and send it again.")
			return
		}
		h.show(w, r, fn(r))
	}
}
