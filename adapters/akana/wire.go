package akana

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// RSS is the body of GET .../actions: an RSS-style channel. In JSON the
// root object has the one key "channel"; in XML the root element is <rss>.
type RSS struct {
	XMLName xml.Name `json:"-" xml:"rss"`
	Channel Channel  `json:"channel" xml:"channel"`
}

// Channel lists the actions valid for one object.
type Channel struct {
	// Title is the workflow's title.
	Title          string         `json:"title" xml:"title"`
	WorkflowObject WorkflowObject `json:"WorkflowObject" xml:"WorkflowObject"`
	// Items are the valid actions, one per action, in workflow order. JSON
	// always has the array, empty if no action is valid.
	Items []Item `json:"item" xml:"item"`
}

// WorkflowObject is the object's workflow key and state.
type WorkflowObject struct {
	WorkflowDefinitionKey string `json:"WorkflowDefinitionKey" xml:"WorkflowDefinitionKey"`
	// State is an array on the wire; the adapter sends one state.
	State []string `json:"State" xml:"State"`
}

// Item is one valid action.
type Item struct {
	GUID GUID `json:"guid" xml:"guid"`
}

// GUID carries the action name: {"value": "@Modify"} in JSON, the text of
// <guid> in XML.
type GUID struct {
	Value string `json:"value" xml:",chardata"`
}

// Action is the body of POST .../actions. Comments is a string or an array
// of strings in JSON, and one or more <Comments> elements in XML:
//
//	{"ActionName": "discussion.action.unpublish", "Comments": "Unpublishing while I edit."}
//	<Action><ActionName>discussion.action.unpublish</ActionName><Comments>Unpublishing while I edit.</Comments></Action>
//
// UserID is accepted and ignored: the actor is who logged in.
type Action struct {
	XMLName    xml.Name `json:"-" xml:"Action"`
	UserID     string   `json:"UserID,omitempty" xml:"UserID,omitempty"`
	ActionName string   `json:"ActionName" xml:"ActionName"`
	Comments   Comments `json:"Comments,omitempty" xml:"Comments,omitempty"`
}

// Comments are the comments of an Action. The adapter keeps them, joined
// by newlines, as the execution's comment.
type Comments []string

// UnmarshalJSON accepts a string, an array of strings or null.
func (c *Comments) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*c = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = Comments{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("Comments must be a string or an array of strings")
	}
	*c = list
	return nil
}

// Error is the body of every error response, in the negotiated media type:
//
//	{"code": 404, "message": "object \"x\" not found"}
//	<error><code>404</code><message>object "x" not found</message></error>
type Error struct {
	XMLName xml.Name `json:"-" xml:"error"`
	Code    int      `json:"code" xml:"code"`
	Message string   `json:"message" xml:"message"`
}

// mediaTypes are the media types of the documents, JSON first: the
// default for a missing Accept or */*.
var mediaTypes = []string{
	"application/json", "application/xml",
	"application/vnd.soa.v71+json", "application/vnd.soa.v71+xml",
	"application/vnd.soa.v72+json", "application/vnd.soa.v72+xml",
	"application/vnd.soa.v80+json", "application/vnd.soa.v80+xml",
	"application/vnd.soa.v81+json", "application/vnd.soa.v81+xml",
}

const mediaJSON = "application/json"

func isXML(mediaType string) bool {
	return mediaType == "application/xml" || strings.HasSuffix(mediaType, "+xml")
}

// supported returns the media type if it is one of mediaTypes.
func supported(mediaType string) bool {
	for _, m := range mediaTypes {
		if m == mediaType {
			return true
		}
	}
	return false
}

type mediaRange struct {
	typ, sub string
	q        float64
}

// parseAccept parses Accept header values; malformed ranges are skipped.
func parseAccept(values []string) []mediaRange {
	var out []mediaRange
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil || !(f >= 0 && f <= 1) {
					continue
				}
				q = f
			}
			typ, sub, _ := strings.Cut(mt, "/")
			if mt == "*" {
				typ, sub = "*", "*"
			}
			out = append(out, mediaRange{typ: typ, sub: sub, q: q})
		}
	}
	return out
}

