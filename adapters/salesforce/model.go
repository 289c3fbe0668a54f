package salesforce

import (
	"time"
)

// Action types (Action Link Definition Input actionType, Platform Action
// subtype).
const (
	TypeAPI      = "Api"
	TypeAPIAsync = "ApiAsync"
	TypeDownload = "Download"
	TypeUI       = "Ui"
)

// Statuses of an action link. SuccessfulStatus and FailedStatus are
// terminal.
const (
	StatusNew        = "NewStatus"
	StatusPending    = "PendingStatus"
	StatusSuccessful = "SuccessfulStatus"
	StatusFailed     = "FailedStatus"
)

// Values of executionsAllowed.
const (
	ExecutionsOnce        = "Once"
	ExecutionsOncePerUser = "OncePerUser"
	ExecutionsUnlimited   = "Unlimited"
)

// Categories of an action link group.
const (
	CategoryPrimary  = "Primary"
	CategoryOverflow = "Overflow"
)

// Id prefixes of the objects this adapter serves.
const (
	groupPrefix = "0Ag" // action link group (definition)
	linkPrefix  = "0An" // action link
)

// GroupDefinitionInput is an Action Link Group Definition Input, the body of
// POST /connect/action-link-group-definitions.
type GroupDefinitionInput struct {
	ActionLinks       []ActionLinkDefinitionInput `json:"actionLinks"`
	Category          string                      `json:"category"`
	ExecutionsAllowed string                      `json:"executionsAllowed"`
	// ExpirationDate is an ISO 8601 date-time, at most a year ahead. It is
	// a string so that a malformed date is reported with every other
	// problem rather than as a parse error.
	ExpirationDate   string            `json:"expirationDate"`
	TemplateID       string            `json:"templateId"`
	TemplateBindings []TemplateBinding `json:"templateBindings"`
}

// TemplateBinding is one key-value pair of templateBindings.
type TemplateBinding struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ActionLinkDefinitionInput is an Action Link Definition Input, one action
// link of a group definition.
type ActionLinkDefinitionInput struct {
	ActionType     string          `json:"actionType"`
	ActionURL      string          `json:"actionUrl"`
	ExcludedUserID string          `json:"excludedUserId"`
	GroupDefault   bool            `json:"groupDefault"`
	Headers        []RequestHeader `json:"headers"`
	LabelKey       string          `json:"labelKey"`
	Method         string          `json:"method"`
	RequestBody    string          `json:"requestBody"`
	// RequiresConfirmation is required: nil means it was left out.
	RequiresConfirmation *bool  `json:"requiresConfirmation"`
	UserID               string `json:"userId"`
}

// RequestHeader is one HTTP header a callout sends.
type RequestHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// GroupDefinition is an Action Link Group Definition, as POST and GET
// /connect/action-link-group-definitions return it.
type GroupDefinition struct {
	ActionLinks       []ActionLinkDefinition `json:"actionLinks"`
	Category          string                 `json:"category"`
	CreatedDate       string                 `json:"createdDate"`
	ExecutionsAllowed string                 `json:"executionsAllowed"`
	ExpirationDate    *string                `json:"expirationDate"`
	ID                string                 `json:"id"`
	ModifiedDate      string                 `json:"modifiedDate"`
	TemplateID        *string                `json:"templateId"`
	URL               string                 `json:"url"`
}

// ActionLinkDefinition is an Action Link Definition, one link of a
// GroupDefinition.
type ActionLinkDefinition struct {
	ActionType           string          `json:"actionType"`
	ActionURL            string          `json:"actionUrl"`
	CreatedDate          string          `json:"createdDate"`
	ExcludedUserID       *string         `json:"excludedUserId"`
	GroupDefault         bool            `json:"groupDefault"`
	Headers              []RequestHeader `json:"headers"`
	ID                   string          `json:"id"`
	LabelKey             string          `json:"labelKey"`
	Method               string          `json:"method"`
	ModifiedDate         string          `json:"modifiedDate"`
	RequestBody          *string         `json:"requestBody"`
	RequiresConfirmation bool            `json:"requiresConfirmation"`
	TemplateID           *string         `json:"templateId"`
	URL                  string          `json:"url"`
	UserID               *string         `json:"userId"`
}

// PlatformAction is one action link as one user sees it: its status and
// label are that user's (shared by everyone when executionsAllowed is Once).
type PlatformAction struct {
	// ActionURL is null for Api and ApiAsync links: the server calls them.
	ActionURL *string `json:"actionUrl"`
	APIName   *string `json:"apiName"`
	// ConfirmationMessage is set only when the link requires confirmation
	// and its status is NewStatus.
	ConfirmationMessage *string    `json:"confirmationMessage"`
	ExecutingUser       *Reference `json:"executingUser"`
	GroupDefault        bool       `json:"groupDefault"`
	IconURL             *string    `json:"iconUrl"`
	ID                  string     `json:"id"`
	Label               string     `json:"label"`
	ModifiedDate        string     `json:"modifiedDate"`
	PlatformActionGroup Reference  `json:"platformActionGroup"`
	Status              string     `json:"status"`
	Subtype             string     `json:"subtype"`
	Type                string     `json:"type"`
	URL                 string     `json:"url"`
}

// PlatformActionGroup is an action link group as one user sees it: only
// the links that user may see.
type PlatformActionGroup struct {
	Category        string           `json:"category"`
	ID              string           `json:"id"`
	ModifiedDate    string           `json:"modifiedDate"`
	PlatformActions []PlatformAction `json:"platformActions"`
	URL             string           `json:"url"`
}

// Reference points at another resource.
type Reference struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// DiagnosticInfo is the body of GET /connect/action-links/{id}/diagnostic-info:
// what the callout of the user's execution sent and received, or null when
// there is none.
type DiagnosticInfo struct {
	DiagnosticInfo *string `json:"diagnosticInfo"`
	URL            string  `json:"url"`
}

// StatusInput is an Action Link Input, the body of PATCH
// /connect/action-links/{id}.
type StatusInput struct {
	Status string `json:"status"`
}

// NewGroup is a group definition a host creates itself (see
// Handler.CreateGroup), typically demo or fixture data with fixed ids.
type NewGroup struct {
	// ID and LinkIDs fix the ids of the group (prefix 0Ag) and of its links
	// (prefix 0An, in the order of the input's actionLinks); empty ones are
	// generated.
	ID      string   `json:"id,omitempty"`
	LinkIDs []string `json:"linkIds,omitempty"`
	// CreatedBy is the id of the user who may read and delete the
	// definition.
	CreatedBy string               `json:"createdBy"`
	Input     GroupDefinitionInput `json:"definition"`
}

// link is the object the engine acts on: one action link, with the fields
// of its group that its rules read. Groups are immutable once created, so
// the copy never goes stale.
type link struct {
	ID                   string
	GroupID              string
	ActionType           string
	ActionURL            string
	Method               string
	LabelKey             string
	RequiresConfirmation bool
	GroupDefault         bool
	Headers              []RequestHeader
	RequestBody          string
	UserID               string
	ExcludedUserID       string
	ExecutionsAllowed    string
	ExpirationDate       time.Time
	Created              time.Time
}

// group is a stored action link group definition; its links are stored one
// by one, as the engine's objects.
type group struct {
	ID                string
	Category          string
	ExecutionsAllowed string
	ExpirationDate    time.Time
	CreatedBy         string
	Created           time.Time
	LinkIDs           []string
}

// timeLayout is how Salesforce writes dates.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullable returns nil for "" so that the field encodes as null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
