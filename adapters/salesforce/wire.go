package salesforce

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// appendLinkAction appends the Platform Action of a (platformActionOf),
// under the handler's base path, in JSON as encoding/json writes it
// without HTML escaping, without its reflection and without making its
// strings: GET .../action-links/{id} answers it on every request. An
// executingUser is encoded by encoding/json.
func appendLinkAction(b []byte, base string, a *linkAction) ([]byte, error) {
	l := &a.link
	b = append(b, `{"actionUrl":`...)
	b = appendNullable(b, a.actionURL)
	b = append(b, `,"apiName":null,"confirmationMessage":`...)
	if a.confirms() {
		b = appendJoined(b, confirmationPrefix, label(l.LabelKey, StatusNew), "?")
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"createdRecords":[],"executingUser":`...)
	if a.executingUser == nil {
		b = append(b, "null"...)
	} else {
		e := httpx.NewEncoder()
		m, err := e.Marshal(a.executingUser)
		if err != nil {
			e.Release()
			return nil, err
		}
		b = append(b, m...)
		e.Release()
	}
	b = append(b, `,"groupDefault":`...)
	b = strconv.AppendBool(b, l.GroupDefault)
	b = append(b, `,"iconUrl":null,"id":`...)
	b = httpx.AppendString(b, l.ID)
	b = append(b, `,"label":`...)
	b = httpx.AppendString(b, label(l.LabelKey, a.status))
	b = append(b, `,"modifiedDate":"`...)
	b = appendTime(b, l.Created)
	b = append(b, `","platformActionGroup":{"id":`...)
	b = httpx.AppendString(b, l.GroupID)
	b = append(b, `,"url":`...)
	b = appendJoined(b, base, pathGroups+"/", l.GroupID)
	b = append(b, `},"status":`...)
	b = httpx.AppendString(b, a.status)
	b = append(b, `,"subtype":`...)
	b = httpx.AppendString(b, l.ActionType)
	b = append(b, `,"type":"`+platformActionType+`","url":`...)
	b = appendJoined(b, base, pathLinks+"/", l.ID)
	return append(b, '}'), nil
}

// appendJoined appends the concatenation of parts as a JSON string, as
// httpx.AppendString does, without making it when every byte is plain (as
// the handler's urls are).
func appendJoined(b []byte, parts ...string) []byte {
	for _, p := range parts {
		for i := range len(p) {
			if !httpx.PlainByte(p[i]) {
				return httpx.AppendString(b, strings.Join(parts, ""))
			}
		}
	}
	b = append(b, '"')
	for _, p := range parts {
		b = append(b, p...)
	}
	return append(b, '"')
}

// appendNullable appends *s as a JSON string, or null.
func appendNullable(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return httpx.AppendString(b, *s)
}

// bodies are the buffers answers are written into, given back once
// written (a ResponseWriter, like any io.Writer, does not keep what Write
// is given).
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBody is the largest buffer bodies keeps.
const maxPooledBody = 64 << 10

// formatTime writes t as Salesforce writes dates (timeLayout), as
// t.UTC().Format(timeLayout) does, without parsing the layout each time.
func formatTime(t time.Time) string {
	var b [len(timeLayout)]byte
	return string(appendTime(b[:0], t))
}

// appendTime appends formatTime(t).
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, timeLayout)
	}
	hour, minute, sec := t.Clock()
	b = slices.Grow(b, len(timeLayout))
	put := func(v, n int) { // n digits of v, within the capacity grown
		b = b[:len(b)+n]
		for i := len(b) - 1; i >= len(b)-n; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(year, 4)
	b = append(b, '-')
	put(int(month), 2)
	b = append(b, '-')
	put(day, 2)
	b = append(b, 'T')
	put(hour, 2)
	b = append(b, ':')
	put(minute, 2)
	b = append(b, ':')
	put(sec, 2)
	b = append(b, '.')
	put(t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}
