package openproject

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	gocmp "github.com/google/go-cmp/cmp"
)

// renderReference is the first rendering of the default representation:
// marshal the object, decode it token by token, marshal every key again.
// renderDefault must write exactly its bytes.
func renderReference[T any](wp WorkPackage[T], linked []namedLink, extra map[string]Link) (json.RawMessage, error) {
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
	subject, err := referenceFields(&b, fields, skip)
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

// referenceFields appends the members of the JSON object fields, in order,
// each preceded by a comma, leaving out the reserved keys and those in
// skip. It returns the value of "subject" when that is a string.
func referenceFields(b *bytes.Buffer, fields []byte, skip map[string]bool) (subject string, err error) {
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

// tricky is a work package whose JSON names and values exercise escaping:
// HTML characters, quotes, backslashes, control characters, U+2028, non-ASCII.
type tricky struct {
	Subject string          `json:"subject"`
	Amp     string          `json:"a&b"`
	Unicode string          `json:"ünïcode"`
	Nested  map[string]any  `json:"nested"`
	List    []string        `json:"list"`
	Type    string          `json:"type"`
	ID      int             `json:"id"` // reserved: left out
	Raw     json.RawMessage `json:"raw"`
}

// rawObject is a work package that encodes as whatever JSON it holds.
type rawObject struct{ raw string }

func (o rawObject) MarshalJSON() ([]byte, error) { return []byte(o.raw), nil }

func TestRenderDefaultIsReference(t *testing.T) {
	links := []Link{{Href: "/api/v3/custom_actions/1", Title: "Close <now> & \"then\""}, {Href: "/x?a=1&b=2", Method: "post", Templated: true}, {}}
	desc := "line\nbreak \u2028 <b>"
	actions := []CustomAction{{Type: "CustomAction", Name: "Ünïcode \x00", Description: &desc}, {Type: "CustomAction", Name: "plain"}}
	linked := []namedLink{{name: "type", link: Link{Href: "/api/v3/types/1", Title: "Task"}}}
	skip := map[string]bool{"type": true}
	extras := []map[string]Link{nil, {"schema": {Href: "/s"}, "self": {Href: "/mine", Title: "t"}, "type": {Href: "/no"}, "a\"b": {Href: "/q"}}}
	subjects := []string{"Write the release notes", "", "quote \" back \\ slash", "<html> & co", "tab\tnl\n", "\u2028\u2029", "ünï", "\x7f del", "bad \xff utf-8"}
	for _, subject := range subjects {
		for _, extra := range extras {
			for _, id := range []string{"42", "007", "a b/c"} {
				wp := WorkPackage[tricky]{ID: id, LockVersion: 3, CustomActions: links, EmbeddedCustomActions: actions,
					Object: tricky{Subject: subject, Amp: subject, Unicode: subject, Nested: map[string]any{"k}": "{v]", "n": []any{1.5, nil, "\"}"}},
						List: []string{subject, "x"}, Type: "Task", ID: 9, Raw: json.RawMessage(`{"a" : [1, 2]}`)}}
				compare(t, wp, linked, skip, extra)
				wp.EmbeddedCustomActions, wp.CustomActions = nil, nil
				compare(t, wp, linked, skip, extra)
			}
		}
	}
	for _, raw := range []string{
		`{}`, `{"subject":1}`, `{"subject":"a","subject":"b\u00e9"}`, `{"k\u00e9y":"v","\u2028":"\u2028","\ud800":true}`,
		`{"a":{"b":{"c":[[],{}]}},"subject":null}`, `{"x":"\\\"","y":-1.5e3}`, "{\"\u2028raw\":\"\u2028\"}", "{\"\xff\":\"\xff\"}",
	} {
		compare(t, WorkPackage[rawObject]{ID: "1", LockVersion: 1, Object: rawObject{raw}}, nil, nil, nil)
	}
	for _, raw := range []string{`[]`, `null`, `"s"`, `3`} {
		_, err := renderDefault(WorkPackage[rawObject]{ID: "1", Object: rawObject{raw}}, nil, nil, nil)
		if _, refErr := renderReference(WorkPackage[rawObject]{ID: "1", Object: rawObject{raw}}, nil, nil); err == nil || refErr == nil {
			t.Errorf("%s: err = %v, reference %v; want both to fail", raw, err, refErr)
		}
	}
}

func compare[T any](t *testing.T, wp WorkPackage[T], linked []namedLink, skip map[string]bool, extra map[string]Link) {
	t.Helper()
	want, err := renderReference(wp, linked, extra)
	if err != nil {
		t.Fatal(err)
	}
	got, err := renderDefault(wp, linked, skip, extra)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("rendering mismatch (-reference +got):\n%s", diff)
	}
	// The same properties from Config.AppendProperties: the rest of the
	// rendering, and the self link titled with the subject it returns.
	props := func(b []byte, obj T) ([]byte, string, error) {
		fields, err := marshal(obj)
		if err != nil {
			return nil, "", err
		}
		b, raw, err := appendFields(b, fields, skip)
		return b, stringValue(raw), err
	}
	links, resources := encodeActions(wp)
	got, err = appendParts([]byte("prefix"), wp.ID, wp.LockVersion, wp.Object, props, links, resources, linked, skip, extra)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff("prefix"+string(want), string(got)); diff != "" {
		t.Errorf("rendering with AppendProperties mismatch (-reference +got):\n%s", diff)
	}
}

// TestAppendPropertiesSubject: the subject Config.AppendProperties returns
// (the Go string, not one decoded from JSON) titles self as the default
// rendering titles it, also when it is not UTF-8.
func TestAppendPropertiesSubject(t *testing.T) {
	for _, subject := range []string{"plain", "", "quote \" back \\", "<html> & co", "\u2028", "ünï", "bad \xff\xfe utf-8", "\xed\xa0\x80", "tab\t\x00"} {
		for _, id := range []string{"42", "a b/c"} {
			wp := WorkPackage[tricky]{ID: id, LockVersion: 1, Object: tricky{Subject: subject}}
			want, err := renderReference(wp, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			props := func(b []byte, obj tricky) ([]byte, string, error) {
				fields, err := marshal(obj)
				if err != nil {
					return nil, "", err
				}
				b, _, err = appendFields(b, fields, nil)
				return b, obj.Subject, err
			}
			got, err := appendParts(nil, wp.ID, wp.LockVersion, wp.Object, props, nil, nil, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("subject %q, id %q: mismatch (-reference +got):\n%s", subject, id, diff)
			}
		}
	}
}

func FuzzRenderDefault(f *testing.F) {
	f.Add("subject", "Write the release notes", `{"a":[1,"}"]}`)
	f.Add("a\u2028b", "<&>\"", `"\u00e9"`)
	f.Fuzz(func(t *testing.T, key, subject, value string) {
		if !json.Valid([]byte(value)) {
			return
		}
		obj := map[string]any{key: json.RawMessage(value), "subject": subject}
		wp := WorkPackage[map[string]any]{ID: key, LockVersion: 1, Object: obj,
			CustomActions: []Link{{Href: key, Title: subject}}, EmbeddedCustomActions: []CustomAction{{Name: subject, Description: &key}}}
		compare(t, wp, []namedLink{{name: key, link: Link{Href: subject}}}, map[string]bool{key: true}, map[string]Link{subject: {Href: key}})
	})
}

// referenceLink is the first Link.MarshalJSON: a struct with a *string
// href, through encoding/json.
func referenceLink(l Link) []byte {
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
	b, _ := marshal(v)
	return b
}

func TestLinkIsReference(t *testing.T) {
	for _, s := range []string{"", "/api/v3/statuses/1", "a&b<c>", "quote \" back \\", "\x00\x1f\x7f", "\u2028\u2029", "ünï", "bad \xff\xfe"} {
		for _, l := range []Link{{Href: s}, {Href: s, Title: s}, {Title: s, Method: s}, {Href: s, Templated: true}} {
			got, _ := l.MarshalJSON()
			if diff := gocmp.Diff(string(referenceLink(l)), string(got)); diff != "" {
				t.Errorf("%#v mismatch (-reference +got):\n%s", l, diff)
			}
		}
	}
}

// referenceLockVersion is the first parseLockVersion: a string, else a
// json.Number.
func referenceLockVersion(raw json.RawMessage) int64 {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0
		}
		s = string(n)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 {
		return 0
	}
	return v
}

func TestParseLockVersionIsReference(t *testing.T) {
	for _, raw := range []string{"", "3", `"3"`, "null", "true", "false", "[3]", `{"a":3}`, "-3", "0", "3.0", "1e2", `"1e2"`, `" 3"`,
		"9223372036854775807", "9223372036854775808", `"9223372036854775807"`, `"\u0033"`, `""`, "-0"} {
		if got, want := parseLockVersion(json.RawMessage(raw)), referenceLockVersion(json.RawMessage(raw)); got != want {
			t.Errorf("parseLockVersion(%s) = %d, reference %d", raw, got, want)
		}
	}
}

// referenceDecodeExecute is the first decodeExecute: the body decoded
// into a map[string]json.RawMessage.
func referenceDecodeExecute(r io.Reader) (executeBody, error) {
	data, err := io.ReadAll(r)
	if err != nil { // the size limit: the reader's error, not the parser's
		return executeBody{}, &bodyError{err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return executeBody{}, &bodyError{err: errors.New("empty body")}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return executeBody{}, &bodyError{parseError: parseMessage(data, syntax), err: err}
		}
		return executeBody{}, &bodyError{err: err} // JSON, but not an object
	}
	if top == nil {
		return executeBody{}, &bodyError{err: errors.New("null")}
	}
	var body executeBody
	var links struct {
		WorkPackage struct {
			Href json.RawMessage `json:"href"`
		} `json:"workPackage"`
	}
	if json.Unmarshal(top["_links"], &links) == nil {
		raw := links.WorkPackage.Href
		var href string
		switch {
		case len(raw) == 0 || string(raw) == "null": // no link
		case raw[0] == '"' && json.Unmarshal(raw, &href) == nil:
			id, err := workPackageID(href)
			if err != nil {
				return executeBody{}, err
			}
			body.link, body.id = true, id
		default:
			body.link = true // not a string: links nothing
		}
	}
	body.lockVersion = parseLockVersion(top["lockVersion"])
	return body, nil
}

func FuzzDecodeExecuteIsReference(f *testing.F) {
	for _, seed := range []string{
		`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}`,
		"{ \"_links\" : { \"workPackage\" : { \"href\" : \"/api/v3/work_packages/42\" } } ,\n\t\"lockVersion\" : \"3\" }",
		`{"lockVersion":1,"lockVersion":2,"_links":{},"_links":{"WORKPACKAGE":{"HREF":"/api/v3/work_packages/7"}}}`,
		`{"lock\u0056ersion":4,"\u005flinks":{"workPackage":{"href":"\/api\/v3\/work_packages\/9"}}}`,
		`{"LOCKVERSION":3,"x":[1,{"y":"}"}],"z":null,"t":true,"n":-1.5e3}`,
		`{"_links":[],"lockVersion":{}}`, `{}`, `[]`, `null`, `"s"`, `3`, `{"a":}`, `{"a":1}x`, `{"a":1} {}`, "{\"\xff\":1}",
	} {
		f.Add([]byte(seed))
	}
	for _, seed := range plainBodies {
		f.Add([]byte(seed))
	}
	for _, seed := range notPlainBodies {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := referenceDecodeExecute(bytes.NewReader(data))
		got, _, err := decodeExecute(bytes.NewReader(data), nil)
		if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(executeBody{})); diff != "" {
			t.Errorf("%q: mismatch (-reference +got):\n%s", data, diff)
		}
		if fmt.Sprint(wantErr) != fmt.Sprint(err) {
			t.Errorf("%q: error %v, reference %v", data, err, wantErr)
		}
		// The fast path and the JSON path, each on its own.
		if len(bytes.TrimSpace(data)) == 0 {
			return
		}
		if _, _, ok := plainExecute(data); !ok {
			return
		}
		if !json.Valid(data) {
			t.Errorf("%q: plainExecute accepts invalid JSON", data)
		}
		slow, slowErr := decodeExecuteJSON(data)
		fast, fastErr := plainDecode(data)
		if diff := gocmp.Diff(slow, fast, gocmp.AllowUnexported(executeBody{})); diff != "" {
			t.Errorf("%q: plainExecute mismatch (-decodeExecuteJSON +plainExecute):\n%s", data, diff)
		}
		if fmt.Sprint(slowErr) != fmt.Sprint(fastErr) {
			t.Errorf("%q: plainExecute error %v, decodeExecuteJSON %v", data, fastErr, slowErr)
		}
	})
}

