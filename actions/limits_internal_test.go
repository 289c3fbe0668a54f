package actions

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestJSONBound checks that jsonBound never bounds inputs below their
// length as JSON, which would let a request over RecordLimits.Inputs
// through, and that it declines what it cannot bound.
func TestJSONBound(t *testing.T) {
	var all strings.Builder
	for b := range 256 {
		all.WriteByte(byte(b))
	}
	values := []any{
		nil, true, false, "", "plain", "<>&", "\u2028\u2029", "\x00\x01\x1f", "\xff\xfe\xfd", "\"\\", all.String(),
		strings.Repeat("<", 1000), 0.0, -1.2345678901234567e-308, math.MaxFloat64, -math.SmallestNonzeroFloat64,
		1e21, 1e20, 123456789.0, -0.000001, 1e-7, float64(1 << 53),
		[]any{}, []any{"a", "<b>", nil, true, 2.5}, []any{all.String()},
	}
	for _, v := range values {
		in := map[string]any{"k": v, all.String(): v}
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", v, err)
		}
		if n, ok := jsonBound(in); !ok || n < len(data) {
			t.Errorf("jsonBound(%q) = %d, %t; want at least %d, true", data, n, ok, len(data))
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), math.Inf(-1), 1, []any{[]any{}}, []string{"a"}, map[string]any{}} {
		if n, ok := jsonBound(map[string]any{"k": v}); ok {
			t.Errorf("jsonBound of %#v = %d, true; want false", v, n)
		}
	}

	// Random inputs, of the kinds execution records keep.
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "<", ">", "&", "\u2028", "\x00", "\n", "\t", "\"", "\\", "\xff", "é", "\U0001F600", "\x7f"}
	str := func() string {
		var b strings.Builder
		for range r.IntN(20) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	var value func(depth int) any
	value = func(depth int) any {
		switch r.IntN(6) {
		case 0:
			return nil
		case 1:
			return r.IntN(2) == 0
		case 2:
			return str()
		case 3:
			return math.Float64frombits(r.Uint64()) // NaN and ±Inf among them, which Marshal refuses
		case 4:
			return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
		}
		if depth > 0 {
			return str()
		}
		l := make([]any, r.IntN(5))
		for i := range l {
			l[i] = value(depth + 1)
		}
		return l
	}
	for range 10000 {
		in := map[string]any{}
		for range r.IntN(5) {
			in[str()] = value(0)
		}
		data, err := json.Marshal(in)
		n, ok := jsonBound(in)
		switch {
		case err != nil && ok:
			t.Fatalf("jsonBound(%#v) = %d, true; Marshal fails: %v", in, n, err)
		case err == nil && ok && n < len(data):
			t.Fatalf("jsonBound(%q) = %d, want at least %d", data, n, len(data))
		}
	}
}
