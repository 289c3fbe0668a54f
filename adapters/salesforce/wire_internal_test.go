package salesforce

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/actionable-go/actionable/adapters/internal/httpx"
	"github.com/google/go-cmp/cmp"
)

// wireStrings are the strings the random values are made of: what
// encoding/json writes as it is, and what it escapes.
var wireStrings = []string{"", "Approve", "0An000000000001AAA", "/services/data/v62.0/connect/action-links/0An",
	"<a & b>", `quote " back \`, "\x00\x1f\x7f", "\u2028\u2029", "ünï", "bad \xff", "\t\n\r"}

// fillRandom sets every exported field v reaches to a random value: nil
// or set pointers, nil, empty or filled slices, strings of wireStrings. A
// field added to a wire type is filled too, so that a writer that does not
// know it differs from encoding/json.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(wireStrings[rng.IntN(len(wireStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(rng.Int64N(2001) - 1000)
	case reflect.Pointer:
		if rng.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fillRandom(rng, p.Elem())
		v.Set(p)
	case reflect.Slice:
		switch rng.IntN(3) {
		case 0:
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+rng.IntN(2), 2)
			for i := range s.Len() {
				fillRandom(rng, s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillRandom(rng, v.Field(i))
			}
		}
	default:
		panic("fillRandom: no values for " + v.Type().String())
	}
}

// TestAppendLinkActionIsEncoder checks that writeLinkAction writes what
// encoding/json writes of the Platform Action (as every other answer is
// written), on random links as random users see them, under random base
// paths.
func TestAppendLinkActionIsEncoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	statuses := []string{StatusNew, StatusPending, StatusSuccessful, StatusFailed}
	var keys []string
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	years := []int{-1, 0, 1, 999, 2026, 9999, 10000}
	for i := range 5000 {
		var l Link
		fillRandom(rng, reflect.ValueOf(&l).Elem())
		if rng.IntN(2) == 0 {
			l.LabelKey = keys[rng.IntN(len(keys))]
		}
		l.Created = time.Date(years[rng.IntN(len(years))], time.Month(1+rng.IntN(12)), 1+rng.IntN(28),
			rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e9), time.FixedZone("", 3600*(rng.IntN(25)-12)))
		a := linkAction{link: l, status: statuses[rng.IntN(len(statuses))]}
		if rng.IntN(5) == 0 {
			a.status = wireStrings[rng.IntN(len(wireStrings))]
		}
		if rng.IntN(2) == 0 {
			u := wireStrings[rng.IntN(len(wireStrings))]
			a.actionURL = &u
		}
		if rng.IntN(3) == 0 {
			a.executingUser = new(UserSummary)
			fillRandom(rng, reflect.ValueOf(a.executingUser).Elem())
		}
		base := "/services/data/v62.0"
		if i%2 == 0 {
			base = wireStrings[rng.IntN(len(wireStrings))]
		}
		h := &Handler{cfg: Config{BasePath: base}}
		pa := h.platformActionOf(&a)
		e := httpx.NewEncoder()
		want, err := e.Encode(pa)
		if err != nil {
			t.Fatal(err)
		}
		wantS := string(want)
		e.Release()
		got, err := appendLinkAction([]byte("prefix"), base, &a)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantS, string(got[len("prefix"):])+"\n"); diff != "" {
			t.Errorf("%#v under %q mismatch (-encoding/json +got):\n%s", pa, base, diff)
		}
	}
}

// TestFormatTimeIsFormat checks formatTime against time.Format, over the
// years it writes itself and those it leaves to Format.
func TestFormatTimeIsFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	zones := []*time.Location{time.UTC, time.FixedZone("", -11*3600), time.FixedZone("", 14*3600+45*60)}
	times := []time.Time{{}, time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 30, 0, 0, time.FixedZone("", 3600)), time.Now()}
	for range 20000 {
		year := rng.IntN(12000) - 1000
		if rng.IntN(2) == 0 {
			year = 1900 + rng.IntN(300)
		}
		times = append(times, time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60), rng.IntN(60),
			rng.IntN(1e9), zones[rng.IntN(len(zones))]))
	}
	for _, tm := range times {
		if got, want := formatTime(tm), tm.UTC().Format(timeLayout); got != want {
			t.Errorf("formatTime(%v) = %q, want %q", tm, got, want)
		}
	}
}
