package console

import (
	"fmt"
	"net/http"

	"github.com/actionable-go/actionable/actions"
)

type catalogBody struct {
	Pictures []picture
	States   []actions.StateSet
	Actions  []actionView
}

// actionView is an action as the catalog lists it.
type actionView struct {
	Anchor string // the id of its section: "action-3" for the third
	Def    actions.Definition
}

func actionViews(list []*actions.Action) []actionView {
	out := make([]actionView, len(list))
	for i, a := range list {
		out[i] = actionView{Anchor: fmt.Sprintf("action-%d", i+1), Def: a.Definition()}
	}
	return out
}

// catalog is the Catalog page: every action in position order, and a
// picture of each workflow.
func (h *Handler[T]) catalog(*http.Request) view {
	cat := h.engine.Catalog()
	return view{page: "catalog", heading: "Catalog", body: catalogBody{
		Pictures: pictures(cat), States: cat.States(), Actions: actionViews(cat.Actions()),
	}}
}
