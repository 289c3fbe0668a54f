package console

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
)

type item struct {
	Kind  string `json:"kind"`
	State string `json:"state"`
}

// drawn is what a picture says, without its coordinates.
type drawn struct {
	Field    string
	States   []string
	Any      bool
	Moves    []move
	Stays    []stay
	Declared int // dashed arcs
}

func summarize(ps []picture) []drawn {
	var out []drawn
	for _, p := range ps {
		d := drawn{Field: p.Field, States: p.States(), Moves: p.Moves, Stays: p.Stays}
		for _, n := range p.Nodes {
			d.Any = d.Any || n.Any
		}
		for _, e := range p.Edges {
			if e.Declared {
				d.Declared++
			}
		}
		out = append(out, d)
	}
	return out
}

func TestPictures(t *testing.T) {
	wf := func(from []string, to string) *actions.Workflow {
		return &actions.Workflow{Field: "state", From: from, To: to}
	}
	for _, tc := range []struct {
		name   string
		defs   []actions.Definition
		states []actions.StateSet
		want   []drawn
	}{{
		// Like the Akana demo: several workflows on one field, without
		// declared states: one picture per group of connected states;
		// actions that keep the state are listed, not drawn.
		name: "undeclared, in groups",
		defs: []actions.Definition{
			{ID: "unpublish", Name: "Unpublish", Workflow: wf([]string{"Published"}, "Pending")},
			{ID: "publish", Name: "Publish", Workflow: wf([]string{"Pending"}, "Published")},
			{ID: "submit", Name: "Submit", Workflow: wf([]string{"Draft", "Rejected"}, "Pending Approval")},
			{ID: "approve", Name: "Approve", Workflow: wf([]string{"Pending Approval"}, "Approved")},
			{ID: "reject", Name: "Reject", Workflow: wf([]string{"Pending Approval"}, "Rejected")},
			{ID: "modify", Name: "@Modify", Workflow: wf([]string{"Setup"}, "")},
			{ID: "delete", Name: "@Delete", Workflow: wf([]string{"Setup", "Draft"}, "")},
			{ID: "touch", Name: "Touch", Workflow: wf([]string{"Approved"}, "Approved")},
		},
		want: []drawn{
			{Field: "state", States: []string{"Published", "Pending"},
				Moves: []move{{"Published", "Pending", []string{"Unpublish"}}, {"Pending", "Published", []string{"Publish"}}}},
			{Field: "state", States: []string{"Draft", "Pending Approval", "Rejected", "Approved"}, // in order of first mention
				Moves: []move{{"Draft", "Pending Approval", []string{"Submit"}}, {"Rejected", "Pending Approval", []string{"Submit"}},
					{"Pending Approval", "Approved", []string{"Approve"}}, {"Pending Approval", "Rejected", []string{"Reject"}}},
				Stays: []stay{{"Draft", []string{"@Delete"}}, {"Approved", []string{"Touch"}}}},
			{Field: "state", States: []string{"Setup"}, Stays: []stay{{"Setup", []string{"@Modify", "@Delete"}}}},
		},
	}, {
		// Declared states: one picture with all of them, isolated ones
		// too, in declared order; a declared transition no action takes
		// is dashed; actions from any state start at "any state".
		name: "declared",
		defs: []actions.Definition{
			{ID: "open", Name: "Open", Workflow: wf([]string{"new"}, "open")},
			{ID: "close", Name: "Close", Workflow: wf(nil, "closed")},
			{ID: "shut", Name: "Shut", Workflow: wf(nil, "closed")},
			{ID: "look", Name: "Look", Workflow: wf(nil, "")},
		},
		states: []actions.StateSet{{Field: "state", States: []string{"new", "open", "closed", "frozen"}}},
		want: []drawn{{Field: "state", States: []string{"new", "open", "closed", "frozen"}, Any: true,
			Moves: []move{{"new", "open", []string{"Open"}}, {anyState, "closed", []string{"Close", "Shut"}}},
			Stays: []stay{{anyState, []string{"Look"}}}}},
	}, {
		name: "declared transitions",
		defs: []actions.Definition{
			{ID: "open", Name: "Open", Workflow: wf([]string{"new"}, "open")},
		},
		states: []actions.StateSet{{Field: "state", States: []string{"new", "open", "closed"},
			Transitions: []actions.Transition{{From: "new", To: "open"}, {From: "open", To: "closed"}, {From: "closed", To: "new"}}}},
		want: []drawn{{Field: "state", States: []string{"new", "open", "closed"},
			Moves: []move{{"new", "open", []string{"Open"}}}, Declared: 2}},
	}, {
		name: "no workflow",
		defs: []actions.Definition{{ID: "x", Name: "X", Condition: `Kind == "a"`}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := actions.Compile[item](tc.defs, actions.WithStates(tc.states...))
			if err != nil {
				t.Fatal(err)
			}
			ps := pictures(cat)
			if diff := cmp.Diff(tc.want, summarize(ps)); diff != "" {
				t.Errorf("pictures mismatch (-want +got):\n%s", diff)
			}
			for _, p := range ps {
				checkGeometry(t, p)
			}
		})
	}
}

