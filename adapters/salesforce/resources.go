package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/actionable-go/actionable/actions"
)

// CreateGroup validates g.Input as POST does and stores it as a new group
// created by g.CreatedBy, with the ids g fixes. A host uses it to load demo
// or fixture data. The group counts among those of g.CreatedBy, but
// Limits.DefinitionsPerUser never refuses it. Errors: an *InputError
// listing every violation; for a group or link id already taken, an error
// matching actions.ErrConflict (POST answers it 400 DUPLICATE_VALUE, as
// Salesforce answers a duplicate), which leaves the group that has the id,
// its links and its creator's count as they were.
func (h *Handler) CreateGroup(ctx context.Context, g NewGroup) (GroupDefinition, error) {
	var ps problems
	if g.ID != "" && !validID(g.ID, groupPrefix) {
		ps.invalid("id", "%q is not an action link group id (prefix %s)", g.ID, groupPrefix)
	}
	if len(g.LinkIDs) > len(g.Input.ActionLinks) {
		ps.invalid("linkIds", "%d ids for %d action links", len(g.LinkIDs), len(g.Input.ActionLinks))
	}
	for i, id := range g.LinkIDs {
		if id != "" && !validID(id, linkPrefix) {
			ps.invalid(fmt.Sprintf("linkIds[%d]", i), "%q is not an action link id (prefix %s)", id, linkPrefix)
		}
	}
	if err := newInputError(ps); err != nil {
		return GroupDefinition{}, err
	}
	return h.create(ctx, g, false)
}

// create validates and stores a group and its links, counted among the
// groups of its creator; with enforce, refused if the creator has
// Limits.DefinitionsPerUser already. The links are stored first, so that a
// group is never seen without them.
func (h *Handler) create(ctx context.Context, g NewGroup, enforce bool) (GroupDefinition, error) {
	now := h.cfg.Clock()
	expires, err := h.validateGroup(ctx, &g.Input, now)
	if err != nil {
		return GroupDefinition{}, err
	}
	in := &g.Input
	grp := Group{
		ID: g.ID, Category: in.Category, ExecutionsAllowed: in.ExecutionsAllowed, ExpirationDate: expires,
		CreatedBy: g.CreatedBy, Created: now, LinkIDs: make([]string, len(in.ActionLinks)),
	}
	if grp.ID == "" {
		grp.ID = h.cfg.NewID(groupPrefix)
	}
	// An id taken is refused before anything is stored: undoing would
	// delete what belongs to the group that has it. The stores' Create
	// refuses the ids taken meanwhile.
	if err := h.taken(ctx, grp.ID, g.LinkIDs); err != nil {
		return GroupDefinition{}, err
	}
	if err := h.reserve(ctx, grp.CreatedBy, grp.ID, enforce); err != nil {
		return GroupDefinition{}, err
	}
	created := make([]string, 0, len(in.ActionLinks))
	undo := func() {
		keep := context.WithoutCancel(ctx)
		for _, id := range created {
			_ = h.links.Delete(keep, id)
		}
		_ = h.release(keep, grp.CreatedBy, grp.ID)
	}
	for i, def := range in.ActionLinks {
		id := ""
		if i < len(g.LinkIDs) {
			id = g.LinkIDs[i]
		}
		if id == "" {
			id = h.cfg.NewID(linkPrefix)
		}
		l := Link{
			ID: id, GroupID: grp.ID, ActionType: def.ActionType, ActionURL: def.ActionURL, Method: def.Method,
			LabelKey: def.LabelKey, RequiresConfirmation: bool(*def.RequiresConfirmation), GroupDefault: bool(def.GroupDefault),
			Headers: slices.Clone(def.Headers), RequestBody: def.RequestBody, UserID: def.UserID,
			ExcludedUserID: def.ExcludedUserID, ExecutionsAllowed: grp.ExecutionsAllowed,
			ExpirationDate: expires, Created: now,
		}
		if _, err := h.links.Create(ctx, id, l); err != nil {
			undo()
			if errors.Is(err, actions.ErrConflict) {
				return GroupDefinition{}, &duplicateError{id: id}
			}
			return GroupDefinition{}, fmt.Errorf("salesforce: action link %s: %w", id, err)
		}
		created = append(created, id)
		grp.LinkIDs[i] = id
	}
	if _, err := h.groups.Create(ctx, grp.ID, grp); err != nil {
		undo()
		if errors.Is(err, actions.ErrConflict) {
			return GroupDefinition{}, &duplicateError{id: grp.ID}
		}
		return GroupDefinition{}, fmt.Errorf("salesforce: action link group %s: %w", grp.ID, err)
	}
	return h.definition(ctx, &grp)
}

