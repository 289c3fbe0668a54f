package httpx

import (
	"bytes"
	"encoding/json"
	"strings"
)

// AppendString appends s as a JSON string, exactly as encoding/json encodes
// it without HTML escaping (json.Encoder with SetEscapeHTML(false)): plain
// printable ASCII as it is, anything else through the encoder. The encoder
// gets a copy of s, so that s itself does not escape: a caller may append
// strings that live on its stack.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !PlainByte(s[i]) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(strings.Clone(s)) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// PlainByte reports whether encoding/json writes the byte c of a string as
// it is, without HTML escaping: printable ASCII but for the quote and the
// backslash.
func PlainByte(c byte) bool { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' }
