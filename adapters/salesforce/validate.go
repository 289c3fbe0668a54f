package salesforce

import (
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

func (ps *problems) invalid(field, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	*ps = append(*ps, Problem{Field: field, Code: codeInvalidInput, Message: msg})
}

// validateGroup checks every documented constraint of in and returns its
// expiration date, or an *InputError with every violation.
func validateGroup(in *GroupDefinitionInput, now time.Time) (time.Time, error) {
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
	default:
		expires = t
	}
	defaults := 0
	for i := range in.ActionLinks {
		if in.ActionLinks[i].GroupDefault {
			defaults++
		}
		validateLink(&ps, fmt.Sprintf("actionLinks[%d]", i), &in.ActionLinks[i], in.ExecutionsAllowed)
	}
	if defaults > 1 {
		ps.invalid("actionLinks", "at most one action link of a group may be the groupDefault, not %d", defaults)
	}
	return expires, newInputError(ps)
}

func validateLink(ps *problems, at string, l *ActionLinkDefinitionInput, executions string) {
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
	case api && !strings.Contains(l.ActionURL, "{!"):
		if u, err := url.Parse(l.ActionURL); err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
			ps.invalid(at+".actionUrl", "%q is not an absolute http or https URL", l.ActionURL)
		}
	}
	switch {
	case l.Method == "":
		ps.missing(at + ".method")
	case methods[l.Method] == "":
		ps.invalid(at+".method", "%q is not a method; use %s", l.Method, methodEnum)
	}
	if l.LabelKey == "" {
		ps.missing(at + ".labelKey")
	}
	if l.RequiresConfirmation == nil {
		ps.missing(at + ".requiresConfirmation")
	}
	if len(l.Headers) > 0 && !api && l.ActionType != "" {
		ps.invalid(at+".headers", "only Api and ApiAsync action links take headers, not %s", l.ActionType)
	}
	for j, h := range l.Headers {
		hat := fmt.Sprintf("%s.headers[%d]", at, j)
		switch {
		case h.Name == "":
			ps.missing(hat + ".name")
		case !validHeaderName(h.Name):
			ps.invalid(hat+".name", "%q is not a valid HTTP header name", h.Name)
		}
		if strings.ContainsAny(h.Value, "\r\n\x00") {
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