// taken returns a *duplicateError for the first of the group id and the
// link ids that is taken, by a stored group or link or by another of ids.
func (h *Handler) taken(ctx context.Context, group string, links []string) error {
	switch _, _, err := h.groups.Load(ctx, group); {
	case err == nil:
		return &duplicateError{id: group}
	case !errors.Is(err, actions.ErrNotFound):
		return err
	}
	for i, id := range links {
		if id == "" {
			continue
		}
		if slices.Contains(links[:i], id) {
			return &duplicateError{id: id}
		}
		switch _, _, err := h.links.Load(ctx, id); {
		case err == nil:
			return &duplicateError{id: id}
		case !errors.Is(err, actions.ErrNotFound):
			return err
		}
	}
	return nil
}

// definition renders a stored group as a GroupDefinition (Action Link
// Group Definition, with Action Link Definitions).
func (h *Handler) definition(ctx context.Context, g *Group) (GroupDefinition, error) {
	out := GroupDefinition{
		ActionLinks:       make([]ActionLinkDefinition, 0, len(g.LinkIDs)),
		Category:          g.Category,
		CreatedDate:       formatTime(g.Created),
		ExecutionsAllowed: g.ExecutionsAllowed,
		ID:                g.ID,
		ModifiedDate:      formatTime(g.Created),
		URL:               h.cfg.BasePath + pathDefinitions + "/" + g.ID,
	}
	if !g.ExpirationDate.IsZero() {
		out.ExpirationDate = nullable(formatTime(g.ExpirationDate))
	}
	for _, id := range g.LinkIDs {
		l, _, err := h.links.Load(ctx, id)
		if err != nil {
			return GroupDefinition{}, err
		}
		headers := l.Headers
		if headers == nil {
			headers = []RequestHeader{}
		}
		out.ActionLinks = append(out.ActionLinks, ActionLinkDefinition{
			ActionURL: l.ActionURL, CreatedDate: formatTime(l.Created),
			ExcludedUserID: nullable(l.ExcludedUserID), GroupDefault: l.GroupDefault, Headers: headers,
			ID: l.ID, LabelKey: l.LabelKey, Method: l.Method, ModifiedDate: formatTime(l.Created),
			RequestBody: nullable(l.RequestBody), RequiresConfirmation: l.RequiresConfirmation, Type: l.ActionType,
			URL: h.cfg.BasePath + pathLinks + "/" + l.ID, UserID: nullable(l.UserID),
		})
	}
	return out, nil
}

// linkAction is a Platform Action as platformAction computes it: what
// user sees of a link, before the strings made of it (its urls, label,
// date and confirmation message), which platformActionOf makes and
// appendLinkAction writes without making them.
type linkAction struct {
	// link is a copy: a pointer would take the caller's link to the heap
	// along with the executingUser that appendLinkAction encodes.
	link          Link
	status        string
	actionURL     *string      // nil: null
	executingUser *UserSummary // nil: null
}

// confirmationPrefix starts the confirmationMessage of a link that requires
// confirmation; its label and a question mark follow.
const confirmationPrefix = "Are you sure you want to "

// confirms reports whether a has a confirmationMessage: its link requires
// confirmation and its status is NewStatus.
func (a *linkAction) confirms() bool { return a.link.RequiresConfirmation && a.status == StatusNew }

// linkAction returns l as user sees it.
func (h *Handler) linkAction(ctx context.Context, l *Link, user actions.Actor, vars Variables) (linkAction, error) {
	status, rec, err := h.statusOf(ctx, l, user.ID)
	if err != nil {
		return linkAction{}, err
	}
	a := linkAction{link: *l, status: status}
	if l.ActionType != TypeAPI && l.ActionType != TypeAPIAsync {
		// Shown to the client: checked again with its context variables
		// filled in, and null if it is no longer acceptable.
		u := replacer(l, user.ID, vars).Replace(l.ActionURL)
		if h.checkURL(ctx, u, false) == "" {
			a.actionURL = nullable(u)
		}
	}
	if rec != nil {
		if a.executingUser, err = h.userSummary(ctx, rec.ActorID); err != nil {
			return linkAction{}, err
		}
	}
	return a, nil
}

