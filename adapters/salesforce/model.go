package salesforce

import (
	"encoding/json"
	"reflect"
	"strconv"
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
	ActionType string `json:"actionType"`
	// ActionURL is an absolute https:// URL, or for Ui and Download links
	// a path ("/orders/42") the client resolves against this server. It
	// may hold context variables ({!userId}, ...).
	ActionURL      string          `json:"actionUrl"`
	ExcludedUserID string          `json:"excludedUserId"`
	GroupDefault   Boolean         `json:"groupDefault"`
	Headers        []RequestHeader `json:"headers"`
	LabelKey       string          `json:"labelKey"`
	Method         string          `json:"method"`
	RequestBody    string          `json:"requestBody"`
	// RequiresConfirmation is required: nil means it was left out.
	RequiresConfirmation *Boolean `json:"requiresConfirmation"`
	UserID               string   `json:"userId"`
}

// Boolean is a Boolean property of an input body. It decodes from a JSON
// boolean or from the strings "true" and "false", since the examples of
// Salesforce's own Connect REST API Developer Guide send booleans as strings
// ("groupDefault": "true", Action Link Group Definition Input). Any other
// string ("yes", "TRUE", "1") is refused: how Salesforce reads those is not
// documented, and guessing would accept input Salesforce may refuse.
type Boolean bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *Boolean) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "null": // leaves the value, as for a bool
		return nil
	case "true":
		*b = true
		return nil
	case "false":
		*b = false
		return nil
	}
	what := "number"
	switch data[0] {
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		switch s {
		case "true":
			*b = true
			return nil
		case "false":
			*b = false
			return nil
		}
		if len(s) > 32 {
			s = s[:32] + "..."
		}
		what = strconv.Quote(s)
	case '{':
		what = "object"
	case '[':
		what = "array"
	}
	return &json.UnmarshalTypeError{Value: what, Type: reflect.TypeFor[Boolean]()}
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
	// ActionURL is the URL as defined, its context variables unfilled.
	ActionURL      string          `json:"actionUrl"`
	CreatedDate    string          `json:"createdDate"`
	ExcludedUserID *string         `json:"excludedUserId"`
	GroupDefault   bool            `json:"groupDefault"`
	Headers        []RequestHeader `json:"headers"`
	ID             string          `json:"id"`
	// Label is set only by action link templates, which this server does
	// not support: it is always null, and LabelKey names the labels.
	Label                *string `json:"label"`
	LabelKey             string  `json:"labelKey"`
	Method               string  `json:"method"`
	ModifiedDate         string  `json:"modifiedDate"`
	RequestBody          *string `json:"requestBody"`
	RequiresConfirmation bool    `json:"requiresConfirmation"`
	TemplateID           *string `json:"templateId"`
	// Type is the actionType of the input: Api, ApiAsync, Download or Ui.
	Type string `json:"type"`
	// URL is the link's Platform Action resource. The documentation does
	// not list it for this body; the server adds it.
	URL    string  `json:"url"`
	UserID *string `json:"userId"`
}

// PlatformAction is one action link as one user sees it: its status and
// label are that user's (shared by everyone when executionsAllowed is Once).
type PlatformAction struct {
	// ActionURL is null for Api and ApiAsync links: the server calls them.
	ActionURL *string `json:"actionUrl"`
	APIName   *string `json:"apiName"`
	// ConfirmationMessage is set only when the link requires confirmation
	// and its status is NewStatus.
	ConfirmationMessage *string `json:"confirmationMessage"`
	// CreatedRecords are the records the user's execution created: always
	// empty, since action links served here create no records.
	CreatedRecords []RecordSummary `json:"createdRecords"`
	// ExecutingUser is the user whose execution the status is (with Once,
	// whoever executed the link first), or null before anyone did.
	ExecutingUser       *UserSummary `json:"executingUser"`
	GroupDefault        bool         `json:"groupDefault"`
	IconURL             *string      `json:"iconUrl"`
	ID                  string       `json:"id"`
	Label               string       `json:"label"`
	ModifiedDate        string       `json:"modifiedDate"`
	PlatformActionGroup Reference    `json:"platformActionGroup"`
	Status              string       `json:"status"`
	Subtype             string       `json:"subtype"`
	Type                string       `json:"type"`
	URL                 string       `json:"url"`
}

