package actions

import (
	"testing"
	"time"
	"unsafe"

	"github.com/actionable-go/actionable/conditions"
)

// keyed is an object with fields of every kind a batch key encodes, and
// some it does not.
type keyed struct {
	Status string
	Done   bool
	Hours  float64
	Count  int16
	Tags   []string
	Owner  *string
	Limit  *int
	Due    time.Time
	Extra  map[string]string
}

// TestBatchKeyOnlyForDeterminedDecisions checks which catalogs ResolveAll
// decides once per key: those whose rules read only fields the key encodes
// and the actor, through functions that read nothing else.
func TestBatchKeyOnlyForDeterminedDecisions(t *testing.T) {
	host := conditions.Function("lookup", func(args ...any) (any, error) { return true, nil }, new(func(string) bool))
	tests := []struct {
		cond  string
		keyed bool
	}{
		{`Status == "open" && Done`, true},
		{`Hours > 1.5 && Count < 3`, true},
		{`"x" in Tags && Owner != nil && Limit == nil`, true},
		{`Actor.HasRole("admin") && Actor.Can("edit")`, true},
		{`upper(Status) == "OPEN" && all(Tags, # != "")`, true},
		{`let s = Status; s == "open"`, true},
		{`true`, true},
		{`lookup(Status)`, false},                       // a host function may read anything
		{`now() > date("2000-01-01")`, false},           // the clock
		{`daysSince(Due) > 3`, false},                   // the clock, and a field the key cannot encode
		{`Due.Year() > 2000`, false},                    // a method of a field
		{`Extra["a"] == "b"`, false},                    // a map
		{`$env.Status == "open"`, false},                // the whole environment
		{`Status == "open" || Extra["a"] == ""`, false}, // any read of such a field
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			cat, err := Compile[keyed]([]Definition{{ID: "a", Name: "A", Condition: tt.cond}}, WithConditionOptions(host))
			if err != nil {
				t.Fatal(err)
			}
			if got := cat.batchKey != nil; got != tt.keyed {
				t.Errorf("batch key: %v, want %v", got, tt.keyed)
			}
		})
	}
}

// TestBatchKeyTellsValuesApart checks that objects which differ in a field
// the rules read never share a key, however the bytes of their values line
// up.
func TestBatchKeyTellsValuesApart(t *testing.T) {
	cat, err := Compile[keyed]([]Definition{{ID: "a", Name: "A", Condition: `Status != "" || len(Tags) > 0 || Owner != nil || Limit != nil || Done || Hours > 0 || Count > 0`}})
	if err != nil {
		t.Fatal(err)
	}
	if cat.batchKey == nil {
		t.Fatal("no batch key")
	}
	s, zero := "", 0
	ab, c := "ab", "c"
	objects := []keyed{
		{},
		{Status: "ab", Tags: []string{"c"}},
		{Status: "a", Tags: []string{"bc"}},
		{Status: "abc"},
		{Tags: []string{}},
		{Tags: []string{""}},
		{Tags: []string{"", ""}},
		{Owner: &s},
		{Owner: &ab},
		{Owner: &c},
		{Limit: &zero},
		{Done: true},
		{Hours: 1},
		{Count: 1},
		{Count: 256},
		{Status: "\x00"},
		{Status: "\x01\x00"},
	}
	seen := map[string]int{}
	for i := range objects {
		k := string(cat.batchKey.append(nil, unsafe.Pointer(&objects[i])))
		if j, dup := seen[k]; dup {
			t.Errorf("objects %d (%+v) and %d (%+v) share a key", j, objects[j], i, objects[i])
		}
		seen[k] = i
	}
	// Equal objects share one.
	a, b := keyed{Status: "x", Tags: []string{"y"}, Owner: &ab}, keyed{Status: "x", Tags: []string{"y"}, Owner: new(string)}
	*b.Owner = "ab"
	if string(cat.batchKey.append(nil, unsafe.Pointer(&a))) != string(cat.batchKey.append(nil, unsafe.Pointer(&b))) {
		t.Error("equal objects have different keys")
	}
}
