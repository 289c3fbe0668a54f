package openproject

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// AppendString appends s to b as a JSON string, exactly as the default
// rendering (encoding/json without HTML escaping) writes a string property,
// for Config.AppendProperties.
func AppendString(b []byte, s string) []byte { return httpx.AppendString(b, s) }

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
func (l Link) MarshalJSON() ([]byte, error) { return appendLink(nil, l), nil }

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

// halBody is a JSON object the adapter rendered itself, compact and
// exactly as encoding/json (without HTML escaping) would have encoded it:
// written as it is, never encoded again.
type halBody []byte

// MarshalJSON returns the body, for a host that encodes one.
func (b halBody) MarshalJSON() ([]byte, error) { return b, nil }

// scratch is what rendering a response needs for a while, taken from a
// pool (newScratch) and given back (release) when the response is written:
// the buffer the default rendering appends to, its lists, and a buffer
// for a collection.
type scratch struct {
	buf, out         []byte
	views            []*actionView
	links, resources [][]byte
	linked           []namedLink
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// newScratch returns a scratch from the pool, its buffer and lists empty.
func newScratch() *scratch { return scratches.Get().(*scratch) }

// release returns s to the pool, but for a large buffer (a pool keeps what
// it is given). What was rendered into s is no longer valid.
func (s *scratch) release() {
	if cap(s.buf) > 64<<10 || cap(s.out) > 64<<10 {
		return
	}
	s.buf, s.out = s.buf[:0], s.out[:0]
	clear(s.views[:cap(s.views)])
	clear(s.links[:cap(s.links)])
	clear(s.resources[:cap(s.resources)])
	clear(s.linked[:cap(s.linked)])
	s.views, s.links, s.resources, s.linked = s.views[:0], s.links[:0], s.resources[:0], s.linked[:0]
	scratches.Put(s)
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
// _embedded is left out when wp.EmbeddedCustomActions is nil. skip holds
// the names of the linked properties.
func renderDefault[T any](wp WorkPackage[T], linked []namedLink, skip map[string]bool, extra map[string]Link) (halBody, error) {
	links, resources := encodeActions(wp)
	return appendParts(nil, wp.ID, wp.LockVersion, wp.Object, nil, links, resources, linked, skip, extra)
}

// encodeActions encodes wp's custom action links and, unless
// wp.EmbeddedCustomActions is nil, their resources, as appendParts takes
// them.
func encodeActions[T any](wp WorkPackage[T]) (links, resources [][]byte) {
	links = make([][]byte, len(wp.CustomActions))
	for i, l := range wp.CustomActions {
		links[i] = appendLink(nil, l)
	}
	if wp.EmbeddedCustomActions != nil {
		resources = make([][]byte, len(wp.EmbeddedCustomActions))
		for i, c := range wp.EmbeddedCustomActions {
			resources[i] = appendCustomAction(nil, c)
		}
	}
	return links, resources
}

// appendParts appends renderDefault's rendering to b, with the custom
// actions' links and resources encoded already; resources nil leaves
// _embedded out. props, unless nil, writes the properties of obj instead
// of encoding/json and appendFields (Config.AppendProperties).
func appendParts[T any](b []byte, id string, version int64, obj T, props func([]byte, T) ([]byte, string, error), links, resources [][]byte, linked []namedLink, skip map[string]bool, extra map[string]Link) ([]byte, error) {
	var fields []byte
	if props == nil {
		enc := httpx.NewEncoder()
		defer enc.Release()
		var err error
		if fields, err = enc.Marshal(obj); err != nil {
			return nil, err
		}
	}
	size := 2*len(fields) + 128*(2+len(linked)+len(extra))
	for _, l := range links {
		size += len(l) + 1
	}
	for _, r := range resources {
		size += len(r) + 1
	}
	b = slices.Grow(b, size)
	b = append(b, `{"_type":"WorkPackage","id":`...)
	if canonical(id) {
		b = append(b, id...)
	} else {
		b = httpx.AppendString(b, id)
	}
	b = append(b, `,"lockVersion":`...)
	b = strconv.AppendInt(b, version, 10)
	var rawSubject []byte
	var subject string
	var err error
	if props == nil {
		b, rawSubject, err = appendFields(b, fields, skip)
	} else {
		b, subject, err = props(b, obj)
	}
	if err != nil {
		return nil, err
	}
	if resources != nil {
		b = append(b, `,"_embedded":{"customActions":[`...)
		for i, r := range resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, r...)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `,"_links":{"self":`...)
	if self, ok := extra["self"]; ok {
		b = appendLink(b, self)
	} else {
		b = appendSelf(b, id, rawSubject, subject)
	}
	for _, l := range linked {
		b = append(b, ',')
		b = httpx.AppendString(b, l.name)
		b = append(b, ':')
		b = appendLink(b, l.link)
	}
	if len(extra) > 0 {
		names := make([]string, 0, len(extra))
		for name := range extra {
			if name != "self" && name != "customActions" && !skip[name] {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			b = append(b, ',')
			b = httpx.AppendString(b, name)
			b = append(b, ':')
			b = appendLink(b, extra[name])
		}
	}
	b = append(b, `,"customActions":[`...)
	for i, l := range links {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, l...)
	}
	b = append(b, "]}}"...)
	return b, nil
}

// appendSelf appends the default self link of work package id, titled
// with the subject: raw, the JSON string that holds it, unless nil, else
// subject.
func appendSelf(b []byte, id string, raw []byte, subject string) []byte {
	if raw != nil && !plainString(raw) {
		subject, raw = stringValue(raw), nil
	} else if raw == nil && !utf8.ValidString(subject) {
		// As the subject decoded from its encoding titles it: each byte
		// that is not UTF-8 is U+FFFD, written as it is.
		subject = stringValue(httpx.AppendString(nil, subject))
	}
	// raw is nil or a plain string, which is its own encoding.
	if !canonical(id) {
		if raw != nil {
			subject = string(raw[1 : len(raw)-1])
		}
		return appendLink(b, Link{Href: workPackagesPath + url.PathEscape(id), Title: subject})
	}
	// A canonical id is its own escape and encoding.
	b = append(b, `{"href":"`+workPackagesPath...)
	b = append(b, id...)
	b = append(b, '"')
	switch {
	case len(raw) > 2:
		b = append(b, `,"title":`...)
		b = append(b, raw...)
	case raw == nil && subject != "":
		b = append(b, `,"title":`...)
		b = httpx.AppendString(b, subject)
	}
	return append(b, '}')
}

// appendFields appends the members of the JSON object fields (compact, as
// encoding/json encodes a value), in order, each preceded by a comma,
// leaving out the reserved keys and those in skip. It returns the last
// value of "subject" that is a string, as it is in fields, or nil. A key
// is written as encoding/json writes the string it decodes to, a value as
// it is.
func appendFields(b, fields []byte, skip map[string]bool) ([]byte, []byte, error) {
	if len(fields) < 2 || fields[0] != '{' {
		return nil, nil, errNotObject
	}
	var subject []byte
	for i := 1; ; {
		switch {
		case i >= len(fields):
			return nil, nil, errNotObject
		case fields[i] == '}':
			return b, subject, nil
		case fields[i] == ',':
			i++
		}
		end, ok := skipValue(fields, i)
		if !ok || fields[i] != '"' || end >= len(fields) || fields[end] != ':' {
			return nil, nil, errNotObject
		}
		rawKey := fields[i:end]
		i = end + 1
		if end, ok = skipValue(fields, i); !ok {
			return nil, nil, errNotObject
		}
		val := fields[i:end]
		i = end
		// A key of plain ASCII is its own encoding; another is decoded and
		// encoded again, as a decoder and an encoder would.
		if plainString(rawKey) {
			key := rawKey[1 : len(rawKey)-1]
			if string(key) == "subject" && val[0] == '"' {
				subject = val
			}
			if reservedKeys[string(key)] || skip[string(key)] {
				continue
			}
			b = append(b, ',')
			b = append(b, rawKey...)
		} else {
			var key string
			if err := json.Unmarshal(rawKey, &key); err != nil {
				return nil, nil, err
			}
			if key == "subject" && val[0] == '"' {
				subject = val
			}
			if reservedKeys[key] || skip[key] {
				continue
			}
			b = append(b, ',')
			b = httpx.AppendString(b, key)
		}
		b = append(b, ':')
		b = append(b, val...)
	}
}

// checkProperties compares what props writes for the zero T with the
// default rendering's properties, when the zero T encodes as a JSON object
// and props does not panic on it; skip holds the names of the linked
// properties.
func checkProperties[T any](props func([]byte, T) ([]byte, string, error), skip map[string]bool) (err error) {
	var zero T
	fields, err := marshal(zero)
	if err != nil {
		return nil
	}
	want, raw, err := appendFields(nil, fields, skip)
	if err != nil {
		return nil // not an object: a nil pointer, say
	}
	defer func() {
		if recover() != nil {
			err = nil // a zero value it was not written for
		}
	}()
	got, subject, err := props(nil, zero)
	if err != nil {
		return nil
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("for the zero work package it writes %s, encoding/json %s", got, want)
	}
	if wantSubject := stringValue(raw); subject != wantSubject {
		return fmt.Errorf("for the zero work package the subject is %q, not %q", subject, wantSubject)
	}
	return nil
}

// errNotObject: the object does not encode as a JSON object.
var errNotObject = errors.New("the work package does not encode as a JSON object")

// stringValue returns the string the JSON string raw holds; "" for nil.
func stringValue(raw []byte) string {
	if plainString(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s) // a string of valid JSON: cannot fail
	return s
}

// skipValue returns the end of the compact JSON value that starts at
// data[i], and false when data ends before the object holding it does or
// there is no value at i.
func skipValue(data []byte, i int) (int, bool) {
	start, depth := i, 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			if i >= len(data) {
				return 0, false
			}
			if depth == 0 {
				return i + 1, true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, i > start // a number, true, false or null ends here
			}
			if depth--; depth == 0 {
				return i + 1, true
			}
		case ',', ':':
			if depth == 0 {
				return i, i > start
			}
		}
	}
	return 0, false
}