// plainDecode is decodeExecute's fast path alone, for a body plainExecute
// accepts.
func plainDecode(data []byte) (executeBody, error) {
	href, lockVersion, _ := plainExecute(data)
	id, err := plainHrefID(href)
	if err != nil {
		return executeBody{}, err
	}
	return executeBody{link: true, id: id, lockVersion: lockVersion}, nil
}

// plainBodies are bodies decodeExecute reads without encoding/json.
var plainBodies = []string{
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":"3"}`,
	`{"lockVersion":123456789012345678,"_links":{"workPackage":{"href":"/api/v3/work_packages/0042"}}}`,
	"\t\r\n { \"_links\" : { \"workPackage\" : { \"href\" : \"/api/v3/work_packages/7\" } } ,\n\t\"lockVersion\" : \"0003\" } \n",
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/000"}},"lockVersion":0}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":"000"}`,
	`{"_links":{"workPackage":{"href":"http://x/api/v3/work_packages/42"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/%34%32"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/4x"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/%zz"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v3/projects/42"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v2/work_packages/42"}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":""}},"lockVersion":1}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42?x=1"}},"lockVersion":1}`,
}

// notPlainBodies are bodies decodeExecute leaves to encoding/json, each
// one step from a plain body.
var notPlainBodies = []string{
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":03}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":-3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3.0}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3e0}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":" 3"}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":"+3"}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":"3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":1234567890123456789}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":null}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3,}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}x`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}{}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3` + "\v",
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}}}`,
	`{"lockVersion":3}`,
	`{"lockVersion":3,"lockVersion":4}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"_links":{"workPackage":{"href":"/api/v3/work_packages/43"}}}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3,"x":1}`,
	`{"_links":{"workPackage":{"href":"\/api\/v3\/work_packages\/42"}},"lockVersion":3}`,
	"{\"_links\":{\"workPackage\":{\"href\":\"/api/v3/work_packages/42\xff\"}},\"lockVersion\":3}",
	"{\"_links\":{\"workPackage\":{\"href\":\"/api/v3/work_packages/42\t\"}},\"lockVersion\":3}",
	`{"_links":{"workPackage":{"href":null}},"lockVersion":3}`,
	`{"_links":{"workPackage":{"href":42}},"lockVersion":3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42","title":"x"}},"lockVersion":3}`,
	`{"_links":{"workPackage":{"HREF":"/api/v3/work_packages/42"}},"lockVersion":3}`,
	`{"_links":{"WorkPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}`,
	`{"_Links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"},"self":{}},"lockVersion":3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lock\u0056ersion":3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}} "lockVersion":3}`,
	`{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion"3}`,
	`[{"_links":{"workPackage":{"href":"/api/v3/work_packages/42"}},"lockVersion":3}]`,
}

