package console

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/actionable-go/actionable/actions"
)

// anyState names, in a picture, the source of an action whose workflow
// accepts every state (Workflow.From empty).
const anyState = "any state"

// picture is the drawing of one workflow: the states of one field as boxes
// on a line, the moves between them as labelled arcs (forward moves above
// the line, backward ones below), in SVG coordinates.
type picture struct {
	ID            string // unique on the page: prefixes the SVG's ids
	Field         string // the state field's JSON name
	Width, Height int
	Nodes         []node
	Edges         []edge
	Moves         []move // the moves as text, for the caption and screen readers
	Stays         []stay // the actions that do not move the object
	Declared      bool   // the states are the field's declared states
}

type node struct {
	Name         string
	X, Y, W, H   int // the box
	TextX, TextY int
	Any          bool // the "any state" source
}

type edge struct {
	Path     string // SVG path data
	Lines    []label
	Declared bool // a declared transition no action takes: dashed, unlabelled
}

type label struct {
	X, Y int
	Text string
}

// move is a transition and the actions taking it.
type move struct {
	From, To string
	Actions  []string // names
}

// stay lists the actions available in a state that leave it unchanged.
type stay struct {
	State   string
	Actions []string
}

// Layout metrics, in SVG user units (pixels at scale 1).
const (
	margin     = 16
	nodeHeight = 34
	nodePad    = 14  // each side of a state's name
	charWidth  = 7.6 // of the 13px names, generously
	labelChar  = 6.9 // of the 12px labels
	lineHeight = 15
	minGap     = 56 // between two boxes
	arcBase    = 26 // height above the boxes of the lowest arc's apex
	endOffset  = 9  // arcs leave right of a box's centre and arrive left of it
)

func textWidth(s string, per float64) int { return int(float64(utf8.RuneCountInString(s))*per + 0.999) }

// flow is what the catalog says of one state field.
type flow struct {
	goName, jsonName string
	states           []string // declared, or in order of first mention
	declared         bool
	transitions      []actions.Transition // declared
	moves            []move
	stays            []stay
}

// pictures draws the workflows of cat: for a field with declared states,
// one picture with every declared state; for a field without, one picture
// per group of states the actions connect.
func pictures[T any](cat *actions.Catalog[T]) []picture {
	var flows []*flow
	byField := map[string]*flow{}
	get := func(name string) *flow {
		goName, jsonName, _, ok := cat.Field(name)
		if !ok { // unreachable: the catalog compiled
			goName, jsonName = name, name
		}
		if f := byField[goName]; f != nil {
			return f
		}
		f := &flow{goName: goName, jsonName: jsonName}
		byField[goName] = f
		flows = append(flows, f)
		return f
	}
	for _, s := range cat.States() {
		f := get(s.Field)
		f.states, f.declared, f.transitions = slices.Clone(s.States), true, slices.Clone(s.Transitions)
	}
	for _, a := range cat.Actions() {
		w := a.Definition().Workflow
		if w == nil {
			continue
		}
		f := get(w.Field)
		from := w.From
		if len(from) == 0 {
			from = []string{anyState}
		}
		for _, s := range from {
			f.mention(s)
			switch {
			case w.To == "" || w.To == s:
				f.stay(s, a.Name())
			default:
				f.mention(w.To)
				f.move(s, w.To, a.Name())
			}
		}
	}
	var out []picture
	for _, f := range flows {
		groups := [][]string{f.states}
		if !f.declared {
			groups = f.components()
		}
		for i, g := range groups {
			p := f.draw(g, i == 0)
			p.ID = fmt.Sprintf("wf%d", len(out)+1)
			out = append(out, p)
		}
	}
	return out
}

// mention adds a state named by an action's workflow, unless it is
// declared already (an undeclared one cannot compile) or is the any-state
// source, which is drawn first.
func (f *flow) mention(s string) {
	if s != anyState && !slices.Contains(f.states, s) {
		f.states = append(f.states, s)
	}
}

func (f *flow) move(from, to, name string) {
	for i := range f.moves {
		if m := &f.moves[i]; m.From == from && m.To == to {
			m.Actions = append(m.Actions, name)
			return
		}
	}
	f.moves = append(f.moves, move{From: from, To: to, Actions: []string{name}})
}

func (f *flow) stay(state, name string) {
	for i := range f.stays {
		if s := &f.stays[i]; s.State == state {
			s.Actions = append(s.Actions, name)
			return
		}
	}
	f.stays = append(f.stays, stay{State: state, Actions: []string{name}})
}

