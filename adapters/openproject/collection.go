package openproject

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/internal/httpx"
)

// workPackageCollection is OpenProject's WorkPackageCollection
// (lib/api/v3/work_packages/work_package_collection_representer.rb, over
// lib/api/decorators/offset_paginated_collection.rb and collection.rb),
// with what the adapter can honour: no groups, sums, schemas or
// create/edit/export links.
type workPackageCollection struct {
	Type     string `json:"_type"`
	Total    int64  `json:"total"`
	Count    int    `json:"count"`
	PageSize int64  `json:"pageSize"`
	Offset   int64  `json:"offset"`
	Embedded struct {
		Elements []json.RawMessage `json:"elements"`
	} `json:"_embedded"`
	Links struct {
		Self             Link  `json:"self"`
		JumpTo           Link  `json:"jumpTo"`
		ChangeSize       Link  `json:"changeSize"`
		PreviousByOffset *Link `json:"previousByOffset,omitempty"`
		NextByOffset     *Link `json:"nextByOffset,omitempty"`
	} `json:"_links"`
}

// unsupportedParams are the query parameters of OpenProject's collection
// that would change which work packages it lists, or their order; the
// adapter lists every visible work package in Config.List's order, so it
// refuses them rather than answer a different set.
var unsupportedParams = []string{"filters", "sortBy", "groupBy"}

// page is the part of the collection a request asks for.
type page struct {
	offset int64 // the page number, from 1
	size   int64 // elements per page, 0 to count only
}

// readPage reads offset and pageSize as OpenProject does
// (offset_paginated_collection.rb, lib/api/utilities/url_props_parsing_helper.rb,
// app/services/api/v3/work_package_collection_from_query_service.rb): both
// with Ruby's to_i; offset is a page number, and one below 1 is 1;
// pageSize defaults to DefaultPageSize, -1 and values above the maximum are
// the maximum, 0 lists no element (total is still counted). Other negative
// page sizes, which OpenProject hands to SQL's LIMIT, list no element here.
func readPage(q url.Values, maxSize int64) (page, error) {
	for _, name := range unsupportedParams {
		vs, ok := q[name]
		if !ok || name == "filters" && len(vs) > 0 && strings.TrimSpace(vs[len(vs)-1]) == "[]" {
			continue // filters=[] asks for no filter, which is what the adapter does
		}
		return page{}, &queryError{message: fmt.Sprintf("The query parameter '%s' is not supported.", name)}
	}
	p := page{offset: 1, size: min(DefaultPageSize, maxSize)}
	if v, ok := lastValue(q, "offset"); ok {
		if n := rubyToI(v); n > 0 {
			p.offset = n
		}
	}
	if v, ok := lastValue(q, "pageSize"); ok {
		switch n := rubyToI(v); {
		case n == -1 || n > maxSize:
			p.size = maxSize
		case n < 0:
			p.size = 0
		default:
			p.size = n
		}
	}
	return p, nil
}

