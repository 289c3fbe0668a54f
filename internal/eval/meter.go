package eval

import (
	"context"
	"reflect"
	"time"
)

// A meter counts the steps and the memory of one evaluation of a metered
// program (see patch.go): the functions the compiler inserted into the
// program call it. They reach it through VM variables, set before each run,
// because a compiled program is shared by every goroutine that evaluates it
// and a VM serves one evaluation at a time. Each pooled VM has its meter
// (see runner).
type meter struct {
	// Steps are counted down in windows that end at the next read of the
	// context or at the limit, so that counting a step is a decrement
	// and a comparison.
	left     uint // steps left in the window
	window   uint // its size
	steps    uint // the steps before it
	maxSteps uint
	mem      uint
	maxMem   uint
	ctx      context.Context
	deadline time.Time // ctx's, if hasDL
	hasDL    bool
}

// checkEvery is how many steps pass between two reads of the context: a
// step costs some nanoseconds and ctx.Err a lock, so the context is read
// every few tens of microseconds for a fraction of a percent of the time.
// The deadline is compared with the clock too: a context's timer fires on
// a goroutine of its own, which a busy machine may run milliseconds late.
const checkEvery = 1024

func (m *meter) reset(ctx context.Context, maxSteps, maxMem uint) {
	*m = meter{ctx: ctx, maxSteps: maxSteps, maxMem: maxMem}
	m.deadline, m.hasDL = ctx.Deadline()
	m.open(0)
}

// open starts a window after n steps.
func (m *meter) open(n uint) {
	m.steps, m.window = n, min(checkEvery, m.maxSteps-n)
	m.left = m.window
}

// counted returns the steps counted so far.
func (m *meter) counted() uint { return m.steps + m.window - m.left }

// stepsLeft is how many steps the limit still allows: the limit of a
// measure whose size is counted as steps, plus one to tell "over".
func (m *meter) stepsLeft() uint { return m.maxSteps - m.counted() + 1 }

// step counts n steps, and reads the context every checkEvery steps.
func (m *meter) step(n uint) error {
	if n < m.left {
		m.left -= n
		return nil
	}
	return m.endWindow(n)
}

// endWindow counts n steps that reach the end of the window: it checks the
// limit and the context, and opens the next window.
func (m *meter) endWindow(n uint) error {
	c := m.counted()
	if n > m.maxSteps-c {
		m.open(m.maxSteps)
		return ErrTooManySteps
	}
	m.open(c + n)
	if err := m.ctx.Err(); err != nil {
		return err
	}
	if m.hasDL && !time.Now().Before(m.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// fits reports whether n more units stay within the memory budget. As in
// expr's count, reaching the budget is exceeding it.
func (m *meter) fits(n uint) error {
	if n > 0 && n >= m.maxMem-m.mem {
		return ErrMemoryBudget
	}
	return nil
}

// alloc charges n units to the memory budget.
func (m *meter) alloc(n uint) error {
	if err := m.fits(n); err != nil {
		return err
	}
	m.mem += n
	return nil
}

// Sizes. Both budgets count in units: one per element of a list or map, and
// one per 8 bytes of a string, rounded up.

const unitBytes = 8

func stringUnits(n int) uint { return (uint(n) + unitBytes - 1) / unitBytes }

// maxMeasureDepth bounds the nesting a measure follows; deeper data measures
// as over any limit.
const maxMeasureDepth = 1000

// measure returns the size of v in units, counted recursively through lists,
// maps, struct fields and pointers (one unit per pointer followed, so that
// a cycle ends), and the deepest nesting of lists and maps in it. It stops
// counting once past limit: measuring costs at most about limit units of
// work, and a result over limit means "too big".
func measure(v any, limit uint) (units uint, depth int) {
	s := sizer{limit: limit}
	s.any(v, 0)
	return s.n, s.max
}

// units is measure without the depth.
func units(v any, limit uint) uint {
	n, _ := measure(v, limit)
	return n
}

type sizer struct {
	limit, n uint
	max      int
}

func (s *sizer) over() bool { return s.n > s.limit }

func (s *sizer) nest(depth int) bool {
	if depth > s.max {
		s.max = depth
	}
	if depth > maxMeasureDepth {
		s.n = s.limit + 1
		return false
	}
	return true
}

func (s *sizer) any(v any, depth int) {
	if s.over() {
		return
	}
	switch x := v.(type) {
	case nil, bool, int, int64, float64, time.Time, time.Duration:
	case string:
		s.n += stringUnits(len(x))
	case []byte:
		s.n += stringUnits(len(x))
	case []int:
		s.n += uint(len(x))
		s.nest(depth + 1)
	case []float64:
		s.n += uint(len(x))
		s.nest(depth + 1)
	case []string:
		s.n += uint(len(x))
		s.nest(depth + 1)
		for _, e := range x {
			if s.n += stringUnits(len(e)); s.over() {
				return
			}
		}
	case []any:
		s.n += uint(len(x))
		if !s.nest(depth + 1) {
			return
		}
		for _, e := range x {
			if s.any(e, depth+1); s.over() {
				return
			}
		}
	case map[string]any:
		s.n += uint(len(x))
		if !s.nest(depth + 1) {
			return
		}
		for k, e := range x {
			if s.n += stringUnits(len(k)); s.over() {
				return
			}
			if s.any(e, depth+1); s.over() {
				return
			}
		}
	default:
		s.value(reflect.ValueOf(v), depth)
	}
}

var timeType = reflect.TypeFor[time.Time]()

func (s *sizer) value(v reflect.Value, depth int) {
	if s.over() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		s.n += stringUnits(v.Len())
	case reflect.Slice, reflect.Array:
		s.n += uint(v.Len())
		if !s.nest(depth+1) || scalar(v.Type().Elem().Kind()) {
			return
		}
		for i := range v.Len() {
			if s.value(v.Index(i), depth+1); s.over() {
				return
			}
		}
	case reflect.Map:
		s.n += uint(v.Len())
		if !s.nest(depth + 1) {
			return
		}
		for it := v.MapRange(); it.Next(); {
			if s.value(it.Key(), depth+1); s.over() {
				return
			}
			if s.value(it.Value(), depth+1); s.over() {
				return
			}
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() || !s.nest(depth+1) {
			return
		}
		s.n++
		s.value(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType || !s.nest(depth+1) {
			return
		}
		for i := range v.NumField() {
			if s.value(v.Field(i), depth+1); s.over() {
				return
			}
		}
	}
}

func scalar(k reflect.Kind) bool {
	return k >= reflect.Bool && k <= reflect.Complex128
}

// deref follows pointers and interfaces as expr does before it calls a
// built-in: the compiled calls that replace built-ins receive their
// arguments as they are.
func deref(v any) any {
	switch v.(type) {
	case nil, string, int, float64, bool, []any, []string, map[string]any:
		return v
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	return rv.Interface()
}
