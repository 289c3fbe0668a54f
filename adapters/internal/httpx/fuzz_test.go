package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// FuzzDecodeJSON: into an any, DecodeJSON accepts exactly one valid JSON
// value with white space around it, as json.Valid does; data after a value
// is ErrTrailingData, and nothing panics.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a": [1, 2.5, "x", null, true]} `, `{} {}`, `{} x`, `[`, ``, `"\u00e9"`, `1 2`, "{}\n\t"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		err := httpx.DecodeJSON(bytes.NewReader(data), &v)
		if valid := json.Valid(data); (err == nil) != valid {
			t.Fatalf("DecodeJSON(%q) = %v, but json.Valid = %v", data, err, valid)
		}
		if errors.Is(err, httpx.ErrTrailingData) {
			// A value was read; what follows it is the trailing data.
			dec := json.NewDecoder(bytes.NewReader(data))
			if dec.Decode(new(any)) != nil {
				t.Fatalf("ErrTrailingData for %q, which does not start with a JSON value", data)
			}
		}
	})
}
