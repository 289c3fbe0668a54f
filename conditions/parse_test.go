package conditions_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/conditions"
)

func TestParse(t *testing.T) {
	tests := []struct {
		src          string
		ok           bool
		line, column int
	}{
		{src: `Status == "new" && Unknown.Field > 3`, ok: true}, // syntax only: names are not checked
		{src: `true) || (true`, line: 1, column: 5},
		{src: "a &&\n  (b ||", line: 2, column: 7},
		{src: ``, line: 1, column: 1},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			err := conditions.Parse(tt.src)
			if tt.ok {
				if err != nil {
					t.Fatalf("Parse(%q) = %v, want nil", tt.src, err)
				}
				return
			}
			var ce *conditions.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) = %v, want a *conditions.Error", tt.src, err)
			}
			if diff := cmp.Diff([2]int{tt.line, tt.column}, [2]int{ce.Line, ce.Column}); diff != "" {
				t.Errorf("position mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