// TestPlainExecute: the bodies clients send take the fast path, and
// anything a step away from them does not; either way decodeExecute
// answers as the JSON path does.
func TestPlainExecute(t *testing.T) {
	for _, body := range plainBodies {
		if _, _, ok := plainExecute([]byte(body)); !ok {
			t.Errorf("plainExecute(%q) refuses it", body)
		}
	}
	for _, body := range notPlainBodies {
		if _, _, ok := plainExecute([]byte(body)); ok {
			t.Errorf("plainExecute(%q) accepts it", body)
		}
	}
	for _, body := range slices.Concat(plainBodies, notPlainBodies) {
		want, wantErr := decodeExecuteJSON([]byte(body))
		got, _, err := decodeExecute(strings.NewReader(body), make([]byte, 3, 7))
		if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(executeBody{})); diff != "" {
			t.Errorf("%q: mismatch (-decodeExecuteJSON +decodeExecute):\n%s", body, diff)
		}
		if fmt.Sprint(wantErr) != fmt.Sprint(err) {
			t.Errorf("%q: error %v, decodeExecuteJSON %v", body, err, wantErr)
		}
	}
}

// TestPlainExecuteAllocs: the fast path allocates the id, nothing else.
func TestPlainExecuteAllocs(t *testing.T) {
	data := []byte(plainBodies[0])
	if n := testing.AllocsPerRun(100, func() {
		if _, err := plainDecode(data); err != nil {
			t.Fatal(err)
		}
	}); n > 1 {
		t.Errorf("%v allocations, want at most 1", n)
	}
}

