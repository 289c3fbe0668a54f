package actions

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actionable-go/actionable/conditions"
)

// The object types of the environment layout tests. envOf copies an object
// whole when its fields are the environment's first fields at the same
// offsets, and field by field otherwise; each type below probes one way the
// two layouts can differ.
type (
	envPlain struct {
		Title string
		Count int
		Tags  []string
	}
	envReordered struct {
		Tags  []string
		Count int
		Title string
	}
	envUnexportedFirst struct {
		secret int
		Title  string
	}
	envUnexportedMiddle struct {
		Title  string
		secret *int
		Count  int
	}
	envUnexportedLast struct {
		Title  string
		Count  int
		secret []string
	}
	envBlank struct {
		Title string
		_     int
		Count int
	}
	envBlankFirst struct {
		_     [0]func() // the "no comparison" idiom
		Title string
	}
	envBase struct {
		Status string
		Owner  *string
	}
	envEmbedded struct {
		envBase
		Title string
	}
	EnvExportedBase struct {
		Status string
		Level  int
	}
	envEmbeddedExported struct {
		Title string
		EnvExportedBase
	}
	envEmbeddedPointer struct {
		*EnvExportedBase // promoted through a pointer: not in the environment
		Title            string
	}
	envNested struct {
		envEmbedded
		Extra []int
	}
	envShadowed struct {
		envBase        // its Status is shadowed by the field below
		Status  string // the outer one wins
		Count   int
	}
	EnvTags          []string
	envEmbeddedSlice struct {
		EnvTags
		Title string
	}
	envTrailingZero struct {
		Count int64
		Done  struct{} // the compiler pads T after a zero-size last field
	}
	envTrailingZeroPointer struct {
		P    *int
		None [0]*int
	}
	envMiddleZero struct {
		Count int64
		Mark  struct{}
		Total int64
	}
	envPacked struct {
		A int8
		B int64
		C int8
		D int16
	}
	envTiny     struct{ A int8 }
	envPointers struct {
		P    *int
		M    map[string]int
		I    any
		F    func() int
		Ch   chan int
		B    []byte
		Arr  [3]*string
		When time.Time
		Err  error
	}
	envBig struct {
		Head  string
		Block [80]int64 // larger than the collector's small-object size classes with a header
		Tail  *string
	}
	EnvStatus string
	envNamed  struct {
		Status EnvStatus
		Level  uint8
	}
)

// referenceEnv builds the environment of obj field by field, by name, without
// envShape's copy paths: what envOf must produce.
func referenceEnv[T any](s *envShape, obj T, actor Actor) any {
	src := reflect.ValueOf(&obj).Elem()
	dst := reflect.New(s.typ).Elem()
	for i := range s.typ.NumField() {
		name := s.typ.Field(i).Name
		if name == "Actor" {
			dst.Field(i).Set(reflect.ValueOf(actor))
			continue
		}
		dst.Field(i).Set(src.FieldByName(name))
	}
	return dst.Interface()
}

// checkEnv checks envOf against referenceEnv for obj, and the layout
// invariant the whole-object copy relies on.
func checkEnv[T any](t *testing.T, obj T, wantPrefix bool) {
	t.Helper()
	s, err := newEnvShape(reflect.TypeFor[T]())
	if err != nil {
		t.Fatalf("newEnvShape: %v", err)
	}
	if s.prefix != wantPrefix {
		t.Errorf("prefix = %v, want %v", s.prefix, wantPrefix)
	}
	if s.prefix {
		// The copy of T must not reach into Actor, and every field must be
		// at the same offset with the same type.
		if size := s.obj.Size(); size > s.actorOff {
			t.Errorf("whole copy of %v writes %d bytes, Actor starts at %d", s.obj, size, s.actorOff)
		}
		for i := range s.actorIdx {
			ef, of := s.typ.Field(i), s.obj.Field(i)
			if ef.Offset != of.Offset || ef.Type != of.Type || ef.Name != of.Name {
				t.Errorf("field %d: env %s %v at %d, object %s %v at %d", i, ef.Name, ef.Type, ef.Offset, of.Name, of.Type, of.Offset)
			}
		}
	}
	actor := Actor{ID: "ann", Name: "Ann", Roles: []string{"manager"}, Permissions: []string{"edit"}, Attributes: map[string]string{"team": "core"}}
	want := referenceEnv(s, obj, actor)
	got := envOf(s, &obj, &actor)
	if reflect.TypeOf(got) != s.typ {
		t.Fatalf("envOf type = %v, want %v", reflect.TypeOf(got), s.typ)
	}
	// Compare field by field: func fields are never DeepEqual.
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range s.typ.NumField() {
		g, w := gv.Field(i), wv.Field(i)
		if g.Kind() == reflect.Func {
			if g.IsNil() != w.IsNil() || !g.IsNil() && g.Pointer() != w.Pointer() {
				t.Errorf("field %s: func differs", s.typ.Field(i).Name)
			}
			continue
		}
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			t.Errorf("field %s = %#v, want %#v", s.typ.Field(i).Name, g.Interface(), w.Interface())
		}
	}
}