// components splits the states into groups that moves connect, each in
// the order of first mention, the groups in the order of their first
// state. Moves from any state join every group they lead into, as one.
func (f *flow) components() [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(s string) string {
		if p, ok := parent[s]; ok && p != s {
			r := find(p)
			parent[s] = r
			return r
		}
		parent[s] = s
		return s
	}
	union := func(a, b string) { parent[find(a)] = find(b) }
	for _, m := range f.moves {
		if m.From != anyState {
			union(m.From, m.To)
		}
	}
	var anyTargets []string
	for _, m := range f.moves {
		if m.From == anyState {
			anyTargets = append(anyTargets, m.To)
		}
	}
	for _, t := range anyTargets[min(1, len(anyTargets)):] {
		union(t, anyTargets[0])
	}
	var roots []string
	groups := map[string][]string{}
	for _, s := range f.states {
		r := find(s)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], s)
	}
	out := make([][]string, len(roots))
	for i, r := range roots {
		out[i] = groups[r]
	}
	return out
}

// draw lays out the states of one group and the moves and stays among
// them; the first group of a field also lists the actions that stay in
// any state.
func (f *flow) draw(states []string, first bool) picture {
	in := map[string]bool{}
	for _, s := range states {
		in[s] = true
	}
	p := picture{Field: f.jsonName, Declared: f.declared}
	var moves []move
	hasAny := false
	for _, m := range f.moves {
		if in[m.To] && (in[m.From] || m.From == anyState) {
			moves = append(moves, m)
			hasAny = hasAny || m.From == anyState
		}
	}
	for _, s := range f.stays {
		if in[s.State] || s.State == anyState && first {
			p.Stays = append(p.Stays, s)
		}
	}
	p.Moves = moves
	names := states
	if hasAny {
		names = append([]string{anyState}, states...)
	}
	index := map[string]int{}
	for i, s := range names {
		index[s] = i
	}
	// Each arc spans a number of boxes; arcs of one span share a band of
	// height, above the boxes (forward) or below (backward), tall enough
	// for their labels.
	type arc struct {
		from, to int
		lines    []string
		declared bool
	}
	var arcs []arc
	for _, m := range moves {
		arcs = append(arcs, arc{from: index[m.From], to: index[m.To], lines: m.Actions})
	}
	if f.declared {
		for _, t := range f.transitions {
			taken := slices.ContainsFunc(moves, func(m move) bool { return m.From == t.From && m.To == t.To })
			if !taken && in[t.From] && in[t.To] && t.From != t.To {
				arcs = append(arcs, arc{from: index[t.From], to: index[t.To], declared: true})
			}
		}
	}
	// Boxes: widths from the names, gaps wide enough for the labels of the
	// arcs between neighbours.
	widths := make([]int, len(names))
	for i, s := range names {
		widths[i] = max(64, textWidth(s, charWidth)+2*nodePad)
	}
	gaps := make([]int, max(0, len(names)-1))
	for i := range gaps {
		gaps[i] = minGap
	}
	for _, a := range arcs {
		lo, hi := min(a.from, a.to), max(a.from, a.to)
		if hi-lo != 1 {
			continue
		}
		for _, l := range a.lines {
			// The label fits between the arcs that leave or reach the
			// two boxes above it, with room to spare.
			need := textWidth(l, labelChar) + 2*endOffset + 24 - (widths[lo]+widths[hi])/2
			gaps[lo] = max(gaps[lo], need)
		}
	}
	// Boxes on a line, left to right.
	centres := make([]int, len(names))
	x := margin
	for i := range names {
		centres[i] = x + widths[i]/2
		x += widths[i]
		if i < len(gaps) {
			x += gaps[i]
		}
	}
	p.Width = x + margin
	// Levels: each arc peaks at a level of its side, above the arcs it
	// spans and clear of the labels already on that level.
	type extent struct{ x0, x1 int }
	type placedArc struct {
		arc
		above  bool
		level  int
		x1, x2 int // where it leaves and arrives
	}
	var placed []placedArc
	var levels [2][][]extent // by side (0 above, 1 below), by level
	var lines [2][]int       // label lines of each level
	order := slices.Clone(arcs)
	slices.SortStableFunc(order, func(a, b arc) int { return abs(a.to-a.from) - abs(b.to-b.from) })
	for _, a := range order {
		pa := placedArc{arc: a, above: a.to > a.from}
		side := 1
		if pa.above {
			side = 0
			pa.x1, pa.x2 = centres[a.from]+endOffset, centres[a.to]-endOffset
		} else {
			pa.x1, pa.x2 = centres[a.from]-endOffset, centres[a.to]+endOffset
		}
		lo, hi := min(a.from, a.to), max(a.from, a.to)
		level := 0
		for _, q := range placed {
			qlo, qhi := min(q.from, q.to), max(q.from, q.to)
			if q.above == pa.above && lo <= qlo && qhi <= hi {
				level = max(level, q.level+1)
			}
		}
		w := 0
		for _, l := range a.lines {
			w = max(w, textWidth(l, labelChar))
		}
		mid := (pa.x1 + pa.x2) / 2
		ext := extent{mid - w/2 - 6, mid + w/2 + 6}
		for ; level < len(levels[side]); level++ {
			if w == 0 || !slices.ContainsFunc(levels[side][level], func(e extent) bool { return e.x0 < ext.x1 && ext.x0 < e.x1 }) {
				break
			}
		}
		for len(levels[side]) <= level {
			levels[side] = append(levels[side], nil)
			lines[side] = append(lines[side], 1)
		}
		if w > 0 {
			levels[side][level] = append(levels[side][level], ext)
		}
		lines[side][level] = max(lines[side][level], len(a.lines))
		pa.level = level
		placed = append(placed, pa)
	}
	// Widen the canvas for the labels that reach past its ends.
	left, right := 0, p.Width
	for _, side := range levels {
		for _, level := range side {
			for _, e := range level {
				left, right = min(left, e.x0-4), max(right, e.x1+4)
			}
		}
	}
	if shift := -left; shift > 0 {
		for i := range centres {
			centres[i] += shift
		}
		for i := range placed {
			placed[i].x1 += shift
			placed[i].x2 += shift
		}
		right += shift
	}
	p.Width = right
	// apex[l] is how far from the boxes the arcs of level l peak; their
	// labels lie beyond the apex.
	apex := func(lines []int) ([]int, int) {
		out := make([]int, len(lines))
		h, total := arcBase, 0
		for l, n := range lines {
			out[l] = h
			total = h + n*lineHeight + 4
			h = total + 10
		}
		return out, total
	}
	apexAbove, heightAbove := apex(lines[0])
	apexBelow, heightBelow := apex(lines[1])
	top := margin + heightAbove
	bottom := top + nodeHeight
	p.Height = bottom + heightBelow + margin
	for i, s := range names {
		p.Nodes = append(p.Nodes, node{
			Name: s, X: centres[i] - widths[i]/2, Y: top, W: widths[i], H: nodeHeight,
			TextX: centres[i], TextY: top + nodeHeight/2 + 5, Any: hasAny && i == 0,
		})
	}
	// The arcs in the order of the moves, the dashed ones last.
	for _, a := range arcs {
		i := slices.IndexFunc(placed, func(q placedArc) bool { return q.from == a.from && q.to == a.to && q.declared == a.declared })
		pa := placed[i]
		e := edge{Declared: a.declared}
		mid := (pa.x1 + pa.x2) / 2
		if pa.above {
			h := apexAbove[pa.level]
			c := top - h*4/3 // a cubic whose controls are at c peaks at 3/4 of the way
			e.Path = fmt.Sprintf("M %d %d C %d %d %d %d %d %d", pa.x1, top, pa.x1, c, pa.x2, c, pa.x2, top)
			for j, l := range a.lines {
				e.Lines = append(e.Lines, label{X: mid, Y: top - h - 6 - (len(a.lines)-1-j)*lineHeight, Text: l})
			}
		} else {
			h := apexBelow[pa.level]
			c := bottom + h*4/3
			e.Path = fmt.Sprintf("M %d %d C %d %d %d %d %d %d", pa.x1, bottom, pa.x1, c, pa.x2, c, pa.x2, bottom)
			for j, l := range a.lines {
				e.Lines = append(e.Lines, label{X: mid, Y: bottom + h + 15 + j*lineHeight, Text: l})
			}
		}
		p.Edges = append(p.Edges, e)
	}
	return p
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Summary says in words what the picture shows.
func (p picture) Summary() string {
	var parts []string
	for _, m := range p.Moves {
		parts = append(parts, fmt.Sprintf("%s → %s: %s", m.From, m.To, strings.Join(m.Actions, ", ")))
	}
	for _, s := range p.Stays {
		parts = append(parts, fmt.Sprintf("in %s, without a move: %s", s.State, strings.Join(s.Actions, ", ")))
	}
	if len(parts) == 0 {
		return "no action moves " + p.Field
	}
	return strings.Join(parts, "; ")
}

// Dashed reports whether the picture has a declared transition that no
// action takes.
func (p picture) Dashed() bool {
	return slices.ContainsFunc(p.Edges, func(e edge) bool { return e.Declared })
}

// States lists the picture's states, without the any-state source.
func (p picture) States() []string {
	var out []string
	for _, n := range p.Nodes {
		if !n.Any {
			out = append(out, n.Name)
		}
	}
	return out
}
