package actions

import (
	"math"
	"reflect"
	"testing"
)

// TestAssignNumberRange: a change's value that does not fit the field is an
// error, never a value Go's conversion rules make up.
func TestAssignNumberRange(t *testing.T) {
	tests := []struct {
		name    string
		dst     any
		src     any
		want    any // nil: an error
		wantErr string
	}{
		{name: "int to int8", dst: int8(0), src: 100, want: int8(100)},
		{name: "int overflows int8", dst: int8(0), src: 300, wantErr: "300 overflows int8"},
		{name: "uint64 beyond int64", dst: int64(0), src: uint64(math.MaxUint64), wantErr: "18446744073709551615 overflows int64"},
		{name: "float 2^63 to int64", dst: int64(0), src: float64(1 << 63), wantErr: "9.223372036854776e+18 overflows int64"},
		{name: "float -2^63 to int64", dst: int64(0), src: -float64(1 << 63), want: int64(math.MinInt64)},
		{name: "float 1e300 to int", dst: 0, src: 1e300, wantErr: "1e+300 overflows int"},
		{name: "float fraction to int", dst: 0, src: 1.5, wantErr: "1.5 is not a whole number"},
		{name: "float NaN to int", dst: 0, src: math.NaN(), wantErr: "NaN is not a whole number"},
		{name: "negative int to uint", dst: uint(0), src: -1, wantErr: "-1 is not a non-negative whole number"},
		{name: "float 2^64 to uint64", dst: uint64(0), src: float64(1 << 64), wantErr: "1.8446744073709552e+19 overflows uint64"},
		{name: "int64 max to uint64", dst: uint64(0), src: int64(math.MaxInt64), want: uint64(math.MaxInt64)},
		{name: "uint to uint8 overflow", dst: uint8(0), src: uint(256), wantErr: "256 overflows uint8"},
		{name: "float to float32 overflow", dst: float32(0), src: 1e300, wantErr: "1e+300 overflows float32"},
		{name: "int to float64", dst: 0.0, src: 3, want: 3.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := reflect.New(reflect.TypeOf(tt.dst)).Elem()
			err := assignNumber(dst, reflect.ValueOf(tt.src))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("assignNumber(%T, %v) = %v (value %v), want error %q", tt.dst, tt.src, err, dst.Interface(), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("assignNumber(%T, %v): %v", tt.dst, tt.src, err)
			}
			if got := dst.Interface(); got != tt.want {
				t.Errorf("assignNumber(%T, %v) = %v, want %v", tt.dst, tt.src, got, tt.want)
			}
		})
	}
}

// boxScalar must box as reflect does: the same dynamic type and value.
func TestBoxScalar(t *testing.T) {
	type named int
	for _, v := range []any{0, 7, 300, -1, int64(5), int64(1 << 40), 0.0, -0.5, 1e300, true, false, "", "s",
		named(3), int8(-2), uint(4), float32(1.5), complex(1, 2)} {
		rv := reflect.New(reflect.TypeOf(v)).Elem()
		rv.Set(reflect.ValueOf(v))
		if got, want := boxScalar(rv), rv.Interface(); got != want {
			t.Errorf("boxScalar(%T %v) = %T %v, want %T %v", v, v, got, got, want, want)
		}
	}
}