// UserSummary is a User Summary, the executingUser of a PlatformAction.
// Config.UserSummary supplies it; the handler sets ID, Type ("User") and
// URL itself. Salesforce writes a property the context user may not see
// as null, and so does the handler for every property the host leaves
// nil.
type UserSummary struct {
	AdditionalLabel   *string      `json:"additionalLabel"`
	CommunityNickname *string      `json:"communityNickname"`
	CompanyName       *string      `json:"companyName"`
	DisplayName       *string      `json:"displayName"`
	FirstName         *string      `json:"firstName"`
	ID                string       `json:"id"`
	IsActive          *bool        `json:"isActive"`
	IsInThisCommunity *bool        `json:"isInThisCommunity"`
	LastName          *string      `json:"lastName"`
	Motif             *Motif       `json:"motif"`
	MySubscription    *Reference   `json:"mySubscription"`
	Name              *string      `json:"name"`
	OutOfOffice       *OutOfOffice `json:"outOfOffice"`
	Photo             *Photo       `json:"photo"`
	Reputation        *Reputation  `json:"reputation"`
	Title             *string      `json:"title"`
	Type              string       `json:"type"`
	URL               string       `json:"url"`
	// UserType is ChatterGuest, ChatterOnly, Guest, Internal, Portal,
	// System or Undefined.
	UserType *string `json:"userType"`
}

// Motif holds the icons of a record type (Motif).
type Motif struct {
	Color         *string `json:"color"`
	LargeIconURL  string  `json:"largeIconUrl"`
	MediumIconURL string  `json:"mediumIconUrl"`
	SmallIconURL  string  `json:"smallIconUrl"`
	SVGIconURL    *string `json:"svgIconUrl"`
}

// OutOfOffice is a user's out-of-office message (Out of Office).
type OutOfOffice struct {
	Message string `json:"message"`
}

// Photo holds the URLs of a user's profile picture (Photo).
type Photo struct {
	FullEmailPhotoURL     string  `json:"fullEmailPhotoUrl"`
	LargePhotoURL         string  `json:"largePhotoUrl"`
	MediumPhotoURL        string  `json:"mediumPhotoUrl"`
	PhotoVersionID        *string `json:"photoVersionId"`
	SmallPhotoURL         string  `json:"smallPhotoUrl"`
	StandardEmailPhotoURL string  `json:"standardEmailPhotoUrl"`
	URL                   string  `json:"url"`
}

// Reputation is a user's reputation in a site (Reputation).
type Reputation struct {
	ReputationLevel *ReputationLevel `json:"reputationLevel"`
	URL             string           `json:"url"`
}

// ReputationLevel is a level of reputation (Reputation Level).
type ReputationLevel struct {
	LevelImageURL string `json:"levelImageUrl"`
	LevelName     string `json:"levelName"`
	LevelNumber   int    `json:"levelNumber"`
}

// RecordSummary is a Record Summary, one of the createdRecords of a
// PlatformAction.
type RecordSummary struct {
	ID             string     `json:"id"`
	Motif          *Motif     `json:"motif"`
	MySubscription *Reference `json:"mySubscription"`
	Name           string     `json:"name"`
	Type           string     `json:"type"`
	URL            string     `json:"url"`
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

// Link is what a Handler stores of one action link, in Stores.Links: the
// object its engine acts on, with the fields of its group that the rules
// read. Groups are immutable once created, so the copy never goes stale.
// Hosts only provide the store; the handler writes and reads the values.
type Link struct {
	ID                   string          `json:"id"`
	GroupID              string          `json:"groupId"`
	ActionType           string          `json:"actionType"`
	ActionURL            string          `json:"actionUrl"`
	Method               string          `json:"method"`
	LabelKey             string          `json:"labelKey"`
	RequiresConfirmation bool            `json:"requiresConfirmation"`
	GroupDefault         bool            `json:"groupDefault"`
	Headers              []RequestHeader `json:"headers"`
	RequestBody          string          `json:"requestBody"`
	UserID               string          `json:"userId"`
	ExcludedUserID       string          `json:"excludedUserId"`
	ExecutionsAllowed    string          `json:"executionsAllowed"`
	ExpirationDate       time.Time       `json:"expirationDate"`
	Created              time.Time       `json:"created"`
}

// Group is what a Handler stores of one action link group definition, in
// Stores.Groups; its links are stored one by one, as Links.
type Group struct {
	ID                string    `json:"id"`
	Category          string    `json:"category"`
	ExecutionsAllowed string    `json:"executionsAllowed"`
	ExpirationDate    time.Time `json:"expirationDate"`
	CreatedBy         string    `json:"createdBy"`
	Created           time.Time `json:"created"`
	LinkIDs           []string  `json:"linkIds"`
}

// Owner is what a Handler stores, in Stores.Owners under a user's id, of
// the group definitions that user created and has not deleted: what
// Limits.DefinitionsPerUser counts.
type Owner struct {
	UserID string       `json:"userId"`
	Groups []OwnedGroup `json:"groups"`
}

// OwnedGroup is one definition of an Owner, and when it was counted.
type OwnedGroup struct {
	ID    string    `json:"id"`
	Since time.Time `json:"since"`
}

// platformActionType is the type of every Platform Action served here.
const platformActionType = "ActionLink"

// timeLayout is how Salesforce writes dates.
const timeLayout = "2006-01-02T15:04:05.000Z"

// nullable returns nil for "" so that the field encodes as null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
