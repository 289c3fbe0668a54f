package main

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
)

// The browser tests drive headless Chromium against the example server.
// They find the browser in $CHROMIUM or on the PATH (chromium, as
// Debian's package installs it, or chromium-browser, google-chrome), and
// skip without one, unless ACTIONABLE_BROWSER_TESTS=required (.ci/run
// sets it): then a missing browser fails them.
var screenshot = flag.String("screenshot", "", "write a PNG of the console's playground to this file (the README's)")

// browserPath returns the Chromium to run, or skips (fails, when the
// browser tests are required) without one.
func browserPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM to a Chromium or Chrome binary"
	if os.Getenv("ACTIONABLE_BROWSER_TESTS") == "required" {
		t.Fatal(msg + "; ACTIONABLE_BROWSER_TESTS=required makes this a failure")
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and returns
// the context of its first tab; every request it sends carries the
// Authorization header auth. The browser is closed when the test ends,
// and at the latest after two minutes.
func newBrowser(t *testing.T, auth string) context.Context {
	t.Helper()
	path := browserPath(t)
	profile := t.TempDir() // removed after the browser has exited (cleanups run last in, first out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// The machines have no outside network: no background traffic.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 800),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel() // waits for the browser to exit
		cancel()
	})
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatal(err)
	}
	return bctx
}

// step runs actions with a deadline of its own, failing t on error.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// submit clicks the button sel and waits for the page it loads; it
// returns the page's status.
func submit(t *testing.T, ctx context.Context, sel string) int64 {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	return resp.Status
}

// The playground as the browser shows it: the names of the applicable
// actions, and the reasons of the refused ones by name.
const (
	applicableJS = `[...document.querySelectorAll('#applicable .pg-action h3')].map(h => h.firstChild.textContent.trim())`
	reasonsJS    = `Object.fromEntries([...document.querySelectorAll('#refused .pg-action')].map(li =>
		[li.querySelector('h3').firstChild.textContent.trim(), li.querySelector('.reasons').innerText.trim().replace(/\n+/g, '\n')]))`
)

// editObject replaces old with new in the playground's JSON.
func editObject(t *testing.T, ctx context.Context, old, new string) {
	t.Helper()
	src := eval[string](t, ctx, `document.getElementById('pg-object').value`)
	if !strings.Contains(src, old) {
		t.Fatalf("the object has no %s:\n%s", old, src)
	}
	step(t, ctx, "editing the object", chromedp.SetValue(chromedp.ID("pg-object"), strings.Replace(src, old, new, 1)))
}

