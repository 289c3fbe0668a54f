package salesforce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// Store keeps values of type T for a Handler: an actions.Store that can
// also create and delete them. actions.MemoryStore is one, and so is a
// database store with the same methods. It must be safe for concurrent
// use.
type Store[T any] interface {
	actions.Store[T]
	actions.Creator[T]
	// Delete removes a value; an unknown id matches actions.ErrNotFound.
	Delete(ctx context.Context, id string) error
}

var (
	_ Store[Link]  = (*actions.MemoryStore[Link])(nil)
	_ Store[Link]  = (*MemoryLinks)(nil)
	_ Store[Group] = (*actions.MemoryStore[Group])(nil)
	_ Store[Owner] = (*actions.MemoryStore[Owner])(nil)

	_ actions.Journal = (*MemoryLinks)(nil)
	_ actions.Pruner  = (*MemoryLinks)(nil)
)

// Stores are where a Handler keeps its data. Everything it knows is in
// them, so a Handler built over the stores of another (after a restart,
// or on another instance sharing a database) serves the same groups,
// links, statuses and diagnostics.
type Stores struct {
	// Links keeps the action links, the objects of the handler's engine,
	// and its execution journal: the store must be an actions.Journal too
	// unless Config.EngineOptions gives one (actions.WithJournal). An
	// execution record keeps what its callout needs and what it answered
	// (see Handler).
	Links Store[Link]
	// Groups keeps the group definitions.
	Groups Store[Group]
	// Owners keeps, for each user, the definitions they created and have
	// not deleted, which Limits.DefinitionsPerUser counts.
	Owners Store[Owner]
}

// NewMemoryStores returns empty in-memory stores: a MemoryLinks, and
// actions.MemoryStores of groups and owners.
func NewMemoryStores() Stores {
	return Stores{
		Links:  new(MemoryLinks),
		Groups: actions.NewMemoryStore[Group](),
		Owners: actions.NewMemoryStore[Owner](),
	}
}

// MemoryLinks is the in-memory store of links, and their journal, that
// NewMemoryStores gives: an actions.MemoryStore of links (and its journal,
// indexes and retention), which copies a link by copying its headers
// rather than through reflection, as every GET loads one. What it stores
// is never shared with a caller: Create and Save keep copies, and Load
// returns one. The zero value is an empty store, ready to use. It is safe
// for concurrent use.
type MemoryLinks struct {
	s actions.MemoryStore[storedLink]
}

// storedLink is a link as MemoryLinks keeps it. The link is unexported so
// that the MemoryStore copies it as a plain value (it deep-copies only what
// exported fields reach); MemoryLinks copies its headers on the way in and
// out, so that the slice it keeps is never handed out.
type storedLink struct{ link Link }

func storeLink(l Link) storedLink {
	l.Headers = slices.Clone(l.Headers)
	return storedLink{link: l}
}

// Load implements actions.Store.
func (m *MemoryLinks) Load(ctx context.Context, id string) (Link, int64, error) {
	st, version, err := m.s.Load(ctx, id)
	l := st.link
	l.Headers = slices.Clone(l.Headers)
	return l, version, err
}

// Save implements actions.Store, as actions.MemoryStore does.
func (m *MemoryLinks) Save(ctx context.Context, id string, l Link, expected int64, rec *actions.Execution) (int64, error) {
	return m.s.Save(ctx, id, storeLink(l), expected, rec)
}

// Create implements actions.Creator.
func (m *MemoryLinks) Create(ctx context.Context, id string, l Link) (int64, error) {
	return m.s.Create(ctx, id, storeLink(l))
}

// Delete removes a link, as actions.MemoryStore does: its executions stay
// in the journal.
func (m *MemoryLinks) Delete(ctx context.Context, id string) error { return m.s.Delete(ctx, id) }

// IDs returns the ids of the stored links, in no particular order.
func (m *MemoryLinks) IDs() []string { return m.s.IDs() }

// Executions implements actions.Journal.
func (m *MemoryLinks) Executions(ctx context.Context, f actions.Filter) ([]actions.Execution, error) {
	return m.s.Executions(ctx, f)
}

// Policies implements actions.Journal.
func (m *MemoryLinks) Policies(ctx context.Context, q actions.PolicyQuery) ([]actions.PolicyState, error) {
	return m.s.Policies(ctx, q)
}