// lastValue is the last value of a query parameter, as Rack reads
// repeated ones.
func lastValue(q url.Values, name string) (string, bool) {
	vs := q[name]
	if len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// rubyToI reads s as Ruby's String#to_i: leading white space, an optional
// sign, then decimal digits (a single underscore may separate two of them);
// the rest is ignored, and no digits is 0. It saturates instead of growing
// a Bignum.
func rubyToI(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' && i > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' && s[i-1] != '_' {
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// pageLink is the collection's href for a page: Rails' to_query sorts the
// keys and escapes the values, so "{offset}" reads %7Boffset%7D.
func pageLink(offset, size string) string {
	return strings.TrimSuffix(workPackagesPath, "/") + "?offset=" + url.QueryEscape(offset) + "&pageSize=" + url.QueryEscape(size)
}

// listWorkPackages serves GET /api/v3/work_packages: the work packages the
// actor may see, in Config.List's order, a page of them, each rendered as
// GET renders it but without _embedded (OpenProject's list view).
func (h *Handler[T]) listWorkPackages(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor, err := h.authenticate(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// work_packages_api.rb: authorize(:view_work_packages, global: true).
	if !h.canList(ctx, actor) {
		h.writeError(w, r, errMayNotView)
		return
	}
	p, err := readPage(r.URL.Query(), h.cfg.MaxPageSize)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ids, err := h.cfg.List(ctx, actor)
	if err != nil {
		h.writeError(w, r, fmt.Errorf("openproject: listing work packages: %w", err))
		return
	}
	type visible struct {
		id      string
		wp      T
		version int64
		scoped  actions.Actor
	}
	// Every listed work package is loaded and checked, so that total counts
	// only what the actor may see; only the page is resolved and rendered.
	all := make([]visible, 0, len(ids))
	for _, id := range ids {
		if !canonical(id) {
			h.writeError(w, r, fmt.Errorf("openproject: List returned the id %q, which is not a decimal integer", id))
			return
		}
		wp, version, err := h.engine.Load(ctx, id)
		if errors.Is(err, actions.ErrNotFound) {
			continue // deleted since it was listed
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if scoped, ok := h.scope(ctx, actor, id, wp); ok {
			all = append(all, visible{id, wp, version, scoped})
		}
	}
	total := int64(len(all))
	var c workPackageCollection
	c.Type = "WorkPackageCollection"
	c.Total, c.PageSize, c.Offset = total, p.size, p.offset
	c.Embedded.Elements = []json.RawMessage{}
	pages := int64(0) // how many pages of p.size the visible work packages fill
	if p.size > 0 {
		pages = total / p.size
		if total%p.size != 0 {
			pages++
		}
	}
	// The elements in s.buf, the collection in s.out.
	s := newScratch()
	defer s.release()
	if p.offset <= pages { // the page starts before the end
		start := (p.offset - 1) * p.size
		end := start + min(p.size, total-start)
		page := all[start:end]
		c.Embedded.Elements = make([]json.RawMessage, 0, len(page))
		// The page's custom actions in one batch per scoped actor: the
		// engine's list view (one journal call, one VM per batch).
		lists := make([][]*actions.Action, len(page))
		groups := map[string][]int{} // by the scoped actor, of the elements it may edit
		var order []string
		for i, v := range page {
			if !h.canEdit(ctx, v.scoped) {
				continue
			}
			k := actorKey(v.scoped)
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], i)
		}
		for _, k := range order {
			idx := groups[k]
			items := make([]actions.Item[T], len(idx))
			for j, i := range idx {
				items[j] = actions.Item[T]{ID: page[i].id, Object: page[i].wp}
			}
			resolved, err := h.engine.ResolveAll(ctx, items, page[idx[0]].scoped)
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			for j, i := range idx {
				lists[i] = resolved[j]
			}
		}
		for i, v := range page {
			enc, err := h.renderResolved(ctx, s, v.scoped, v.id, v.wp, v.version, false, lists[i])
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			c.Embedded.Elements = append(c.Embedded.Elements, enc[:len(enc):len(enc)])
		}
	}
	c.Count = len(c.Embedded.Elements)
	offset, size := strconv.FormatInt(p.offset, 10), strconv.FormatInt(p.size, 10)
	c.Links.Self = Link{Href: pageLink(offset, size)}
	c.Links.JumpTo = Link{Href: pageLink("{offset}", size), Templated: true}
	c.Links.ChangeSize = Link{Href: pageLink(offset, "{size}"), Templated: true}
	if p.offset > 1 {
		c.Links.PreviousByOffset = &Link{Href: pageLink(strconv.FormatInt(p.offset-1, 10), size)}
	}
	// next unless offset * pageSize >= total, without overflowing.
	if p.size > 0 && p.offset < pages || p.size == 0 && total > 0 {
		c.Links.NextByOffset = &Link{Href: pageLink(strconv.FormatInt(p.offset+1, 10), size)}
	}
	s.out = appendCollection(s.out[:0], &c)
	h.writeValue(w, r, halBody(s.out))
}

// appendCollection appends c as encoding/json encodes it (without HTML
// escaping), its elements as they are: they are encoded already, and
// compact.
func appendCollection(b []byte, c *workPackageCollection) halBody {
	size := 512
	for _, e := range c.Embedded.Elements {
		size += len(e) + 1
	}
	b = slices.Grow(b, size)
	b = append(b, `{"_type":`...)
	b = httpx.AppendString(b, c.Type)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, c.Total, 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(c.Count), 10)
	b = append(b, `,"pageSize":`...)
	b = strconv.AppendInt(b, c.PageSize, 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, c.Offset, 10)
	b = append(b, `,"_embedded":{"elements":`...)
	if c.Embedded.Elements == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, e := range c.Embedded.Elements {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e...)
		}
		b = append(b, ']')
	}
	b = append(b, `},"_links":{"self":`...)
	b = appendLink(b, c.Links.Self)
	b = append(b, `,"jumpTo":`...)
	b = appendLink(b, c.Links.JumpTo)
	b = append(b, `,"changeSize":`...)
	b = appendLink(b, c.Links.ChangeSize)
	if c.Links.PreviousByOffset != nil {
		b = append(b, `,"previousByOffset":`...)
		b = appendLink(b, *c.Links.PreviousByOffset)
	}
	if c.Links.NextByOffset != nil {
		b = append(b, `,"nextByOffset":`...)
		b = appendLink(b, *c.Links.NextByOffset)
	}
	return append(b, "}}"...)
}

// actorKey tells scoped actors apart: two elements whose actors have the
// same key are resolved in one batch.
func actorKey(a actions.Actor) string {
	var b strings.Builder
	b.Grow(128)
	field := func(s string) { // length-prefixed: no two actors share a key
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(a.ID)
	field(a.Name)
	b.WriteString("roles ")
	for _, r := range a.Roles {
		field(r)
	}
	b.WriteString("permissions ")
	for _, p := range a.Permissions {
		field(p)
	}
	b.WriteString("attributes ")
	keys := make([]string, 0, len(a.Attributes))
	for k := range a.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field(k)
		field(a.Attributes[k])
	}
	return b.String()
}
