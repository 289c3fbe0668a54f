package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/console"
)

// assignedOrLead is the Visible hook of the tests: an actor sees the
// tickets assigned to it, a lead sees them all.
func assignedOrLead(_ context.Context, a actions.Actor, _ string, t Ticket) bool {
	return t.Assignee == a.ID || slices.Contains(a.Roles, "lead")
}

var suggestion = regexp.MustCompile(`<option value="(T-\d+)"></option>`)

// suggestions are the ids the playground's datalist offers.
func suggestions(body string) []string {
	var ids []string
	for _, m := range suggestion.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestVisible shows that a viewer meets the objects it may not see
// nowhere: not suggested, not loaded (the page of a missing object), no
// executions read for their id, no records in the journal, not executed.
func TestVisible(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.Visible, o.Execute = assignedOrLead, true })
	// escalate is Once: after ann's execution on T-2, its reason names ann.
	f.execute(t, "escalate", "T-2", ann, nil)

	t.Run("suggestions", func(t *testing.T) {
		for token, want := range map[string][]string{"ann": {"T-1", "T-2", "T-3", "T-4"}, "bob": {"T-2", "T-3"}, "carl": nil} {
			if diff := cmp.Diff(want, suggestions(f.get(t, token, "/playground").Body.String())); diff != "" {
				t.Errorf("suggestions for %s mismatch (-want +got):\n%s", token, diff)
			}
		}
	})
	t.Run("load", func(t *testing.T) {
		hidden, missing := f.get(t, "carl", "/playground?object=T-2"), f.get(t, "carl", "/playground?object=T-9")
		if hidden.Code != http.StatusNotFound || missing.Code != http.StatusNotFound {
			t.Errorf("hidden T-2: %d, missing T-9: %d; want 404 for both", hidden.Code, missing.Code)
		}
		// The two pages differ by the id only.
		if diff := cmp.Diff(strings.ReplaceAll(missing.Body.String(), "T-9", "T-2"), hidden.Body.String()); diff != "" {
			t.Errorf("the page of a hidden object is not that of a missing one (-missing +hidden):\n%s", diff)
		}
		if w := f.get(t, "bob", "/playground?object=T-2"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Slow search") {
			t.Errorf("bob loading T-2, assigned to him: %d\n%s", w.Code, w.Body)
		}
	})
	t.Run("executions of a hidden id", func(t *testing.T) {
		// carl pastes T-2 with its id and asks for ann: the Once policy must
		// not tell him who executed escalate on T-2.
		form := url.Values{"csrf": {f.csrf(t, "carl")}, "id": {"T-2"}, "object": {f.storedJSON(t, "T-2")}, "preset": {"0"}}
		body := f.post(t, "carl", "/playground", form).Body.String()
		if strings.Contains(body, "already executed") {
			t.Errorf("carl learns of an execution on T-2, which he may not see:\n%s", body)
		}
		// bob may see T-2, and is told.
		form.Set("csrf", f.csrf(t, "bob"))
		if body := f.post(t, "bob", "/playground", form).Body.String(); !strings.Contains(body, "policy Once: already executed by &#34;ann&#34;") {
			t.Errorf("bob is not told of ann's execution on T-2:\n%s", body)
		}
	})
	t.Run("journal", func(t *testing.T) {
		if seqs := journalSeqs(f.get(t, "carl", "/journal").Body.String()); len(seqs) != 0 {
			t.Errorf("carl sees the records %v, want none", seqs)
		}
		if seqs := journalSeqs(f.get(t, "bob", "/journal").Body.String()); len(seqs) != 1 {
			t.Errorf("bob sees the records %v, want the one of T-2", seqs)
		}
	})
	t.Run("execute", func(t *testing.T) {
		form := url.Values{"csrf": {f.csrf(t, "carl")}, "execute": {"approve"}, "id": {"T-3"}, "version": {"1"}, "object": {`{"title": "guess"}`}}
		w := f.post(t, "carl", "/execute", form)
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "actions: object &#34;T-3&#34; not found") {
			t.Errorf("carl executing approve on T-3, which he may not see: %d, want 404 as for a missing object\n%s", w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "Typo on") {
			t.Errorf("the refusal shows T-3:\n%s", w.Body)
		}
		if _, v, _ := f.store.Load(context.Background(), "T-3"); v != 1 {
			t.Errorf("T-3 at version %d, want 1", v)
		}
	})
}

// journalSeqs are the Seqs of the journal page's rows.
func journalSeqs(body string) []string {
	var seqs []string
	for _, m := range rowSeq.FindAllStringSubmatch(body, -1) {
		seqs = append(seqs, m[1])
	}
	return seqs
}

// TestVisibleRecord shows a host's own rule for records: each viewer sees
// the records of its own executions, on every page of the journal.
func TestVisibleRecord(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) {
		o.PageSize = 2
		o.VisibleRecord = func(_ context.Context, viewer actions.Actor, x actions.Execution) bool { return x.ActorID == viewer.ID }
	})
	for i := range 3 {
		f.execute(t, "estimate", "T-1", bob, actions.Inputs{"points": i})
		f.execute(t, "estimate", "T-2", ann, actions.Inputs{"points": i})
	}
	// bob's records are 1, 3, 5; ann's 2, 4, 6.
	for token, want := range map[string][][]string{"bob": {{"5", "3"}, {"1"}}, "ann": {{"6", "4"}, {"2"}}} {
		var got [][]string
		path := "/journal"
		for path != "" {
			body := f.get(t, token, path).Body.String()
			got = append(got, journalSeqs(body))
			path = ""
			if m := olderRel.FindStringSubmatch(body); m != nil {
				path = "/" + strings.ReplaceAll(m[1], "&amp;", "&")
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s's journal pages mismatch (-want +got):\n%s", token, diff)
		}
	}
	// The playground is not limited: bob loads T-2.
	if w := f.get(t, "bob", "/playground?object=T-2"); w.Code != http.StatusOK {
		t.Errorf("bob loading T-2: %d, want 200", w.Code)
	}
}

