package akana

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAppendRSSIsEncoder checks that the RSS writer writes exactly what
// encoding/json (indented, without HTML escaping) writes.
func TestAppendRSSIsEncoder(t *testing.T) {
	strs := []string{"", "Discussion workflow", "<a & b>", "quote \" back \\", "\x00\x1f\x7f", "\u2028", "ünï", "bad \xff"}
	var cases []RSS
	for _, s := range strs {
		for _, state := range [][]string{nil, {}, {s}, {s, "Published"}} {
			for _, items := range [][]Item{nil, {}, {{GUID{s}}}, {{GUID{"a"}}, {GUID{s}}}} {
				cases = append(cases, RSS{Channel: Channel{Title: s, WorkflowObject: WorkflowObject{WorkflowDefinitionKey: s, State: state}, Items: items}})
			}
		}
	}
	for _, v := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		got, err := encode(mediaJSON, v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), string(got)); diff != "" {
			t.Errorf("%#v mismatch (-encoding/json +got):\n%s", v, diff)
		}
	}
}

// TestNegotiateFastPath checks that an Accept naming one offer picks what
// parsing it picks (a second, empty value adds no range and takes the
// parsing path).
func TestNegotiateFastPath(t *testing.T) {
	for _, offers := range [][]string{mediaTypes, {mediaJSON}} {
		for _, accept := range append(append([]string{}, mediaTypes...), "*/*", "application/*", "Application/JSON", " application/json", "text/html") {
			for _, wildcards := range []bool{true, false} {
				got, gotOK := negotiate([]string{accept}, offers, wildcards)
				want, wantOK := negotiate([]string{accept, ""}, offers, wildcards)
				if got != want || gotOK != wantOK {
					t.Errorf("negotiate(%q, %q, %v) = %q, %v; parsing picks %q, %v", accept, offers, wildcards, got, gotOK, want, wantOK)
				}
			}
		}
	}
}