func TestEnvLayout(t *testing.T) {
	owner, label := "ann", "x"
	n := 7
	tests := []struct {
		name   string
		check  func(t *testing.T)
		prefix bool
	}{
		{"plain", func(t *testing.T) { checkEnv(t, envPlain{Title: "a", Count: 2, Tags: []string{"t"}}, true) }, true},
		{"reordered", func(t *testing.T) { checkEnv(t, envReordered{Tags: []string{"t"}, Count: 2, Title: "a"}, true) }, true},
		{"unexported first", func(t *testing.T) { checkEnv(t, envUnexportedFirst{secret: 9, Title: "a"}, false) }, false},
		{"unexported middle", func(t *testing.T) { checkEnv(t, envUnexportedMiddle{Title: "a", secret: &n, Count: 3}, false) }, false},
		{"unexported last", func(t *testing.T) { checkEnv(t, envUnexportedLast{Title: "a", Count: 3, secret: []string{"s"}}, false) }, false},
		{"blank field", func(t *testing.T) { checkEnv(t, envBlank{Title: "a", Count: 3}, false) }, false},
		{"blank first", func(t *testing.T) { checkEnv(t, envBlankFirst{Title: "a"}, false) }, false},
		{"unexported embedded", func(t *testing.T) {
			checkEnv(t, envEmbedded{envBase: envBase{Status: "open", Owner: &owner}, Title: "a"}, false)
		}, false},
		{"exported embedded", func(t *testing.T) {
			checkEnv(t, envEmbeddedExported{Title: "a", EnvExportedBase: EnvExportedBase{Status: "open", Level: 2}}, false)
		}, false},
		{"embedded pointer, set", func(t *testing.T) {
			checkEnv(t, envEmbeddedPointer{EnvExportedBase: &EnvExportedBase{Status: "open"}, Title: "a"}, false)
		}, false},
		{"embedded pointer, nil", func(t *testing.T) { checkEnv(t, envEmbeddedPointer{Title: "a"}, false) }, false},
		{"nested embedding", func(t *testing.T) {
			checkEnv(t, envNested{envEmbedded: envEmbedded{envBase: envBase{Status: "s", Owner: &owner}, Title: "a"}, Extra: []int{1}}, false)
		}, false},
		{"shadowed promoted field", func(t *testing.T) {
			checkEnv(t, envShadowed{envBase: envBase{Status: "inner", Owner: &owner}, Status: "outer", Count: 1}, false)
		}, false},
		{"embedded slice type", func(t *testing.T) { checkEnv(t, envEmbeddedSlice{EnvTags: EnvTags{"t"}, Title: "a"}, true) }, true},
		{"trailing zero-size field", func(t *testing.T) { checkEnv(t, envTrailingZero{Count: 5}, false) }, false},
		{"trailing zero-size array of pointers", func(t *testing.T) { checkEnv(t, envTrailingZeroPointer{P: &n}, false) }, false},
		{"zero-size field in the middle", func(t *testing.T) { checkEnv(t, envMiddleZero{Count: 1, Total: 2}, true) }, true},
		{"mixed alignment", func(t *testing.T) { checkEnv(t, envPacked{A: 1, B: 2, C: 3, D: 4}, true) }, true},
		{"tiny", func(t *testing.T) { checkEnv(t, envTiny{A: 1}, true) }, true},
		{"pointers of every kind", func(t *testing.T) {
			checkEnv(t, envPointers{
				P: &n, M: map[string]int{"a": 1}, I: &owner, F: func() int { return 1 }, Ch: make(chan int),
				B: []byte("b"), Arr: [3]*string{&owner, nil, &label}, When: time.Unix(1, 0), Err: context.Canceled,
			}, true)
		}, true},
		{"big", func(t *testing.T) { checkEnv(t, envBig{Head: "h", Block: [80]int64{79: 1}, Tail: &label}, true) }, true},
		{"named string type", func(t *testing.T) { checkEnv(t, envNamed{Status: "open", Level: 3}, true) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

// TestEnvSurvivesCollection builds environments of objects that hold
// pointers nothing else keeps alive, collects garbage, and reads them back
// through a compiled expression: the collector must see every pointer an
// environment holds, on both copy paths. Run it with GOGC=1 and
// GODEBUG=gccheckmark=1,clobberfree=1 to make a missed pointer visible.
func TestEnvSurvivesCollection(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	whole, err := newEnvShape(reflect.TypeFor[envPointers]())
	if err != nil {
		t.Fatal(err)
	}
	e, err := conditions.CompileExpression(`keys(M)[0] + "|" + string(P ?? -1) + "|" + Arr[1] + "|" + Actor.ID + "|" + Actor.Roles[0] + "|" + string(len(B))`, whole.typ)
	if err != nil {
		t.Fatal(err)
	}
	byField, err := newEnvShape(reflect.TypeFor[envPointers]())
	if err != nil {
		t.Fatal(err)
	}
	byField.prefix = false
	for _, s := range []*envShape{whole, byField} {
		t.Run(fmt.Sprintf("prefix=%v", s.prefix), func(t *testing.T) {
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 50 {
						want := fmt.Sprintf("g%d-%d", g, i)
						env := func() any { // the object, its pointees and the actor live only in env
							n, str := i, strings.Clone(want)
							obj := envPointers{P: &n, M: map[string]int{want: i}, I: &str, B: []byte(want), Arr: [3]*string{nil, &str}}
							actor := Actor{ID: strings.Clone(want), Roles: []string{strings.Clone(want)}}
							return envOf(s, &obj, &actor)
						}()
						runtime.GC()
						out, err := e.Run(context.Background(), env)
						if err != nil {
							t.Errorf("Run: %v", err)
							return
						}
						if got, w := out.(string), want+"|"+strconv.Itoa(i)+"|"+want+"|"+want+"|"+want+"|"+strconv.Itoa(len(want)); got != w {
							t.Errorf("environment read back as %q after a collection, want %q", got, w)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}
