package actions

import (
	"reflect"
	"sort"
	"strings"

	"github.com/actionable-go/actionable/internal/eval"
)

// The index skips the actions that cannot apply to an object before any
// condition runs. At compile time every action gets its requirements: the
// equalities that every object it applies to satisfies (the top-level
// conjuncts `Field == "literal"`, `"literal" == Field` and `Field in
// ["literals"]` of its condition and of each guard, and its workflow's
// from-states), on string fields of T. Each action is filed under one of
// them, the most discriminating; an action without one is always a
// candidate. Resolve looks up the object's values and evaluates only the
// candidates, in position order, with every check as before: the index is a
// pre-filter and changes no result.

// maxIndexedFields bounds the fields actions are filed under, so that
// Resolve merges a bounded number of lists without allocating.
const maxIndexedFields = 7

// requirement says that an object's string field must hold one of values.
type requirement struct {
	field  fieldInfo
	values map[string]bool
}

// requirements returns what every object a applies to satisfies, one
// requirement per field (the intersection of what each source requires).
func (s *envShape) requirements(a *Action) []requirement {
	byField := map[string]*requirement{}
	var order []string
	add := func(f fieldInfo, values []string) {
		r := byField[f.goName]
		if r == nil {
			r = &requirement{field: f, values: map[string]bool{}}
			for _, v := range values {
				r.values[v] = true
			}
			byField[f.goName] = r
			order = append(order, f.goName)
			return
		}
		keep := map[string]bool{}
		for _, v := range values {
			if r.values[v] {
				keep[v] = true
			}
		}
		r.values = keep
	}
	if a.state != nil && len(a.from) > 0 {
		add(*a.state, a.def.Workflow.From)
	}
	for _, src := range a.sources() {
		for _, eq := range eval.Equalities(src) {
			if f, ok := s.byExprName[eq.Name]; ok && f.typ.Kind() == reflect.String {
				add(f, eq.Values)
			}
		}
	}
	out := make([]requirement, 0, len(order))
	for _, name := range order {
		out = append(out, *byField[name])
	}
	return out
}

// index files the probes of a catalog (in position order) by the values
// of at most maxIndexedFields fields.
type index struct {
	fields []indexedField
	always []probe // the probes filed under no field
	// With one field, its lists hold the always probes too, merged in
	// position order, so that Resolve reads one list.
	merged bool
}

type indexedField struct {
	field   fieldInfo
	byValue map[string][]probe
}

// buildIndex files the catalog's probes; each probe's pos is its place in
// position order. It compiles the probes' residual conditions with ec (see
// fastCond).
func (c *Catalog[T]) buildIndex(ec *eval.Config) {
	reqs := make([][]requirement, len(c.actions))
	distinct := map[string]map[string]bool{} // field → every value some action requires
	for i, a := range c.actions {
		p := newProbe(a)
		p.pos = int32(i)
		c.all = append(c.all, p)
		reqs[i] = c.shape.requirements(a)
		for _, r := range reqs[i] {
			if distinct[r.field.goName] == nil {
				distinct[r.field.goName] = map[string]bool{}
			}
			for v := range r.values {
				distinct[r.field.goName][v] = true
			}
		}
	}
	// The fields with the most distinct values discriminate best.
	var names []string
	for name := range distinct {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(distinct[names[i]]) != len(distinct[names[j]]) {
			return len(distinct[names[i]]) > len(distinct[names[j]])
		}
		return names[i] < names[j]
	})
	if len(names) > maxIndexedFields {
		names = names[:maxIndexedFields]
	}
	rank := map[string]int{}
	for i, name := range names {
		rank[name] = i
	}
	var ix index
	fieldAt := map[string]int{}
	for i, p := range c.all {
		best := -1
		for k, r := range reqs[i] {
			rk, ok := rank[r.field.goName]
			if !ok {
				continue
			}
			if best < 0 || rk < rank[reqs[i][best].field.goName] {
				best = k
			}
		}
		primary := ""
		if best >= 0 {
			primary = reqs[i][best].field.goName
		}
		c.prepareFast(&c.all[i], primary, ec)
		p = c.all[i]
		if best < 0 {
			ix.always = append(ix.always, p)
			continue
		}
		r := reqs[i][best]
		at, ok := fieldAt[r.field.goName]
		if !ok {
			at = len(ix.fields)
			fieldAt[r.field.goName] = at
			ix.fields = append(ix.fields, indexedField{field: r.field, byValue: map[string][]probe{}})
		}
		values := make([]string, 0, len(r.values))
		for v := range r.values {
			values = append(values, v)
		}
		sort.Strings(values)
		for _, v := range values {
			ix.fields[at].byValue[v] = append(ix.fields[at].byValue[v], p)
		}
	}
	if len(ix.fields) == 1 {
		ix.merged = true
		f := &ix.fields[0]
		for v, list := range f.byValue {
			f.byValue[v] = mergeProbes(list, ix.always)
		}
	}
	c.index = ix
}