// plainString reports whether raw is a quoted JSON string of plain
// printable ASCII without escapes, which encoding/json writes as it is.
func plainString(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if !httpx.PlainByte(c) {
			return false
		}
	}
	return true
}

// appendLink appends l as Link.MarshalJSON encodes it.
func appendLink(b []byte, l Link) []byte {
	b = append(b, `{"href":`...)
	if l.Href == "" {
		b = append(b, "null"...)
	} else {
		b = httpx.AppendString(b, l.Href)
	}
	if l.Title != "" {
		b = append(b, `,"title":`...)
		b = httpx.AppendString(b, l.Title)
	}
	if l.Method != "" {
		b = append(b, `,"method":`...)
		b = httpx.AppendString(b, l.Method)
	}
	if l.Templated {
		b = append(b, `,"templated":true`...)
	}
	return append(b, '}')
}

// appendCustomAction appends c as encoding/json encodes it.
func appendCustomAction(b []byte, c CustomAction) []byte {
	b = append(b, `{"_type":`...)
	b = httpx.AppendString(b, c.Type)
	b = append(b, `,"name":`...)
	b = httpx.AppendString(b, c.Name)
	b = append(b, `,"description":`...)
	if c.Description == nil {
		b = append(b, "null"...)
	} else {
		b = httpx.AppendString(b, *c.Description)
	}
	b = append(b, `,"_links":{"executeImmediately":`...)
	b = appendLink(b, c.Links.ExecuteImmediately)
	b = append(b, `,"self":`...)
	b = appendLink(b, c.Links.Self)
	return append(b, "}}"...)
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

// writeHAL writes an encoded body as application/hal+json. It may append
// to body.
func writeHAL(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", halContentType)
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