// TestPageLinkIsReference: a page link is the first pageLink's, which
// url.Values encoded (sorted keys, escaped values).
func TestPageLinkIsReference(t *testing.T) {
	for _, offset := range []string{"1", "42", "{offset}", "", "a b&c=d/é"} {
		for _, size := range []string{"20", "{size}", "-1", "+%"} {
			want := "/api/v3/work_packages?" + url.Values{"offset": {offset}, "pageSize": {size}}.Encode()
			if got := pageLink(offset, size); got != want {
				t.Errorf("pageLink(%q, %q) = %q, reference %q", offset, size, got, want)
			}
		}
	}
}

func TestAppendCollectionIsEncoder(t *testing.T) {
	elements := []json.RawMessage{[]byte(`{"_type":"WorkPackage","id":42,"s":"\u2028 <&> \"q\""}`), []byte(`{"id":43}`)}
	for _, els := range [][]json.RawMessage{nil, {}, elements[:1], elements} {
		for _, paged := range []bool{false, true} {
			var c workPackageCollection
			c.Type, c.Total, c.Count, c.PageSize, c.Offset = "WorkPackageCollection", 7, len(els), 20, 2
			c.Embedded.Elements = els
			c.Links.Self = Link{Href: pageLink("2", "20")}
			c.Links.JumpTo = Link{Href: pageLink("{offset}", "20"), Templated: true}
			c.Links.ChangeSize = Link{Href: pageLink("2", "{size}"), Templated: true}
			if paged {
				c.Links.PreviousByOffset = &Link{Href: pageLink("1", "20")}
				c.Links.NextByOffset = &Link{Href: pageLink("3", "20")}
			}
			want, err := marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(string(want), string(appendCollection(nil, &c))); diff != "" {
				t.Errorf("mismatch (-encoding/json +got):\n%s", diff)
			}
		}
	}
}