// negotiate picks the offer the Accept values prefer: the one with the
// highest quality, taking for each offer the quality of the most specific
// range that matches it, and the first offer on ties. No Accept (or none
// that parses) picks the first offer. With wildcards false, only ranges
// naming the offer's type (type/subtype or type/*) count.
func negotiate(accept []string, offers []string, wildcards bool) (string, bool) {
	// An Accept that names one offer, and nothing else, picks it: the
	// usual case, without parsing.
	if len(accept) == 1 {
		for _, o := range offers {
			if accept[0] == o {
				return o, true
			}
		}
	}
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return offers[0], wildcards
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		ot, os, _ := strings.Cut(o, "/")
		spec, q := -1, 0.0
		for _, r := range ranges {
			s := -1
			switch {
			case r.typ == ot && r.sub == os:
				s = 2
			case r.typ == ot && r.sub == "*":
				s = 1
			case r.typ == "*" && r.sub == "*" && wildcards:
				s = 0
			}
			if s > spec || s == spec && r.q > q {
				spec, q = s, r.q
			}
		}
		if spec >= 0 && q > bestQ {
			best, bestQ = o, q
		}
	}
	return best, bestQ > 0
}

// encode renders v in the media type: indented JSON, or XML with a
// declaration.
func encode(mediaType string, v any) ([]byte, error) {
	if isXML(mediaType) {
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		enc.Indent("", "  ")
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		buf.WriteByte('\n')
		return buf.Bytes(), nil
	}
	if rss, ok := v.(RSS); ok {
		return appendRSS(make([]byte, 0, 512), rss), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendRSS appends v in JSON as encode does (indented by two spaces, a
// newline after), without encoding/json's reflection and indenting pass:
// GET .../actions answers it on every request.
func appendRSS(b []byte, v RSS) []byte {
	ch := v.Channel
	b = append(b, "{\n  \"channel\": {\n    \"title\": "...)
	b = httpx.AppendString(b, ch.Title)
	b = append(b, ",\n    \"WorkflowObject\": {\n      \"WorkflowDefinitionKey\": "...)
	b = httpx.AppendString(b, ch.WorkflowObject.WorkflowDefinitionKey)
	b = append(b, ",\n      \"State\": "...)
	switch {
	case ch.WorkflowObject.State == nil:
		b = append(b, "null"...)
	case len(ch.WorkflowObject.State) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i, s := range ch.WorkflowObject.State {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n        "...)
			b = httpx.AppendString(b, s)
		}
		b = append(b, "\n      ]"...)
	}
	b = append(b, "\n    },\n    \"item\": "...)
	switch {
	case ch.Items == nil:
		b = append(b, "null"...)
	case len(ch.Items) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i, it := range ch.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n      {\n        \"guid\": {\n          \"value\": "...)
			b = httpx.AppendString(b, it.GUID.Value)
			b = append(b, "\n        }\n      }"...)
		}
		b = append(b, "\n    ]"...)
	}
	return append(b, "\n  }\n}\n"...)
}

// xmlAction is the XML form of Action, accepting any root element name
// (and namespace) and catching unknown elements.
type xmlAction struct {
	XMLName    xml.Name
	UserID     string   `xml:"UserID"`
	ActionName string   `xml:"ActionName"`
	Comments   []string `xml:"Comments"`
	Unknown    []struct {
		XMLName xml.Name
	} `xml:",any"`
}

// decodeAction decodes an Action body in JSON or XML. It is strict: an
// unknown field or element, a wrong type or trailing data is an error.
func decodeAction(r io.Reader, asXML bool) (Action, error) {
	if asXML {
		return decodeXMLAction(r)
	}
	var a Action
	if err := httpx.DecodeJSON(r, &a); err != nil {
		return Action{}, err
	}
	return a, nil
}

func decodeXMLAction(r io.Reader) (Action, error) {
	var x xmlAction
	dec := xml.NewDecoder(r)
	if err := dec.Decode(&x); err != nil {
		return Action{}, err
	}
	if len(x.Unknown) > 0 {
		return Action{}, fmt.Errorf("unknown element <%s>", x.Unknown[0].XMLName.Local)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Action{}, err
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return Action{}, errors.New("unexpected text after the root element")
			}
		default:
			return Action{}, errors.New("unexpected data after the root element")
		}
	}
	return Action{UserID: x.UserID, ActionName: x.ActionName, Comments: x.Comments}, nil
}
