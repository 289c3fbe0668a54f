package openproject

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHumanize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"percentageDone", "Percentage done"},
		{"startDate", "Start date"},
		{"due_date", "Due date"},
		{"assigneeID", "Assignee id"},
		{"estimatedTime2Hours", "Estimated time2 hours"},
		{"dates.startDate", "Start date"},
		{"subject", "Subject"},
		{"_type", "Type"},
		{"URL", "Url"},
		{"élan", "Élan"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, humanize(tt.in)); diff != "" {
				t.Errorf("humanize(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRuleText(t *testing.T) {
	tests := []struct {
		rule, param string
		number      bool
		want        string
	}{
		{"lte", "100", true, "must be less than or equal to 100"},
		{"max", "100", true, "must be less than or equal to 100"},
		{"gte", "0", true, "must be greater than or equal to 0"},
		{"min", "0", true, "must be greater than or equal to 0"},
		{"lt", "5", true, "must be less than 5"},
		{"gt", "5", true, "must be greater than 5"},
		{"eq", "5", true, "must be equal to 5"},
		{"len", "5", true, "must be equal to 5"},
		{"ne", "5", true, "must be other than 5"},
		{"lte", "255", false, "is too long (maximum is 255 characters)"},
		{"max", "255", false, "is too long (maximum is 255 characters)"},
		{"lt", "255", false, "is too long (must be shorter than 255 characters)"},
		{"gte", "3", false, "is too short (minimum is 3 characters)"},
		{"min", "3", false, "is too short (minimum is 3 characters)"},
		{"gt", "3", false, "is too short (must be longer than 3 characters)"},
		{"len", "8", false, "is the wrong length (should be 8 characters)"},
		{"required", "", false, "can't be blank"},
		{"required_if", "Status Closed", false, "can't be blank"},
		{"oneof", "a b", false, "is not set to one of the allowed values"},
		{"email", "", false, "is invalid"},
		{"lte", "", true, "is invalid"},
		{"iso3166_1_alpha2", "x", false, "is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"="+tt.param, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ruleText(tt.rule, tt.param, tt.number)); diff != "" {
				t.Errorf("ruleText mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSentence(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Subject is too short", "Subject is too short."},
		{"Done.", "Done."},
		{"Really?", "Really?"},
		{"  padded  ", "padded."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := sentence(tt.in); got != tt.want {
			t.Errorf("sentence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