// TestConsoleBrowser drives the OpenProject demo's console in Chromium:
// the playground of work package 43 for Max Member, a field changed, an
// action appearing and another one's reason changing, a dry run with its
// change and its violation; keyboard-only use; the page at 1280×800 and
// at a phone's width; and the workflow picture of a catalog.
func TestConsoleBrowser(t *testing.T) {
	demo, err := newServer("../../testdata", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(demo)
	defer srv.Close()
	ctx := newBrowser(t, basic("op-admin"))
	base := srv.URL + "/console/openproject/"

	t.Run("playground", func(t *testing.T) {
		step(t, ctx, "opening the playground", chromedp.Navigate(base+"playground?object=43&actor=member"), chromedp.WaitVisible(chromedp.ID("applicable")))
		if diff := cmp.Diff([]string{"Close", "Change project and type", "Make progress"}, eval[[]string](t, ctx, applicableJS)); diff != "" {
			t.Errorf("applicable actions of 43 mismatch (-want +got):\n%s", diff)
		}
		before := eval[map[string]string](t, ctx, reasonsJS)
		wantBefore := map[string]string{
			"Unassign":   `CONDITION condition is false` + "\n" + `Assignee != "" is false: Assignee = ""`,
			"Start work": `CONDITION condition is false` + "\n" + `Status == "New" is false: Status = "In progress"`,
		}
		if diff := cmp.Diff(wantBefore, before); diff != "" {
			t.Errorf("reasons of 43 mismatch (-want +got):\n%s", diff)
		}

		// Closed: Close leaves the list with its reason, and Start
		// work's reason now reads the new status.
		editObject(t, ctx, `"status": "In progress"`, `"status": "Closed"`)
		if status := submit(t, ctx, "#pg button.primary"); status != 200 {
			t.Fatalf("evaluating: status %d", status)
		}
		if diff := cmp.Diff([]string{"Change project and type", "Make progress"}, eval[[]string](t, ctx, applicableJS)); diff != "" {
			t.Errorf("applicable actions of 43, closed, mismatch (-want +got):\n%s", diff)
		}
		closed := eval[map[string]string](t, ctx, reasonsJS)
		wantClosed := map[string]string{
			"Close":      `CONDITION condition is false` + "\n" + `Status in ["New", "In progress"] is false: Status = "Closed"`,
			"Unassign":   wantBefore["Unassign"],
			"Start work": `CONDITION condition is false` + "\n" + `Status == "New" is false: Status = "Closed"`,
		}
		if diff := cmp.Diff(wantClosed, closed); diff != "" {
			t.Errorf("reasons of 43, closed, mismatch (-want +got):\n%s", diff)
		}

		// A dry run of Make progress: 80 → 130, over the maximum.
		submit(t, ctx, `#applicable [data-action="4"] button[name="dryrun"]`)
		step(t, ctx, "waiting for the dry run", chromedp.WaitVisible(chromedp.ID("dry-run")))
		changes := eval[[][]string](t, ctx, `[...document.querySelectorAll('#dry-run table.changes tbody tr')].map(tr => [...tr.cells].map(c => c.innerText))`)
		if diff := cmp.Diff([][]string{{"percentageDone", "80", "→", "130"}}, changes); diff != "" {
			t.Errorf("dry run changes mismatch (-want +got):\n%s", diff)
		}
		violations := eval[[]string](t, ctx, `[...document.querySelectorAll('#dry-run .violations li')].map(li => li.innerText)`)
		if diff := cmp.Diff([]string{"percentageDone must be at most 100 (field percentageDone, rule lte 100)"}, violations); diff != "" {
			t.Errorf("dry run violations mismatch (-want +got):\n%s", diff)
		}
		// The dry run stored nothing.
		if obj, v, _ := demo.workPackages.Load(context.Background(), "43"); obj.Status != "In progress" || v != 1 {
			t.Errorf("work package 43 after the dry run: %+v at version %d", obj, v)
		}
		if *screenshot != "" {
			step(t, ctx, "sizing the page", chromedp.EmulateViewport(1280, 800))
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", *screenshot, len(png))
		}

		// New: Start work appears among the applicable actions, and so
		// does Close again.
		editObject(t, ctx, `"status": "Closed"`, `"status": "New"`)
		submit(t, ctx, "#pg button.primary")
		if diff := cmp.Diff([]string{"Close", "Change project and type", "Make progress", "Start work"}, eval[[]string](t, ctx, applicableJS)); diff != "" {
			t.Errorf("applicable actions of 43, new, mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{"Unassign": wantBefore["Unassign"]}, eval[map[string]string](t, ctx, reasonsJS)); diff != "" {
			t.Errorf("reasons of 43, new, mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		// A record in the journal: Make progress on 44, through the
		// OpenProject API.
		req, _ := http.NewRequest("POST", srv.URL+"/api/v3/custom_actions/4/execute",
			strings.NewReader(`{"_links": {"workPackage": {"href": "/api/v3/work_packages/44"}}, "lockVersion": "1"}`))
		req.Header.Set("Authorization", basic("op-admin"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("executing Make progress on 44: status %d", resp.StatusCode)
		}
		for _, page := range []struct {
			path     string
			controls int // at least
		}{
			{"playground?object=42", 24},
			{"", 14},
			{"journal?object=44", 14},
			{"rules", 8},
		} {
			step(t, ctx, "opening "+page.path, chromedp.Navigate(base+page.path), chromedp.WaitVisible(chromedp.ID("main")))
			// Number every control, then Tab through the page and note
			// which ones get the focus.
			controls := eval[[]string](t, ctx, `[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]')]
				.map((el, i) => { el.dataset.k = i; return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[' + el.name + ']' : '') + (el.tagName === 'A' ? ' ' + el.textContent.trim() : '') })`)
			if len(controls) < page.controls {
				t.Fatalf("%s has %d controls, want at least %d: %q", page.path, len(controls), page.controls, controls)
			}
			reached := map[string]bool{}
			for range len(controls) + 3 {
				step(t, ctx, "pressing Tab", chromedp.KeyEvent(kb.Tab))
				if k := eval[string](t, ctx, `document.activeElement.dataset.k || ''`); k != "" {
					reached[k] = true
				}
			}
			var missed []string
			for i, c := range controls {
				if !reached[strconv.Itoa(i)] {
					missed = append(missed, c)
				}
			}
			if len(missed) > 0 {
				t.Errorf("%s: Tab reaches %d of %d controls; not: %q", page.path, len(reached), len(controls), missed)
			}
		}
		// Enter on the focused Evaluate button submits the form.
		step(t, ctx, "opening the playground", chromedp.Navigate(base+"playground?object=42"), chromedp.WaitVisible(chromedp.ID("applicable")))
		step(t, ctx, "focusing Evaluate", chromedp.Focus(chromedp.CSS("#pg button.primary")))
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if _, err := chromedp.RunResponse(sctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatalf("Enter on Evaluate: %v", err)
		}
		if got := eval[string](t, ctx, `document.getElementById('pg-id').value`); got != "42" {
			t.Errorf("after Enter, the playground shows object %q, want 42", got)
		}
	})

	t.Run("widths", func(t *testing.T) {
		for _, tc := range []struct {
			name          string
			width, height int64
			sideBySide    bool
		}{
			{"desktop", 1280, 800, true},
			{"phone", 390, 844, false},
		} {
			step(t, ctx, "sizing the page", chromedp.EmulateViewport(tc.width, tc.height),
				chromedp.Navigate(base+"playground?object=43&actor=member"), chromedp.WaitVisible(chromedp.ID("applicable")))
			// Nothing sticks out: the page does not scroll sideways, and
			// every control lies within the width (or in a box of its
			// own that scrolls).
			overflow := eval[[]string](t, ctx, `[document.documentElement.scrollWidth > window.innerWidth ? 'the page: ' + document.documentElement.scrollWidth : '',
				...[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
					.filter(el => !el.closest('.scroll, .table') && el.getBoundingClientRect().right > window.innerWidth + 1)
					.map(el => el.outerHTML.slice(0, 80))].filter(Boolean)`)
			if len(overflow) > 0 {
				t.Errorf("%s (%d×%d): wider than the window: %q", tc.name, tc.width, tc.height, overflow)
			}
			sideBySide := eval[bool](t, ctx, `document.querySelector('.pg-form').getBoundingClientRect().right <= document.querySelector('.pg-results').getBoundingClientRect().left`)
			if sideBySide != tc.sideBySide {
				t.Errorf("%s: form and results side by side: %v, want %v", tc.name, sideBySide, tc.sideBySide)
			}
		}
		step(t, ctx, "resetting the viewport", chromedp.EmulateViewport(1280, 800))
	})

	t.Run("catalog", func(t *testing.T) {
		for _, c := range []struct {
			path, auth string
			states     [][]string
			labels     [][]string
		}{
			{"/console/workfront/", basic("wf-token"), [][]string{{"active", "archived"}}, [][]string{{"Archive", "Restore"}}},
			{"/console/akana/", basic("akana-admin"), [][]string{{"Published", "Pending"}, {"Draft", "Pending Approval", "Rejected", "Approved"}, {"Setup", "Managed", "Unmanaged"}}, nil},
		} {
			if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": c.auth}}); err != nil {
				t.Fatal(err)
			}
			step(t, ctx, "opening the catalog", chromedp.Navigate(srv.URL+c.path), chromedp.WaitVisible(chromedp.CSS("svg.workflow")))
			// The pictures are drawn: each has a size, its states are
			// boxes in a row, and its arrows are laid out.
			type shown struct {
				States []string
				Labels []string
				Width  float64
				Boxes  []float64 // the left edges of the states
			}
			pics := eval[[]shown](t, ctx, `[...document.querySelectorAll('svg.workflow')].map(svg => ({
				States: [...svg.querySelectorAll('g.state text')].map(t => t.textContent),
				Labels: [...svg.querySelectorAll('g.edge text')].map(t => t.textContent),
				Width: svg.getBoundingClientRect().width,
				Boxes: [...svg.querySelectorAll('g.state rect')].map(r => r.getBoundingClientRect().left),
			}))`)
			var states [][]string
			for i, p := range pics {
				states = append(states, p.States)
				if p.Width < 100 {
					t.Errorf("%s: picture %d is %v pixels wide", c.path, i, p.Width)
				}
				for j := 1; j < len(p.Boxes); j++ {
					if p.Boxes[j] <= p.Boxes[j-1] {
						t.Errorf("%s: picture %d: the states are not left to right: %v", c.path, i, p.Boxes)
					}
				}
				if c.labels != nil {
					if diff := cmp.Diff(c.labels[i], p.Labels); diff != "" {
						t.Errorf("%s: labels of picture %d mismatch (-want +got):\n%s", c.path, i, diff)
					}
				}
			}
			if diff := cmp.Diff(c.states, states); diff != "" {
				t.Errorf("%s: states of the pictures mismatch (-want +got):\n%s", c.path, diff)
			}
		}
	})
}
