package salesforce

import (
	"strconv"
	"sync"
	"time"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// appendPlatformAction appends v in JSON as encoding/json writes it
// without HTML escaping, without its reflection: GET .../action-links/{id}
// answers it on every request. The rarely set members (executingUser, a
// non-empty createdRecords) are encoded by e.
func appendPlatformAction(b []byte, v *PlatformAction, e *httpx.Encoder) ([]byte, error) {
	b = append(b, `{"actionUrl":`...)
	b = appendNullable(b, v.ActionURL)
	b = append(b, `,"apiName":`...)
	b = appendNullable(b, v.APIName)
	b = append(b, `,"confirmationMessage":`...)
	b = appendNullable(b, v.ConfirmationMessage)
	b = append(b, `,"createdRecords":`...)
	switch {
	case v.CreatedRecords == nil:
		b = append(b, "null"...)
	case len(v.CreatedRecords) == 0:
		b = append(b, "[]"...)
	default:
		m, err := e.Marshal(v.CreatedRecords)
		if err != nil {
			return nil, err
		}
		b = append(b, m...)
	}
	b = append(b, `,"executingUser":`...)
	if v.ExecutingUser == nil {
		b = append(b, "null"...)
	} else {
		m, err := e.Marshal(v.ExecutingUser)
		if err != nil {
			return nil, err
		}
		b = append(b, m...)
	}
	b = append(b, `,"groupDefault":`...)
	b = strconv.AppendBool(b, v.GroupDefault)
	b = append(b, `,"iconUrl":`...)
	b = appendNullable(b, v.IconURL)
	b = append(b, `,"id":`...)
	b = httpx.AppendString(b, v.ID)
	b = append(b, `,"label":`...)
	b = httpx.AppendString(b, v.Label)
	b = append(b, `,"modifiedDate":`...)
	b = httpx.AppendString(b, v.ModifiedDate)
	b = append(b, `,"platformActionGroup":{"id":`...)
	b = httpx.AppendString(b, v.PlatformActionGroup.ID)
	b = append(b, `,"url":`...)
	b = httpx.AppendString(b, v.PlatformActionGroup.URL)
	b = append(b, `},"status":`...)
	b = httpx.AppendString(b, v.Status)
	b = append(b, `,"subtype":`...)
	b = httpx.AppendString(b, v.Subtype)
	b = append(b, `,"type":`...)
	b = httpx.AppendString(b, v.Type)
	b = append(b, `,"url":`...)
	b = httpx.AppendString(b, v.URL)
	return append(b, '}'), nil
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
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(timeLayout)
	}
	hour, minute, sec := t.Clock()
	var b [len(timeLayout)]byte
	put := func(i, v, n int) {
		for j := i + n - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, t.Nanosecond()/1e6, 3)
	b[23] = 'Z'
	return string(b[:])
}