// Finish implements actions.Journal.
func (m *MemoryLinks) Finish(ctx context.Context, id string, status actions.Status, detail string) (actions.Execution, error) {
	return m.s.Finish(ctx, id, status, detail)
}

// Prune implements actions.Pruner.
func (m *MemoryLinks) Prune(ctx context.Context, r actions.Retention) (int, error) {
	return m.s.Prune(ctx, r)
}

// maxOwnerAttempts bounds the retries of a change of one user's Owner
// that lost a race: every round of concurrent changes lets one through.
const maxOwnerAttempts = 1000

// orphanAge is how old an entry of an Owner whose group does not exist
// must be before it stops counting: younger ones are groups being created.
const orphanAge = time.Minute

// reserve counts the group id among those user created; with enforce it
// first refuses the group if the user has Limits.DefinitionsPerUser
// already (a *limitError).
func (h *Handler) reserve(ctx context.Context, user, id string, enforce bool) error {
	if user == "" {
		return nil // a host's group that nobody may read or delete
	}
	for range maxOwnerAttempts {
		o, version, err := h.owners.Load(ctx, user)
		switch {
		case errors.Is(err, actions.ErrNotFound):
			o, version = Owner{UserID: user}, 0
		case err != nil:
			return err
		}
		if i := slices.IndexFunc(o.Groups, func(g OwnedGroup) bool { return g.ID == id }); i >= 0 {
			// Created already, or being created by another request: the
			// entry is that group's, which release must not remove. An
			// entry left by a creation that stopped half-way is dropped.
			if orphan, err := h.orphan(ctx, o.Groups[i]); err != nil {
				return err
			} else if !orphan {
				return &duplicateError{id: id}
			}
			o.Groups = slices.Delete(o.Groups, i, i+1)
		}
		limit := h.cfg.Limits.DefinitionsPerUser
		if enforce && len(o.Groups) >= limit {
			if o.Groups, err = h.live(ctx, o.Groups); err != nil {
				return err
			}
			if len(o.Groups) >= limit {
				return &limitError{user: user, limit: limit}
			}
		}
		o.Groups = append(o.Groups, OwnedGroup{ID: id, Since: h.cfg.Clock()})
		if version == 0 {
			_, err = h.owners.Create(ctx, user, o)
		} else {
			_, err = h.owners.Save(ctx, user, o, version, nil)
		}
		if !errors.Is(err, actions.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: the definitions of user %s changed %d times during the request", actions.ErrConflict, user, maxOwnerAttempts)
}

// release stops counting the group id among those user created.
func (h *Handler) release(ctx context.Context, user, id string) error {
	if user == "" {
		return nil
	}
	for range maxOwnerAttempts {
		o, version, err := h.owners.Load(ctx, user)
		if errors.Is(err, actions.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		n := len(o.Groups)
		o.Groups = slices.DeleteFunc(o.Groups, func(g OwnedGroup) bool { return g.ID == id })
		if len(o.Groups) == n {
			return nil
		}
		if _, err = h.owners.Save(ctx, user, o, version, nil); !errors.Is(err, actions.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: the definitions of user %s changed %d times during the request", actions.ErrConflict, user, maxOwnerAttempts)
}

// live returns the entries of groups that are not orphans.
func (h *Handler) live(ctx context.Context, groups []OwnedGroup) ([]OwnedGroup, error) {
	out := groups[:0:0]
	for _, g := range groups {
		orphan, err := h.orphan(ctx, g)
		if err != nil {
			return nil, err
		}
		if !orphan {
			out = append(out, g)
		}
	}
	return out, nil
}

// orphan reports whether g was left by a creation or a deletion that
// stopped half-way (a crash, a store error): its group does not exist,
// and it is older than orphanAge (a younger one is a group being
// created). An orphan no longer counts.
func (h *Handler) orphan(ctx context.Context, g OwnedGroup) (bool, error) {
	_, _, err := h.groups.Load(ctx, g.ID)
	switch {
	case err == nil:
		return false, nil
	case !errors.Is(err, actions.ErrNotFound):
		return false, err
	}
	return h.cfg.Clock().Sub(g.Since) >= orphanAge, nil
}
