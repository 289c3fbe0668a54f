package openproject

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/actionable-go/actionable/actions"
)

// halContentType is the content type of every JSON response.
const halContentType = "application/hal+json; charset=utf-8"

// Link is a HAL link. The zero Link is OpenProject's link to nothing,
// {"href": null}: how a linked property that is not set renders
// (lib/api/decorators/link_object.rb: href is nil when the id is nil or 0,
// title is left out when nil).
type Link struct {
	Href      string `json:"href"` // "" renders null
	Title     string `json:"title,omitempty"`
	Method    string `json:"method,omitempty"`
	Templated bool   `json:"templated,omitempty"` // the href is a URI template
}

// MarshalJSON renders an empty Href as null.
func (l Link) MarshalJSON() ([]byte, error) {
	var v struct {
		Href      *string `json:"href"`
		Title     string  `json:"title,omitempty"`
		Method    string  `json:"method,omitempty"`
		Templated bool    `json:"templated,omitempty"`
	}
	if l.Href != "" {
		v.Href = &l.Href
	}
	v.Title, v.Method, v.Templated = l.Title, l.Method, l.Templated
	return marshal(v) // not json.Marshal: a "&" in an href stays readable
}

// Resource is a kind of OpenProject resource, named by its path under
// /api/v3/ (the api_v3_paths of OpenProject's representers).
type Resource string

// The resources a work package links to.
const (
	Statuses         Resource = "statuses"
	Types            Resource = "types"
	Priorities       Resource = "priorities"
	Projects         Resource = "projects"
	Users            Resource = "users"
	Groups           Resource = "groups"
	PlaceholderUsers Resource = "placeholder_users"
	Categories       Resource = "categories"
	Versions         Resource = "versions"
	WorkPackages     Resource = "work_packages"
)

// Link returns the link to the resource with the given id, titled as
// OpenProject titles it (the resource's name): /api/v3/statuses/1 "New".
// An id of 0 is the zero Link, {"href": null}, as OpenProject renders an
// association that is not set.
func (r Resource) Link(id int64, title string) Link {
	if id == 0 {
		return Link{}
	}
	return Link{Href: "/api/v3/" + string(r) + "/" + strconv.FormatInt(id, 10), Title: title}
}

// LinkedProperty declares a field of T that OpenProject renders as a
// linked property (status, type, project, assignee, priority, ...): not
// among the work package's properties but under _links, as
// {"href": "/api/v3/statuses/1", "title": "New"}, or {"href": null} when it
// is not set (lib/api/v3/work_packages/work_package_representer.rb:
// associated_resource). Resource.Link builds the usual links.
type LinkedProperty[T any] struct {
	// Name is the JSON name of the field of T, and the link's relation
	// name under _links.
	Name string
	// Link returns the field's link for a work package; the zero Link is
	// "not set". An error is a 500 and logged.
	Link func(ctx context.Context, wp T) (Link, error)
}

// WorkPackage is what Config.Render receives: a work package of the store
// with what the API adds to it.
type WorkPackage[T any] struct {
	ID          string // the id in the store and in /api/v3/work_packages/{id}
	LockVersion int64  // the version in the store
	Object      T
	// CustomActions link the custom actions the actor may execute on the
	// work package now, in position order. Never nil.
	CustomActions []Link
	// EmbeddedCustomActions are the resources CustomActions link, in the
	// same order, for _embedded.customActions: a work package on its own
	// (GET, execute) embeds them. Nil for an element of a collection,
	// which OpenProject renders without _embedded.
	EmbeddedCustomActions []CustomAction
}

// CustomAction is OpenProject's CustomAction resource, as
// GET /api/v3/custom_actions/{id} answers it and a work package embeds it
// (lib/api/v3/custom_actions/custom_action_representer.rb). Keys are in
// OpenProject's order.
type CustomAction struct {
	Type        string  `json:"_type"` // "CustomAction"
	Name        string  `json:"name"`
	Description *string `json:"description"` // null when empty, never left out
	Links       struct {
		ExecuteImmediately Link `json:"executeImmediately"`
		Self               Link `json:"self"`
	} `json:"_links"`
}