// TestJournalScanBound shows that a page stops reading after
// MaxJournalScan hidden records, and links on from where it stopped.
func TestJournalScanBound(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.Visible = assignedOrLead })
	f.execute(t, "estimate", "T-2", bob, actions.Inputs{"points": 1}) // seq 1, T-2 is bob's
	for i := range console.MaxJournalScan {
		f.execute(t, "estimate", "T-1", ann, actions.Inputs{"points": i % 5}) // T-1 is not
	}
	body := f.get(t, "bob", "/journal").Body.String()
	if seqs := journalSeqs(body); len(seqs) != 0 {
		t.Errorf("the first page shows %v, want nothing (it reads %d records)", seqs, console.MaxJournalScan)
	}
	m := olderRel.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the first page has no Older link:\n%s", body)
	}
	next := f.get(t, "bob", "/"+strings.ReplaceAll(m[1], "&amp;", "&")).Body.String()
	if diff := cmp.Diff([]string{"1"}, journalSeqs(next)); diff != "" {
		t.Errorf("the older page mismatch (-want +got):\n%s", diff)
	}
	if olderRel.MatchString(next) || !newerRel.MatchString(next) {
		t.Errorf("the oldest page should link to newer records only:\n%s", next)
	}
}

// TestActorFor shows that the console acts as the viewer scoped to the
// object: the playground's actor starts as ActorFor says, Visible asks
// it, and Execute runs as it.
func TestActorFor(t *testing.T) {
	// On a ticket in review, its assignee may approve (send it back).
	reviewer := func(_ context.Context, a actions.Actor, _ string, t Ticket) actions.Actor {
		if t.Status == "review" && t.Assignee == a.ID {
			a.Permissions = append(slices.Clone(a.Permissions), "approve")
		}
		return a
	}
	f := newDefault(t, func(o *console.Options[Ticket]) {
		o.ActorFor, o.Execute = reviewer, true
		o.Visible = func(_ context.Context, a actions.Actor, _ string, _ Ticket) bool {
			return slices.Contains(a.Permissions, "approve")
		}
	})
	body := f.get(t, "bob", "/playground?object=T-3").Body.String()
	if !strings.Contains(body, `name="actor.permissions" value="edit, approve"`) {
		t.Errorf("the actor form does not start with bob towards T-3:\n%s", body)
	}
	// bob may not see T-2 (not in review): Visible saw him unscoped there.
	if w := f.get(t, "bob", "/playground?object=T-2"); w.Code != http.StatusNotFound {
		t.Errorf("bob loading T-2: %d, want 404", w.Code)
	}
	form := url.Values{"csrf": {f.csrf(t, "bob")}, "execute": {"reject"}, "id": {"T-3"}, "version": {"1"}, "object": {f.storedJSON(t, "T-3")}}
	if w := f.post(t, "bob", "/execute", form); w.Code != http.StatusOK {
		t.Fatalf("bob sending T-3 back: %d, want 200\n%s", w.Code, w.Body)
	}
	recs, err := f.engine.Executions(context.Background(), actions.Filter{})
	if err != nil || len(recs) != 1 || recs[0].ActionID != "reject" || recs[0].ActorID != "bob" {
		t.Errorf("journal %+v (%v), want reject of T-3 by bob", recs, err)
	}
}

// TestExecuteStoredOnly shows that only a stored object, as loaded, can
// be executed: the playground offers Execute for it and for nothing
// else, and an execute form with edited or pasted JSON is refused.
func TestExecuteStoredOnly(t *testing.T) {
	f := newDefault(t, func(o *console.Options[Ticket]) { o.Execute = true })
	token := f.csrf(t, "ann")
	stored := f.storedJSON(t, "T-3")
	edited := strings.Replace(stored, `"assignee":"bob"`, `"assignee":"carl"`, 1)
	if edited == stored {
		t.Fatalf("the edit changed nothing in %s", stored)
	}
	for _, tc := range []struct {
		name, object, version string
		offered               bool
	}{
		{"as loaded", stored, "1", true},
		{"edited", edited, "1", false},
		{"pasted, no version", stored, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"csrf": {token}, "id": {"T-3"}, "version": {tc.version}, "object": {tc.object}, "actor.id": {"ann"}, "actor.permissions": {"approve"}}
			body := f.post(t, "ann", "/playground", form).Body.String()
			if got := strings.Contains(body, `formaction="execute#executed" name="execute" value="approve"`); got != tc.offered {
				t.Errorf("Execute approve offered: %v, want %v", got, tc.offered)
			}
			if tc.offered {
				return
			}
			form.Set("execute", "approve")
			w := f.post(t, "ann", "/execute", form)
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Execute acts on stored objects only") {
				t.Errorf("executing %s JSON: %d, want 422 saying why\n%s", tc.name, w.Code, w.Body)
			}
			if _, v, _ := f.store.Load(context.Background(), "T-3"); v != 1 {
				t.Errorf("T-3 at version %d, want 1", v)
			}
			if recs, _ := f.engine.Executions(context.Background(), actions.Filter{}); len(recs) != 0 {
				t.Errorf("the journal has %d records, want none", len(recs))
			}
		})
	}
}
