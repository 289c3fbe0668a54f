package postgres

import (
	"encoding/json"
	"testing"
)

func TestJSONHasNUL(t *testing.T) {
	for _, tc := range []struct {
		value any
		want  bool
	}{
		{"plain", false},
		{"a\x00b", true},
		{`a\u0000b`, false},  // a backslash, then u0000: JSON "a\\u0000b"
		{`a\\u0000b`, false}, // two backslashes
		{"a\\\x00", true},    // a backslash, then NUL: JSON "a\\\u0000"
		{"\x01\x1f", false},  // other escapes: \u0001, \u001f
		{"\x00", true},       // at the very start
		{[]string{"x", "\x00"}, true},
		{map[string]any{"k\x00": 1}, true},
		{map[string]any{"k": 1.5}, false},
	} {
		b, err := json.Marshal(tc.value)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonHasNUL(b); got != tc.want {
			t.Errorf("jsonHasNUL(%s) = %v, want %v", b, got, tc.want)
		}
	}
}