// TestPictureGeometry draws long names and many moves and checks that
// nothing overlaps or leaves the canvas.
func TestPictureGeometry(t *testing.T) {
	states := []string{"Draft", "Pending Approval by the Architecture Board", "Approved", "Rejected", "Retired", "X"}
	var defs []actions.Definition
	for i, from := range states {
		for j, to := range states {
			if i != j && (j == i+1 || j == i-1 || (i+j)%3 == 0) {
				defs = append(defs, actions.Definition{
					ID: fmt.Sprintf("%d-%d", i, j), Name: fmt.Sprintf("move from %s to %s", from, to),
					Workflow: &actions.Workflow{Field: "state", From: []string{from}, To: to},
				})
			}
		}
	}
	cat, err := actions.Compile[item](defs, actions.WithStates(actions.StateSet{Field: "state", States: states}))
	if err != nil {
		t.Fatal(err)
	}
	ps := pictures(cat)
	if len(ps) != 1 {
		t.Fatalf("%d pictures, want 1", len(ps))
	}
	checkGeometry(t, ps[0])
	// Only long moves, with long names: no gap is widened for them.
	defs = nil
	for i := range 4 {
		for _, j := range []int{i + 2, i + 3} {
			if j < len(states) {
				defs = append(defs, actions.Definition{
					ID: fmt.Sprintf("%d-%d", i, j), Name: fmt.Sprintf("a long way from %s to %s", states[i], states[j]),
					Workflow: &actions.Workflow{Field: "state", From: []string{states[i]}, To: states[j]},
				}, actions.Definition{
					ID: fmt.Sprintf("%d-%d", j, i), Name: fmt.Sprintf("back from %s", states[j]),
					Workflow: &actions.Workflow{Field: "state", From: []string{states[j]}, To: states[i]},
				})
			}
		}
	}
	// A label wider than the whole line of states.
	abc := func(id, name, from, to string) actions.Definition {
		return actions.Definition{ID: id, Name: name, Workflow: &actions.Workflow{Field: "state", From: []string{from}, To: to}}
	}
	defs = append(defs, abc("ab", "ab", "A", "B"), abc("bc", "bc", "B", "C"),
		abc("ac", "a move with a name far longer than the states it joins, A and C", "A", "C"))
	cat, err = actions.Compile[item](defs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pictures(cat) {
		checkGeometry(t, p)
	}
}

// box is a rectangle of a picture: a state, or a label's estimated
// extent.
type box struct {
	what           string
	x0, y0, x1, y1 int
}

func (a box) overlaps(b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// checkGeometry checks that the states and labels of p lie on its canvas
// and that no two of them overlap.
func checkGeometry(t *testing.T, p picture) {
	t.Helper()
	var boxes []box
	for _, n := range p.Nodes {
		boxes = append(boxes, box{"state " + n.Name, n.X, n.Y, n.X + n.W, n.Y + n.H})
	}
	for _, e := range p.Edges {
		for _, l := range e.Lines {
			w := textWidth(l.Text, labelChar)
			boxes = append(boxes, box{"label " + l.Text, l.X - w/2, l.Y - 11, l.X + w/2, l.Y + 3})
		}
	}
	for i, a := range boxes {
		if a.x0 < 0 || a.y0 < 0 || a.x1 > p.Width || a.y1 > p.Height {
			t.Errorf("%s %v leaves the %d×%d canvas", a.what, a, p.Width, p.Height)
		}
		for _, b := range boxes[i+1:] {
			if a.overlaps(b) {
				t.Errorf("%s %v overlaps %s %v", a.what, a, b.what, b)
			}
		}
	}
}
