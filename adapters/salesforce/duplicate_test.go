package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// ownedGroups are the ids of the definitions user is counted as having.
func (e *env) ownedGroups(user string) []string {
	e.t.Helper()
	o, _, err := e.stores.Owners.Load(context.Background(), user)
	if errors.Is(err, actions.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, g := range o.Groups {
		ids = append(ids, g.ID)
	}
	return ids
}

// TestCreateGroupDuplicate: a group or link id that is taken is a
// conflict that changes nothing: the group that has the id keeps its
// links, and its creator's count keeps it (before, the failed creation
// released the creator's entry of the existing group, so a restart of a
// host loading fixed groups emptied the counts, and the limit let the
// user create more). A host's CreateGroup gets an error matching
// actions.ErrConflict; POST, whose ids Config.NewID makes, answers 400
// DUPLICATE_VALUE.
//
// Source: Salesforce's REST API answers a record whose unique field is
// taken with 400 and errorCode DUPLICATE_VALUE, "duplicate value found:
// <field> duplicates value on record with id: <id>" (API Developer Guide,
// Status Codes and Error Responses; StatusCode DUPLICATE_VALUE).
func TestCreateGroupDuplicate(t *testing.T) {
	e := newEnv(t, func(c *salesforce.Config) { c.Limits.DefinitionsPerUser = 1 })
	ctx := context.Background()
	in := func() salesforce.GroupDefinitionInput {
		return salesforce.GroupDefinitionInput{
			Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: "2027-01-01T00:00:00Z",
			ActionLinks: []salesforce.ActionLinkDefinitionInput{{
				ActionType: "Ui", ActionURL: "https://a.example", Method: "HttpGet", LabelKey: "View", RequiresConfirmation: new(salesforce.Boolean),
			}},
		}
	}
	const group, link = "0Ag00000000000FAAA", "0An00000000000FAAA"
	if _, err := e.h.CreateGroup(ctx, salesforce.NewGroup{ID: group, LinkIDs: []string{link}, CreatedBy: alice, Input: in()}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		g    salesforce.NewGroup
	}{
		{"the same group again", salesforce.NewGroup{ID: group, LinkIDs: []string{link}, CreatedBy: alice, Input: in()}},
		{"the group's id, new links", salesforce.NewGroup{ID: group, CreatedBy: alice, Input: in()}},
		{"by another user", salesforce.NewGroup{ID: group, CreatedBy: bob, Input: in()}},
		{"a new group with the link's id", salesforce.NewGroup{ID: "0Ag00000000000GAAA", LinkIDs: []string{link}, CreatedBy: alice, Input: in()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.h.CreateGroup(ctx, tc.g); !errors.Is(err, actions.ErrConflict) {
				t.Errorf("got %v, want ErrConflict", err)
			}
			if diff := cmp.Diff([]string{group}, e.ownedGroups(alice)); diff != "" {
				t.Errorf("alice's definitions mismatch (-want +got):\n%s", diff)
			}
			if got := e.ownedGroups(bob); got != nil {
				t.Errorf("bob is counted with %v", got)
			}
			if code, body := e.do("GET", "/connect/action-link-group-definitions/"+group, "sf-alice", ""); code != http.StatusOK || !strings.Contains(body, `"id":"`+link+`"`) {
				t.Errorf("the group after the duplicate: %d %s", code, body)
			}
		})
	}
	// Alice still has her one definition: the limit refuses another.
	if code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", definition("Ui", urlUI, "")); code != http.StatusBadRequest || !strings.Contains(body, "LIMIT_EXCEEDED") {
		t.Errorf("alice's second definition: %d %s, want 400 LIMIT_EXCEEDED", code, body)
	}

	// POST, with ids that Config.NewID makes taken ones.
	e = newEnv(t, func(c *salesforce.Config) {
		c.NewID = func(prefix string) string { return prefix + "00000000000FAAA" }
	})
	if code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", definition("Ui", urlUI, "")); code != http.StatusCreated {
		t.Fatalf("the first POST: %d %s", code, body)
	}
	code, body := e.do("POST", "/connect/action-link-group-definitions", "sf-bob", definition("Ui", urlUI, ""))
	want := `[{"errorCode":"DUPLICATE_VALUE","message":"duplicate value found: id duplicates value on record with id: 0Ag00000000000FAAA"}]` + "\n"
	if code != http.StatusBadRequest || body != want {
		t.Errorf("a POST whose ids are taken: %d %s, want 400 %s", code, body, want)
	}
	if diff := cmp.Diff([]string{"0Ag00000000000FAAA"}, e.ownedGroups(alice)); diff != "" {
		t.Errorf("alice's definitions mismatch (-want +got):\n%s", diff)
	}
	if got := e.ownedGroups(bob); got != nil {
		t.Errorf("bob is counted with %v", got)
	}
}

