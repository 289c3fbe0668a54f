package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits of a group definition.
const (
	maxPrimaryLinks  = 3
	maxOverflowLinks = 4
)

// methods maps the method enum to HTTP methods.
var methods = map[string]string{
	"HttpDelete": http.MethodDelete,
	"HttpGet":    http.MethodGet,
	"HttpHead":   http.MethodHead,
	"HttpPatch":  http.MethodPatch,
	"HttpPost":   http.MethodPost,
	"HttpPut":    http.MethodPut,
}

const (
	methodEnum     = "HttpDelete, HttpGet, HttpHead, HttpPatch, HttpPost or HttpPut"
	actionTypeEnum = "Api, ApiAsync, Download or Ui"
)

// expirationLayouts are the ISO 8601 forms expirationDate accepts.
var expirationLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.000Z0700",
}

func parseExpiration(s string) (time.Time, bool) {
	for _, l := range expirationLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// problems collects the violations of one input, in input order.
type problems []Problem

func (ps *problems) missing(field string) {
	*ps = append(*ps, Problem{Field: field, Code: codeRequired, Message: "Missing required field: " + field})
}

func (ps *problems) tooLong(field string, n, limit int) {
	*ps = append(*ps, Problem{Field: field, Code: codeTooLong, Message: fmt.Sprintf("%s: %d bytes, more than the %d allowed", field, n, limit)})
}

func (ps *problems) invalid(field, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	*ps = append(*ps, Problem{Field: field, Code: codeInvalidInput, Message: msg})
}

// validateGroup checks every documented constraint of in, and the limits
// of the handler, and returns its expiration date, or an *InputError with
// every violation.
func (h *Handler) validateGroup(ctx context.Context, in *GroupDefinitionInput, now time.Time) (time.Time, error) {
	var ps problems
	template := in.TemplateID != ""
	if template {
		ps.invalid("templateId", "action link templates are not supported by this server; define the action links in actionLinks")
	}
	if len(in.TemplateBindings) > 0 && !template {
		ps.invalid("templateBindings", "templateBindings are only allowed with a templateId")
	}
	if len(in.ActionLinks) == 0 && !template {
		ps.missing("actionLinks")
	}
	switch in.Category {
	case "":
		if !template {
			ps.missing("category")
		}
	case CategoryPrimary:
		if n := len(in.ActionLinks); n > maxPrimaryLinks {
			ps.invalid("actionLinks", "a Primary group has at most %d action links, not %d", maxPrimaryLinks, n)
		}
	case CategoryOverflow:
		if n := len(in.ActionLinks); n > maxOverflowLinks {
			ps.invalid("actionLinks", "an Overflow group has at most %d action links, not %d", maxOverflowLinks, n)
		}
	default:
		ps.invalid("category", "%q is not a category; use Primary or Overflow", in.Category)
	}
	switch in.ExecutionsAllowed {
	case "":
		if !template {
			ps.missing("executionsAllowed")
		}
	case ExecutionsOnce, ExecutionsOncePerUser, ExecutionsUnlimited:
	default:
		ps.invalid("executionsAllowed", "%q is not a value of executionsAllowed; use Once, OncePerUser or Unlimited", in.ExecutionsAllowed)
	}
	var expires time.Time
	switch t, ok := parseExpiration(in.ExpirationDate); {
	case in.ExpirationDate == "":
		if !template {
			ps.missing("expirationDate")
		}
	case !ok:
		ps.invalid("expirationDate", "%q is not an ISO 8601 date-time such as 2026-12-31T23:59:59.000Z", in.ExpirationDate)
	case t.After(now.AddDate(1, 0, 0)):
		ps.invalid("expirationDate", "%s is more than a year ahead; the latest allowed is %s", formatTime(t), formatTime(now.AddDate(1, 0, 0)))
	case !t.After(now):
		ps.invalid("expirationDate", "%s has passed; the action links of the group could never be executed", formatTime(t))
	default:
		expires = t
	}
	defaults := 0
	for i := range in.ActionLinks {
		if in.ActionLinks[i].GroupDefault {
			defaults++
		}
		h.validateLink(ctx, &ps, fmt.Sprintf("actionLinks[%d]", i), &in.ActionLinks[i], in.ExecutionsAllowed)
	}
	if defaults > 1 {
		ps.invalid("actionLinks", "at most one action link of a group may be the groupDefault, not %d", defaults)
	}
	return expires, newInputError(ps)
}

func (h *Handler) validateLink(ctx context.Context, ps *problems, at string, l *ActionLinkDefinitionInput, executions string) {
	lim := &h.cfg.Limits
	api := l.ActionType == TypeAPI || l.ActionType == TypeAPIAsync
	switch l.ActionType {
	case "":
		ps.missing(at + ".actionType")
	case TypeAPI, TypeAPIAsync, TypeDownload, TypeUI:
	default:
		ps.invalid(at+".actionType", "%q is not an action type; use %s", l.ActionType, actionTypeEnum)
	}
	switch {
	case l.ActionURL == "":
		ps.missing(at + ".actionUrl")
	case len(l.ActionURL) > lim.ActionURL:
		ps.tooLong(at+".actionUrl", len(l.ActionURL), lim.ActionURL)
	default:
		// Checked with placeholders for its context variables, which are
		// filled in only when the link is executed or shown; then it is
		// checked again.
		if why := h.checkURL(ctx, placeholders.Replace(l.ActionURL), api); why != "" {
			ps.invalid(at+".actionUrl", "%q %s", l.ActionURL, why)
		}
	}
	switch {
	case l.Method == "":
		ps.missing(at + ".method")
	case methods[l.Method] == "":
		ps.invalid(at+".method", "%q is not a method; use %s", l.Method, methodEnum)
	}
	switch {
	case l.LabelKey == "":
		ps.missing(at + ".labelKey")
	case len(l.LabelKey) > lim.LabelKey:
		ps.tooLong(at+".labelKey", len(l.LabelKey), lim.LabelKey)
	case strings.ContainsRune(l.LabelKey, 0):
		ps.invalid(at+".labelKey", "must not contain NUL characters")
	}
	switch {
	case len(l.RequestBody) > lim.RequestBody:
		ps.tooLong(at+".requestBody", len(l.RequestBody), lim.RequestBody)
	case strings.ContainsRune(l.RequestBody, 0):
		ps.invalid(at+".requestBody", "must not contain NUL characters")
	}
	if l.RequiresConfirmation == nil {
		ps.missing(at + ".requiresConfirmation")
	}
	if len(l.Headers) > 0 && !api && l.ActionType != "" {
		ps.invalid(at+".headers", "only Api and ApiAsync action links take headers, not %s", l.ActionType)
	}
	if len(l.Headers) > lim.Headers {
		ps.invalid(at+".headers", "%d headers, more than the %d allowed", len(l.Headers), lim.Headers)
	}
	for j, hd := range l.Headers[:min(len(l.Headers), lim.Headers)] {
		hat := fmt.Sprintf("%s.headers[%d]", at, j)
		switch {
		case hd.Name == "":
			ps.missing(hat + ".name")
		case len(hd.Name) > lim.HeaderName:
			ps.tooLong(hat+".name", len(hd.Name), lim.HeaderName)
		case !validHeaderName(hd.Name):
			ps.invalid(hat+".name", "%q is not a valid HTTP header name", hd.Name)
		}
		switch {
		case len(hd.Value) > lim.HeaderValue:
			ps.tooLong(hat+".value", len(hd.Value), lim.HeaderValue)
		case strings.ContainsAny(hd.Value, "\r\n\x00"):
			ps.invalid(hat+".value", "a header value must not contain line breaks or NUL")
		}
	}
	if l.UserID != "" && l.ExcludedUserID != "" {
		ps.invalid(at, "userId and excludedUserId are mutually exclusive; set at most one")
	}
	if l.UserID != "" && !validID(l.UserID, "005") {
		ps.invalid(at+".userId", "%q is not a user id", l.UserID)
	}
	if l.ExcludedUserID != "" && !validID(l.ExcludedUserID, "005") {
		ps.invalid(at+".excludedUserId", "%q is not a user id", l.ExcludedUserID)
	}
	if api && executions == ExecutionsUnlimited {
		ps.invalid(at, "executionsAllowed Unlimited is not allowed for %s action links; use Once or OncePerUser", l.ActionType)
	}
}

// placeholders fill the context variables of an actionUrl at creation,
// when their values are not known yet: ids of the right kinds, and for
// {!communityUrl}, the base URL of a site, an https URL.
var placeholders = strings.NewReplacer(
	"{!actionLinkId}", "0An000000000000AAA",
	"{!actionLinkGroupId}", "0Ag000000000000AAA",
	"{!communityId}", defaultCommunityID,
	"{!communityUrl}", "https://community.invalid",
	"{!orgId}", "00D000000000000AAA",
	"{!userId}", "005000000000000AAA",
)

// checkURL returns why raw is not an acceptable actionUrl, as a phrase
// that follows the URL ("is an http:// URL; ..."), or "" when it is
// acceptable. Salesforce's rule (Action Link Definition Input, actionUrl):
// "Links to Salesforce can be relative. All other links must be absolute
// and start with https://." A relative link, a path starting with one /,
// is for the client to resolve against this server: it is acceptable for
// Ui and Download links, and not for a callout (callable), which this
// server would have nowhere to send. An http:// URL is acceptable when
// Config.AllowHTTP says so. A URL with a user name or password is never
// acceptable (a Ui URL is shown to every user who sees the link).
func (h *Handler) checkURL(ctx context.Context, raw string, callable bool) string {
	switch {
	case strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "holds a space or a control character"
	case strings.ContainsRune(raw, '\\'):
		return "holds a backslash, which browsers read as a slash"
	case strings.HasPrefix(raw, "//"):
		return "is a scheme-relative URL; give an absolute https:// URL"
	case strings.HasPrefix(raw, "/"):
		if callable {
			return "is a relative URL, which this server cannot call out to; give an absolute https:// URL"
		}
		if _, err := url.Parse(raw); err != nil {
			return "is not a valid URL"
		}
		return ""
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "is not a valid URL"
	case u.Scheme == "" && callable:
		return "is not an absolute https:// URL"
	case u.Scheme == "":
		return "is not an absolute https:// URL or a path starting with /"
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("has the scheme %q; give an absolute https:// URL", u.Scheme)
	case u.Host == "":
		return "has no host"
	case u.User != nil:
		return "holds a user name or password; send credentials in a header instead"
	case u.Scheme == "http" && (h.cfg.AllowHTTP == nil || !h.cfg.AllowHTTP(ctx, u)):
		return "is an http:// URL; give an https:// URL"
	}
	return ""
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return s != ""
}

// validID reports whether id is a 15- or 18-character Salesforce id with the
// given key prefix.
func validID(id, prefix string) bool {
	if len(id) != 15 && len(id) != 18 || !strings.HasPrefix(id, prefix) {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
