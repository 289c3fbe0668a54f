package openproject

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/actionable-go/actionable/actions"
)

// halContentType is the content type of every JSON response.
const halContentType = "application/hal+json; charset=utf-8"

// Link is a HAL link.
type Link struct {
	Href   string `json:"href"`
	Title  string `json:"title,omitempty"`
	Method string `json:"method,omitempty"`
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
}

// customAction is the CustomAction representation, keys in OpenProject's
// order.
type customAction struct {
	Type        string  `json:"_type"`
	Name        string  `json:"name"`
	Description *string `json:"description"` // null when empty, never left out
	Links       struct {
		ExecuteImmediately Link `json:"executeImmediately"`
		Self               Link `json:"self"`
	} `json:"_links"`
}

func customActionHref(id string) string { return customActionsPath + url.PathEscape(id) }

func customActionOf(a *actions.Action) customAction {
	c := customAction{Type: "CustomAction", Name: a.Name()}
	if d := a.Description(); d != "" {
		c.Description = &d
	}
	href := customActionHref(a.ID())
	c.Links.ExecuteImmediately = Link{Href: href + "/execute", Title: "Execute " + a.Name(), Method: "post"}
	c.Links.Self = Link{Href: href, Title: a.Name()}
	return c
}

// numericID matches the ids rendered as JSON numbers, as OpenProject's are.
var numericID = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// reservedKeys are the keys the default rendering writes itself; fields of T
// with these JSON names are left out.
var reservedKeys = map[string]bool{"_type": true, "id": true, "lockVersion": true, "_links": true}

// renderDefault renders {"_type": "WorkPackage", "id", "lockVersion", the JSON
// fields of T in their order, "_links": {self, extra links by name,
// customActions}}.
func renderDefault[T any](wp WorkPackage[T], extra func(string, T) map[string]Link) (json.RawMessage, error) {
	fields, err := marshal(wp.Object)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"_type":"WorkPackage","id":`)
	if numericID.MatchString(wp.ID) {
		b.WriteString(wp.ID)
	} else {
		id, _ := marshal(wp.ID)
		b.Write(id)
	}
	b.WriteString(`,"lockVersion":`)
	b.WriteString(strconv.FormatInt(wp.LockVersion, 10))
	if err := writeFields(&b, fields); err != nil {
		return nil, err
	}
	links := map[string]Link{}
	if extra != nil {
		links = extra(wp.ID, wp.Object)
	}
	self, ok := links["self"]
	if !ok {
		self = Link{Href: workPackagesPath + url.PathEscape(wp.ID)}
	}
	names := make([]string, 0, len(links))
	for name := range links {
		if name != "self" && name != "customActions" {
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
	write(`,"_links":{"self":`, self)
	for _, name := range names {
		write(",", name)
		write(":", links[name])
	}
	write(`,"customActions":`, actionLinks)
	b.WriteString("}}")
	if werr != nil {
		return nil, werr
	}
	return json.RawMessage(b.Bytes()), nil
}

// writeFields appends the members of the JSON object fields, in order,
// each preceded by a comma, leaving out the reserved keys.
func writeFields(b *bytes.Buffer, fields []byte) error {
	dec := json.NewDecoder(bytes.NewReader(fields))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("the work package does not encode as a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return err
		}
		if reservedKeys[key] {
			continue
		}
		k, err := marshal(key)
		if err != nil {
			return err
		}
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	return nil
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