// TestNULRefused: a labelKey or requestBody holding a NUL character is
// refused with 400 and the error array, and nothing is stored. Before, it
// was stored (and a PostgreSQL store, whose jsonb holds no NUL, failed
// with a 500).
func TestNULRefused(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ name, extra, labelKey, want string }{
		{"labelKey", "", `Appro\u0000ve`, `[{"errorCode":"INVALID_API_INPUT","message":"actionLinks[0].labelKey: must not contain NUL characters"}]`},
		{"requestBody", `,"requestBody":"{\"a\":\"\u0000\"}"`, "Approve", `[{"errorCode":"INVALID_API_INPUT","message":"actionLinks[0].requestBody: must not contain NUL characters"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(definition("Api", urlOK, tc.extra), `"labelKey":"Approve"`, `"labelKey":"`+tc.labelKey+`"`, 1)
			code, got := e.do("POST", "/connect/action-link-group-definitions", "sf-alice", body)
			if code != http.StatusBadRequest || got != tc.want+"\n" {
				t.Errorf("got %d %s, want 400 %s", code, got, tc.want)
			}
		})
	}
	if ids := e.stores.Groups.(*actions.MemoryStore[salesforce.Group]).IDs(); len(ids) != 0 {
		t.Errorf("groups stored: %v", ids)
	}
	if ids := e.stores.Links.(*salesforce.MemoryLinks).IDs(); len(ids) != 0 {
		t.Errorf("links stored: %v", ids)
	}
}

// TestCreateGroupOrphanEntry: an entry of a user's definitions whose group
// was never stored (a creation that stopped half-way) does not keep its id
// taken once it is older than a creation takes; a younger one is a group
// being created, whose id is taken.
func TestCreateGroupOrphanEntry(t *testing.T) {
	for _, tc := range []struct {
		name string
		age  time.Duration
		ok   bool
	}{
		{"an old orphan is dropped", 2 * time.Minute, true},
		{"a young one is a creation under way", time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			const group = "0Ag00000000000FAAA"
			orphan := salesforce.Owner{UserID: alice, Groups: []salesforce.OwnedGroup{{ID: group, Since: start.Add(-tc.age)}}}
			if _, err := e.stores.Owners.Create(ctx, alice, orphan); err != nil {
				t.Fatal(err)
			}
			_, err := e.h.CreateGroup(ctx, salesforce.NewGroup{ID: group, CreatedBy: alice, Input: salesforce.GroupDefinitionInput{
				Category: "Primary", ExecutionsAllowed: "Once", ExpirationDate: "2027-01-01T00:00:00Z",
				ActionLinks: []salesforce.ActionLinkDefinitionInput{{
					ActionType: "Ui", ActionURL: "https://a.example", Method: "HttpGet", LabelKey: "View", RequiresConfirmation: new(salesforce.Boolean),
				}},
			}})
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, actions.ErrConflict) {
				t.Errorf("CreateGroup: %v, want success %v", err, tc.ok)
			}
			if diff := cmp.Diff([]string{group}, e.ownedGroups(alice)); diff != "" {
				t.Errorf("alice's definitions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