// TestReadAllIsReadAll: readAll reads what io.ReadAll reads, with the same
// error, into the buffer it is given when that is large enough.
func TestReadAllIsReadAll(t *testing.T) {
	boom := errors.New("boom")
	for _, n := range []int{0, 1, 511, 512, 513, 4000} {
		data := bytes.Repeat([]byte("0123456789"), n/10+1)[:n]
		for name, r := range map[string]func() io.Reader{
			"plain":    func() io.Reader { return bytes.NewReader(data) },
			"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
			"data err": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
			"error":    func() io.Reader { return io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom)) },
			"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		} {
			for _, buf := range [][]byte{nil, make([]byte, 5, 10), make([]byte, 5, 600), make([]byte, 0, 8192)} {
				want, wantErr := io.ReadAll(r())
				got, err := readAll(r(), buf)
				if !bytes.Equal(got, want) || err != wantErr {
					t.Errorf("%s, %d bytes, cap %d: %q, %v; io.ReadAll %q, %v", name, n, cap(buf), got, err, want, wantErr)
				}
				if n <= cap(buf) && cap(buf) >= 512 && &got[:1][0] != &buf[:1][0] {
					t.Errorf("%s, %d bytes, cap %d: not read into the buffer", name, n, cap(buf))
				}
			}
		}
	}
}

// referenceCheckContentType is the first checkContentType, which parsed
// every header.
func referenceCheckContentType(header string) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return errMissingContentType
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil || mt != "application/json" && mt != "application/hal+json" {
		return &contentTypeError{got: header}
	}
	return nil
}

func TestCheckContentTypeIsReference(t *testing.T) {
	for _, header := range []string{"", " ", "application/json", " application/json\t", "application/hal+json",
		"Application/JSON", "application/json; charset=utf-8", "application/json;", "application/json;x",
		"application/jsonx", "text/plain", "application/json, text/plain", "application/hal+json ; q=1"} {
		want, got := referenceCheckContentType(header), checkContentType(header)
		var wantType, gotType *contentTypeError
		switch {
		case errors.As(want, &wantType):
			if !errors.As(got, &gotType) || *gotType != *wantType {
				t.Errorf("checkContentType(%q) = %v, reference %v", header, got, want)
			}
		case got != want: // nil or a sentinel
			t.Errorf("checkContentType(%q) = %v, reference %v", header, got, want)
		}
	}
}