// fastCond is how Resolve evaluates a condition of an action it reached
// through the index, asking for no reasons: the equalities on the field the
// action is filed under are dropped (the index lists it only for objects
// that satisfy them), the conjuncts that read only the actor are answered
// once per request (and once per ResolveAll), and the rest run as one
// program. Explain, Check, Execute and Resolve without the index evaluate
// the whole condition. A fastCond decides the same: it is made only for a
// condition that counts no steps or memory of its own (whose parts could
// not fit a budget the whole does not), and when one of its parts fails at
// run time, the whole condition is evaluated instead, in its own order and
// words, and fails or not as written. The index itself never evaluates an
// action whose required value the object lacks: when such a condition
// would have failed at run time, the action is not applicable either way,
// and only the observer hears of the failure less.
type fastCond struct {
	memo     []int           // indexes in Catalog.memo
	residual *eval.Condition // nil: nothing left to evaluate
}

// prepareFast gives p's condition and guards their fastCond; primary is
// the Go name of the field p is filed under ("" for none).
func (c *Catalog[T]) prepareFast(p *probe, primary string, ec *eval.Config) {
	if c.memoBySource == nil {
		c.memoBySource = map[string]int{}
	}
	a := p.action
	if p.cond != nil {
		p.fast = c.fastOf(a.def.Condition, p.cond, primary, ec)
	}
	if len(p.guards) > 0 {
		guards := make([]compiledGuard, len(p.guards))
		copy(guards, p.guards)
		for i := range guards {
			guards[i].fast = c.fastOf(a.def.Guards[i].Expr, guards[i].cond, primary, ec)
		}
		p.guards = guards
	}
}

// fastOf returns the fastCond of the condition src (compiled as full), or
// nil when it would evaluate all of src anyway, or when src counts steps or
// memory: its parts evaluated apart would each get the whole budget.
func (c *Catalog[T]) fastOf(src string, full *eval.Condition, primary string, ec *eval.Config) *fastCond {
	if full == nil || full.Metered() || strings.Contains(src, "..") { // a range is charged to the memory budget
		return nil
	}
	conjuncts := eval.Conjuncts(src)
	var f fastCond
	var rest []string
	for _, cj := range conjuncts {
		switch {
		case cj.Equality != nil && primary != "" && c.isField(cj.Equality.Name, primary):
			// Implied by the index.
		case cj.ActorOnly:
			m, ok := c.memoBySource[cj.Source]
			if !ok {
				cond, err := eval.Compile(cj.Source, c.shape.typ, ec)
				if err != nil {
					return nil // cannot happen for a part of a condition that compiled; be safe
				}
				cond.PrepareExplain()
				m = len(c.memo)
				c.memo = append(c.memo, cond)
				c.memoBySource[cj.Source] = m
			}
			f.memo = append(f.memo, m)
		default:
			rest = append(rest, cj.Source)
		}
	}
	if len(rest) == len(conjuncts) {
		return nil
	}
	if len(rest) > 0 {
		residual, err := eval.Compile(strings.Join(rest, " && "), c.shape.typ, ec)
		if err != nil {
			return nil // the printed conjuncts did not compile: evaluate src whole
		}
		f.residual = residual
	}
	return &f
}

// isField reports whether name, as expressions read it, is the string
// field goName.
func (c *Catalog[T]) isField(name, goName string) bool {
	f, ok := c.shape.byExprName[name]
	return ok && f.goName == goName && f.typ.Kind() == reflect.String
}

// mergeProbes merges two lists in position order.
func mergeProbes(a, b []probe) []probe {
	out := make([]probe, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].pos < b[0].pos {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// candidates returns an iterator over the probes that may apply to obj, in
// position order.
func (c *Catalog[T]) candidates(obj *T) candidateIter {
	var it candidateIter
	ix := &c.index
	switch {
	case len(ix.fields) == 0:
		it.add(ix.always)
	case ix.merged:
		f := &ix.fields[0]
		list, ok := f.byValue[stringAt(obj, &f.field)]
		if !ok {
			list = ix.always
		}
		it.add(list)
	default:
		for i := range ix.fields {
			f := &ix.fields[i]
			it.add(f.byValue[stringAt(obj, &f.field)])
		}
		it.add(ix.always)
	}
	return it
}

// allCandidates returns an iterator over every probe: Resolve without the
// index.
func (c *Catalog[T]) allCandidates() candidateIter {
	var it candidateIter
	it.add(c.all)
	return it
}

// candidateIter merges up to maxIndexedFields+1 lists of probes, each in
// position order, by position. It lives on its caller's stack.
type candidateIter struct {
	lists [maxIndexedFields + 1][]probe
	n     int
}

func (it *candidateIter) add(l []probe) {
	if len(l) > 0 {
		it.lists[it.n] = l
		it.n++
	}
}

// next returns the next probe, or nil at the end.
func (it *candidateIter) next() *probe {
	if it.n == 1 { // one list: no merge
		l := &it.lists[0]
		if len(*l) == 0 {
			return nil
		}
		p := &(*l)[0]
		*l = (*l)[1:]
		return p
	}
	min := -1
	for i := 0; i < it.n; i++ {
		if len(it.lists[i]) > 0 && (min < 0 || it.lists[i][0].pos < it.lists[min][0].pos) {
			min = i
		}
	}
	if min < 0 {
		return nil
	}
	p := &it.lists[min][0]
	it.lists[min] = it.lists[min][1:]
	return p
}

// exprName is the name expressions read a field by: its expr tag, or its Go
// name; "" for a field tagged expr:"-", which expressions cannot read.
func exprName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("expr"), ",")
	switch tag {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return tag
}