// platformActionOf renders a (Platform Action).
func (h *Handler) platformActionOf(a *linkAction) PlatformAction {
	l := &a.link
	out := PlatformAction{
		ActionURL:           a.actionURL,
		CreatedRecords:      []RecordSummary{},
		ExecutingUser:       a.executingUser,
		GroupDefault:        l.GroupDefault,
		ID:                  l.ID,
		Label:               label(l.LabelKey, a.status),
		ModifiedDate:        formatTime(l.Created),
		PlatformActionGroup: Reference{ID: l.GroupID, URL: h.cfg.BasePath + pathGroups + "/" + l.GroupID},
		Status:              a.status,
		Subtype:             l.ActionType,
		Type:                platformActionType,
		URL:                 h.cfg.BasePath + pathLinks + "/" + l.ID,
	}
	if a.confirms() {
		out.ConfirmationMessage = nullable(confirmationPrefix + label(l.LabelKey, StatusNew) + "?")
	}
	return out
}

// platformAction renders l as user sees it (Platform Action).
func (h *Handler) platformAction(ctx context.Context, l *Link, user actions.Actor, vars Variables) (PlatformAction, error) {
	a, err := h.linkAction(ctx, l, user, vars)
	if err != nil {
		return PlatformAction{}, err
	}
	return h.platformActionOf(&a), nil
}

// userSummary returns the User Summary of the user with id, from
// Config.UserSummary.
func (h *Handler) userSummary(ctx context.Context, id string) (*UserSummary, error) {
	var s UserSummary
	if h.cfg.UserSummary != nil {
		var err error
		if s, err = h.cfg.UserSummary(ctx, id); errors.Is(err, actions.ErrNotFound) {
			s = UserSummary{}
		} else if err != nil {
			return nil, fmt.Errorf("salesforce: the summary of user %s: %w", id, err)
		}
	}
	s.ID, s.Type, s.URL = id, "User", h.cfg.BasePath+"/chatter/users/"+id
	return &s, nil
}

// loadGroup returns the group with the request's id.
func (h *Handler) loadGroup(r *http.Request) (Group, error) {
	id, err := pathID(r, groupPrefix)
	if err != nil {
		return Group{}, err
	}
	g, _, err := h.groups.Load(r.Context(), id)
	return g, err
}

// loadLink returns the link with the request's id, if user may see it.
func (h *Handler) loadLink(r *http.Request, user actions.Actor) (Link, error) {
	id, err := pathID(r, linkPrefix)
	if err != nil {
		return Link{}, err
	}
	l, _, err := h.engine.Load(r.Context(), id)
	if err != nil {
		return Link{}, err
	}
	return l, h.visible(r.Context(), &l, user)
}

