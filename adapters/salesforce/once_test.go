package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
	"github.com/google/go-cmp/cmp"
)

// TestOnceCompletion: in a group whose executionsAllowed is Once, the
// execution is shared, but only the user whose execution is pending (or
// the host's provider identity, Config.Provider) may PATCH it to a terminal
// status. Before, another user could PATCH FailedStatus onto it, and the
// rightful user was refused afterwards.
//
// Source: "Update the Status of an Action Link or Invoke an Action Link"
// (seed 003; Connect REST API Developer Guide, Action Link resource): for
// ApiAsync, "When your server has finished the asynchronous processing it
// should call back and PATCH the action link to SuccessfulStatus or
// FailedStatus"; for Download and Ui, "Your application must decide when to
// make a PATCH request". Who may make that PATCH is not documented; this
// rule is the adapter's own.
func TestOnceCompletion(t *testing.T) {
	// Bob speaks for the provider; Carol is just another user.
	e := newEnv(t, func(c *salesforce.Config) {
		c.Provider = func(_ context.Context, user actions.Actor, l salesforce.Link) bool {
			return user.ID == bob && l.ActionType == salesforce.TypeAPIAsync
		}
	})
	async := e.oneLink("Once", "ApiAsync", "HttpPost", urlOK, "")
	ui := e.oneLink("Once", "Ui", "HttpGet", urlUI, "")
	perUser := e.oneLink("OncePerUser", "ApiAsync", "HttpPost", urlOK, "")
	link := "/connect/action-links/"
	steps := []struct {
		name, id string
		patch    patch
		want     int
	}{
		{"alice invokes the ApiAsync link", async, alicePending, http.StatusOK},
		{"carol may not fail alice's pending execution", async, patch{"sf-carol", "FailedStatus"}, http.StatusBadRequest},
		{"bob, the provider, completes it", async, bobSuccessful, http.StatusOK},

		{"alice starts the Ui link", ui, alicePending, http.StatusOK},
		{"bob may not fail it: the provider hook is for ApiAsync links here", ui, patch{"sf-bob", "FailedStatus"}, http.StatusBadRequest},
		{"carol may not complete it", ui, patch{"sf-carol", "SuccessfulStatus"}, http.StatusBadRequest},
		{"alice still can", ui, aliceFailed, http.StatusOK},

		// OncePerUser: a PATCH names no user, so a provider completes an
		// execution only by PATCHing as its user.
		{"alice invokes the OncePerUser link", perUser, alicePending, http.StatusOK},
		{"bob's PATCH is about his own execution, which does not exist", perUser, bobSuccessful, http.StatusBadRequest},
		{"alice's own PATCH completes hers", perUser, aliceSuccessful, http.StatusOK},
	}
	var tr transcript
	for _, s := range steps {
		code, body := e.do("PATCH", link+s.id, s.patch.token, `{"status":"`+s.patch.status+`"}`)
		if code != s.want {
			t.Errorf("%s: %v: status %d, want %d: %s", s.name, s.patch, code, s.want, body)
		}
		tr.add(t, s.name+": PATCH "+s.patch.String(), code, body)
	}
	got := map[string]string{
		"async": e.status(async, "sf-carol"), "ui": e.status(ui, "sf-carol"),
		"perUser alice": e.status(perUser, "sf-alice"), "perUser bob": e.status(perUser, "sf-bob"),
	}
	want := map[string]string{"async": "SuccessfulStatus", "ui": "FailedStatus", "perUser alice": "SuccessfulStatus", "perUser bob": "NewStatus"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses mismatch (-want +got):\n%s", diff)
	}
	code, body := e.do("GET", link+async+"/diagnostic-info", "sf-alice", "")
	tr.add(t, "who completed alice's execution", code, body)
	golden(t, "once_completion.golden", tr.b.String())
}

// TestGuards: the rules of the catalog are named guards, and the adapter
// tells a link the user may not see (404) from an expired group (400) by
// the guard that failed (issue 12), never by reading condition text.
func TestGuards(t *testing.T) {
	e := newEnv(t)
	id := e.oneLink("OncePerUser", "Ui", "HttpGet", urlUI, `,"excludedUserId":"`+bob+`"`)
	ctx := context.Background()
	l, _, err := e.h.Engine().Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	guards := func(actor actions.Actor) []string {
		t.Helper()
		reasons, err := e.h.Engine().Explain(ctx, "execute-once-per-user", id, l, actor)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range reasons {
			names = append(names, string(r.Kind)+" "+r.Guard)
		}
		return names
	}
	e.clock.Set(l.ExpirationDate)
	got := map[string][]string{"alice": guards(tokens["sf-alice"]), "bob": guards(tokens["sf-bob"])}
	want := map[string][]string{
		"alice": {"condition not-expired"},
		"bob":   {"condition visible", "condition not-expired"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failed guards mismatch (-want +got):\n%s", diff)
	}
	// Both fail for bob: visible comes first, the link does not exist for him.
	for token, want := range map[string]int{"sf-alice": http.StatusBadRequest, "sf-bob": http.StatusNotFound} {
		if code, body := e.do("PATCH", "/connect/action-links/"+id+"?status=PendingStatus", token, ""); code != want {
			t.Errorf("%s: status %d, want %d: %s", token, code, want, body)
		}
	}
	if !errors.Is(e.h.Engine().Check(ctx, "view", id, l, tokens["sf-bob"]), actions.ErrNotApplicable) {
		t.Error("the view action applies to bob, whom the link excludes")
	}
}
