package compare

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/actionable-go/actionable/actions"
)

// oracle applies the rules in plain Go: the answer every engine must give.
func oracle(rules []rule, t Ticket, actor actions.Actor) []string {
	var ids []string
	for i, r := range rules {
		if t.Status == r.status &&
			(len(r.types) == 0 || slices.Contains(r.types, t.Type)) &&
			t.Priority >= 2 && slices.Contains(actor.Roles, "manager") {
			ids = append(ids, actionID(i))
		}
	}
	return ids
}

// engines builds the four engines over rules, each as a function from an
// object and an actor to the ids of the applicable actions.
func engines(t *testing.T, rules []rule) map[string]func(Ticket, actions.Actor) ([]string, error) {
	t.Helper()
	a, err := newActionable(rules)
	if err != nil {
		t.Fatal(err)
	}
	x, err := newExpr(rules)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCEL(rules)
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGovaluate(rules)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	return map[string]func(Ticket, actions.Actor) ([]string, error){
		"actionable": func(t Ticket, actor actions.Actor) ([]string, error) { return a.ids(ctx, t, actor) },
		"expr":       x.resolve,
		"cel":        c.resolve,
		"govaluate":  g.resolve,
	}
}

// TestAgree checks, for every catalog of the benchmarks, that each engine
// returns exactly the oracle's ids, in position order, for the bench object
// and for objects and actors that each fail a different clause, and that
// the bench object gets the number of actions the benchmarks expect.
func TestAgree(t *testing.T) {
	manager := benchActor
	developer := actions.Actor{ID: "dev", Roles: []string{"developer"}, Permissions: []string{"edit"}}
	noRoles := actions.Actor{ID: "nobody", Permissions: []string{"edit"}}
	with := func(t Ticket, f func(*Ticket)) Ticket { f(&t); return t }

	for _, cat := range []catalog{nonDiscriminating(10), nonDiscriminating(100), nonDiscriminating(1000), discriminating(1000)} {
		resolvers := engines(t, cat.rules)
		cases := []struct {
			name   string
			ticket Ticket
			actor  actions.Actor
		}{
			{"bench object", cat.ticket, manager},
			{"other status", with(cat.ticket, func(t *Ticket) { t.Status = "review" }), manager},
			{"last status", with(cat.ticket, func(t *Ticket) { t.Status = "s_49" }), manager},
			{"other type", with(cat.ticket, func(t *Ticket) { t.Type = "Epic" }), manager},
			{"empty type", with(cat.ticket, func(t *Ticket) { t.Type = "" }), manager},
			{"priority 2", with(cat.ticket, func(t *Ticket) { t.Priority = 2 }), manager},
			{"priority 1", with(cat.ticket, func(t *Ticket) { t.Priority = 1 }), manager},
			{"not a manager", cat.ticket, developer},
			{"no roles", cat.ticket, noRoles},
			{"zero object", Ticket{}, manager},
		}
		for _, tc := range cases {
			want := oracle(cat.rules, tc.ticket, tc.actor)
			if tc.name == "bench object" && len(want) != cat.want {
				t.Fatalf("%s/%d: the oracle finds %d actions for the bench object, the benchmarks expect %d", cat.name, len(cat.rules), len(want), cat.want)
			}
			for name, resolve := range resolvers {
				t.Run(fmt.Sprintf("%s/actions=%d/%s/%s", cat.name, len(cat.rules), name, tc.name), func(t *testing.T) {
					got, err := resolve(tc.ticket, tc.actor)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("applicable ids mismatch (-oracle +%s):\n%s", name, diff)
					}
				})
			}
		}
	}
}