func (h *Handler) postDefinition(r *http.Request, c call) (int, any, error) {
	var in GroupDefinitionInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	out, err := h.create(r.Context(), NewGroup{CreatedBy: c.user.ID, Input: in}, true)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func (h *Handler) getDefinition(r *http.Request, c call) (int, any, error) {
	g, err := h.loadGroup(r)
	if err != nil {
		return 0, nil, err
	}
	if g.CreatedBy != c.user.ID {
		return 0, nil, errNotCreator
	}
	out, err := h.definition(r.Context(), &g)
	return http.StatusOK, out, err
}

func (h *Handler) deleteDefinition(r *http.Request, c call) (int, any, error) {
	g, err := h.loadGroup(r)
	if err != nil {
		return 0, nil, err
	}
	if g.CreatedBy != c.user.ID {
		return 0, nil, errNotCreator
	}
	ctx := context.WithoutCancel(r.Context()) // all or nothing
	if err := h.groups.Delete(ctx, g.ID); err != nil {
		return 0, nil, err
	}
	// The executions of the links stay in the journal, as an audit trail.
	for _, id := range g.LinkIDs {
		if err := h.links.Delete(ctx, id); err != nil && !errors.Is(err, actions.ErrNotFound) {
			return 0, nil, err
		}
	}
	if err := h.release(ctx, g.CreatedBy, g.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (h *Handler) getGroup(r *http.Request, c call) (int, any, error) {
	g, err := h.loadGroup(r)
	if err != nil {
		return 0, nil, err
	}
	out := PlatformActionGroup{
		Category: g.Category, ID: g.ID, ModifiedDate: formatTime(g.Created),
		PlatformActions: []PlatformAction{}, URL: h.cfg.BasePath + pathGroups + "/" + g.ID,
	}
	for _, id := range g.LinkIDs {
		l, _, err := h.engine.Load(r.Context(), id)
		if err != nil {
			return 0, nil, err
		}
		switch err := h.visible(r.Context(), &l, c.user); {
		case errors.Is(err, errHidden):
			continue
		case err != nil:
			return 0, nil, err
		}
		pa, err := h.platformAction(r.Context(), &l, c.user, c.vars)
		if err != nil {
			return 0, nil, err
		}
		out.PlatformActions = append(out.PlatformActions, pa)
	}
	return http.StatusOK, out, nil
}

func (h *Handler) getLink(w http.ResponseWriter, r *http.Request, c call) error {
	l, err := h.loadLink(r, c.user)
	if err != nil {
		return err
	}
	return h.writeLink(w, r, &l, c)
}

func (h *Handler) patchLink(w http.ResponseWriter, r *http.Request, c call) error {
	l, err := h.loadLink(r, c.user)
	if err != nil {
		return err
	}
	status, err := requestedStatus(r)
	if err != nil {
		return err
	}
	if err := h.setStatus(r.Context(), l.ID, c.user, status, c.vars); err != nil {
		return err
	}
	l, _, err = h.engine.Load(r.Context(), l.ID)
	if err != nil {
		return err
	}
	return h.writeLink(w, r, &l, c)
}

// writeLink answers l as the user of c sees it (200, a Platform Action).
func (h *Handler) writeLink(w http.ResponseWriter, r *http.Request, l *Link, c call) error {
	a, err := h.linkAction(r.Context(), l, c.user, c.vars)
	if err != nil {
		return err
	}
	h.writeLinkAction(w, r, http.StatusOK, &a)
	return nil
}

// requestedStatus reads the status of a PATCH from its body or its query.
func requestedStatus(r *http.Request) (string, error) {
	query := r.URL.Query().Get("status")
	var in StatusInput
	if r.ContentLength != 0 {
		data, err := readBody(r)
		if err != nil {
			return "", err
		}
		if len(data) > 0 || query == "" {
			if err := decodeJSON(data, &in); err != nil {
				return "", err
			}
		}
	}
	var ps problems
	switch {
	case in.Status != "" && query != "" && in.Status != query:
		ps.invalid("status", "the body says %s and the query says %s; give one", in.Status, query)
	case in.Status == "" && query == "":
		ps.missing("status")
	}
	status := in.Status
	if status == "" {
		status = query
	}
	switch status {
	case "", StatusNew, StatusPending, StatusSuccessful, StatusFailed:
	default:
		ps.invalid("status", "%q is not a status; use NewStatus, PendingStatus, SuccessfulStatus or FailedStatus", status)
	}
	return status, newInputError(ps)
}

func (h *Handler) getDiagnostic(r *http.Request, c call) (int, any, error) {
	l, err := h.loadLink(r, c.user)
	if err != nil {
		return 0, nil, err
	}
	status, rec, err := h.statusOf(r.Context(), &l, c.user.ID)
	if err != nil {
		return 0, nil, err
	}
	out := DiagnosticInfo{URL: h.cfg.BasePath + pathLinks + "/" + l.ID + "/diagnostic-info"}
	if rec == nil {
		return http.StatusOK, out, nil
	}
	// What the callout received, recorded after the execution, and the
	// request, made from the definition and the context variables the
	// execution recorded. The request may hold credentials: only the
	// definition's creator, who may read the definition, sees it.
	text, err := h.answerOf(r.Context(), rec)
	if err != nil {
		return 0, nil, err
	}
	if l.ActionType == TypeAPI || l.ActionType == TypeAPIAsync {
		if g, _, err := h.groups.Load(r.Context(), l.GroupID); err == nil && g.CreatedBy == c.user.ID {
			text = newCalloutRequest(&l, rec.ActorID, recordedVariables(rec)).String() + text
		}
	}
	text += fmt.Sprintf("status: %s (executed by %s at %s)\n", status, rec.ActorID, formatTime(rec.Time))
	if rec.Detail != "" {
		text += "detail: " + rec.Detail + "\n"
	}
	out.DiagnosticInfo = &text
	return http.StatusOK, out, nil
}
