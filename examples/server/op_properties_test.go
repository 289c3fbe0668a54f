package main

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actionable-go/actionable/adapters/openproject"
	"github.com/google/go-cmp/cmp"
)

// opRenderings is the demo's adapter twice over one engine: as the server
// configures it, its work packages writing their own properties
// (appendProperties), and with encoding/json writing them.
type opRenderings struct {
	d                *demo[opWorkPackage]
	hook, reflective http.Handler
	next             atomic.Int64 // the id of the next work package created
}

func newOpRenderings(t testing.TB) *opRenderings {
	t.Helper()
	d, cfg, err := openProjectDemo(t.Context(), "../../testdata", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AppendProperties == nil {
		t.Fatal("the demo does not set AppendProperties")
	}
	hook, err := openproject.New(d.engine, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AppendProperties = nil
	reflective, err := openproject.New(d.engine, cfg)
	if err != nil {
		t.Fatal(err)
	}
	o := &opRenderings{d: d, hook: hook, reflective: reflective}
	o.next.Store(10000)
	return o
}

// compare serves a GET of path as the user of token both ways and
// compares the answers.
func (o *opRenderings) compare(t *testing.T, path, token string) {
	t.Helper()
	serve := func(h http.Handler) string {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return strconv.Itoa(w.Code) + " " + w.Header().Get("Content-Type") + "\n" + w.Body.String()
	}
	if diff := cmp.Diff(serve(o.reflective), serve(o.hook)); diff != "" {
		t.Errorf("GET %s as %s: mismatch (-encoding/json +appendProperties):\n%s", path, token, diff)
	}
}

// compareWP stores wp under a new id and compares its GET both ways.
func (o *opRenderings) compareWP(t *testing.T, wp opWorkPackage) {
	t.Helper()
	id := strconv.FormatInt(o.next.Add(1), 10)
	if _, err := o.d.store.Create(t.Context(), id, wp); err != nil {
		t.Fatal(err)
	}
	o.compare(t, "/api/v3/work_packages/"+id, "op-admin")
}

// TestOpAppendProperties: the demo's work packages render the same, byte
// for byte, whether they write their own properties or encoding/json
// does: the demo's own (GET and the collection, as each user), and random
// ones with strings that need escaping.
func TestOpAppendProperties(t *testing.T) {
	o := newOpRenderings(t)
	for _, token := range []string{"op-admin", "op-member", "op-viewer"} {
		for _, id := range o.d.ids {
			o.compare(t, "/api/v3/work_packages/"+id, token)
		}
		o.compare(t, "/api/v3/work_packages", token)
	}
	pieces := []string{"", "Write the release notes", "<b>&amp;</b>", `quote " and \ backslash`, "\u2028\u2029",
		"ünïcödé 日本", "bad \xff\xfe utf-8", "\x00\x01\x1f\x7f", "tab\tnl\ncr\r", "🙂", "a/b?c=d#e", "%41"}
	str := func(r *rand.Rand) string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	one := func(r *rand.Rand, names ...string) string { return names[r.IntN(len(names))] }
	r := rand.New(rand.NewPCG(16, 42))
	for range 500 {
		wp := opWorkPackage{
			Subject:        str(r),
			Project:        one(r, "demo", "archive", "secret"),
			Type:           one(r, "Task", "Bug"),
			Status:         one(r, "New", "In progress", "Closed"),
			Assignee:       one(r, "", "admin", "member", "viewer"),
			PercentageDone: r.IntN(300) - 100,
		}
		if r.IntN(2) == 0 {
			s := str(r)
			wp.StartDate = &s
		}
		o.compareWP(t, wp)
	}
}

// FuzzOpAppendProperties: whatever its subject, start date and percentage,
// a work package renders the same both ways.
func FuzzOpAppendProperties(f *testing.F) {
	f.Add("Write the release notes", "2026-11-02", 0, true)
	f.Add("<&> \"\\ \u2028 \xff", "", -1, false)
	o := newOpRenderings(f)
	f.Fuzz(func(t *testing.T, subject, startDate string, percentageDone int, started bool) {
		wp := opWorkPackage{Subject: subject, Project: "demo", Type: "Task", Status: "New", Assignee: "member", PercentageDone: percentageDone}
		if started {
			wp.StartDate = &startDate
		}
		o.compareWP(t, wp)
	})
}