func customActionHref(id string) string { return customActionsPath + url.PathEscape(id) }

// customActionOf returns the CustomAction resource of an action.
func customActionOf(a *actions.Action) CustomAction {
	c := CustomAction{Type: "CustomAction", Name: a.Name()}
	if d := a.Description(); d != "" {
		c.Description = &d
	}
	href := customActionHref(a.ID())
	c.Links.ExecuteImmediately = Link{Href: href + "/execute", Title: "Execute " + a.Name(), Method: "post"}
	c.Links.Self = Link{Href: href, Title: a.Name()}
	return c
}

// reservedKeys are the keys the default rendering writes itself; fields of T
// with these JSON names are left out.
var reservedKeys = map[string]bool{"_type": true, "id": true, "lockVersion": true, "_embedded": true, "_links": true}

// namedLink is one entry of _links.
type namedLink struct {
	name string
	link Link
}

// renderDefault renders
//
//	{"_type": "WorkPackage", "id", "lockVersion", the JSON fields of T in
//	 their order but the linked ones, "_embedded": {"customActions"},
//	 "_links": {self, the linked properties in their order, the extra links
//	 by name, customActions}}
//
// self is titled with the subject, as OpenProject's is (self_link
// title_getter: represented.subject), unless extra has a self link.
// _embedded is left out when wp.EmbeddedCustomActions is nil.
func renderDefault[T any](wp WorkPackage[T], linked []namedLink, extra map[string]Link) (json.RawMessage, error) {
	fields, err := marshal(wp.Object)
	if err != nil {
		return nil, err
	}
	skip := make(map[string]bool, len(linked))
	for _, l := range linked {
		skip[l.name] = true
	}
	var b bytes.Buffer
	b.WriteString(`{"_type":"WorkPackage","id":`)
	if canonical(wp.ID) {
		b.WriteString(wp.ID)
	} else {
		id, _ := marshal(wp.ID)
		b.Write(id)
	}
	b.WriteString(`,"lockVersion":`)
	b.WriteString(strconv.FormatInt(wp.LockVersion, 10))
	subject, err := writeFields(&b, fields, skip)
	if err != nil {
		return nil, err
	}
	self, ok := extra["self"]
	if !ok {
		self = Link{Href: workPackagesPath + url.PathEscape(wp.ID), Title: subject}
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		if name != "self" && name != "customActions" && !skip[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	actionLinks := wp.CustomActions
	if actionLinks == nil {
		actionLinks = []Link{}
	}
	var werr error
	write := func(prefix string, v any) {
		enc, err := marshal(v)
		werr = cmp.Or(werr, err)
		b.WriteString(prefix)
		b.Write(enc)
	}
	if wp.EmbeddedCustomActions != nil {
		write(`,"_embedded":{"customActions":`, wp.EmbeddedCustomActions)
		b.WriteByte('}')
	}
	write(`,"_links":{"self":`, self)
	for _, l := range linked {
		write(",", l.name)
		write(":", l.link)
	}
	for _, name := range names {
		write(",", name)
		write(":", extra[name])
	}
	write(`,"customActions":`, actionLinks)
	b.WriteString("}}")
	if werr != nil {
		return nil, werr
	}
	return json.RawMessage(b.Bytes()), nil
}

// writeFields appends the members of the JSON object fields, in order,
// each preceded by a comma, leaving out the reserved keys and those in
// skip. It returns the value of "subject" when that is a string.
func writeFields(b *bytes.Buffer, fields []byte, skip map[string]bool) (subject string, err error) {
	dec := json.NewDecoder(bytes.NewReader(fields))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", errors.New("the work package does not encode as a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return "", err
		}
		if key == "subject" {
			_ = json.Unmarshal(val, &subject) // not a string: no title
		}
		if reservedKeys[key] || skip[key] {
			continue
		}
		k, err := marshal(key)
		if err != nil {
			return "", err
		}
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	return subject, nil
}

// marshal is json.Marshal without HTML escaping and without a newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// writeHAL writes an encoded body as application/hal+json.
func writeHAL(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", halContentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
