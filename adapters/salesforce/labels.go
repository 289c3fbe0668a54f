package salesforce

// labels gives, for a labelKey, the label of each status: new, pending,
// successful, failed. Keys missing here are shown as the key itself, with
// "Pending", "Successful" or "Failed" appended for the other statuses.
var labels = map[string][4]string{
	"Accept":   {"Accept", "Acceptance Pending", "Accepted", "Acceptance Failed"},
	"Approve":  {"Approve", "Approval Pending", "Approved", "Approval Failed"},
	"Cancel":   {"Cancel", "Cancellation Pending", "Canceled", "Cancellation Failed"},
	"Confirm":  {"Confirm", "Confirmation Pending", "Confirmed", "Confirmation Failed"},
	"Decline":  {"Decline", "Decline Pending", "Declined", "Decline Failed"},
	"Download": {"Download", "Download Pending", "Downloaded", "Download Failed"},
	"Join":     {"Join", "Join Pending", "Joined", "Join Failed"},
	"Reject":   {"Reject", "Rejection Pending", "Rejected", "Rejection Failed"},
	"View":     {"View", "View Pending", "Viewed", "View Failed"},
}

// label returns the text shown for a link with labelKey in status.
func label(key, status string) string {
	set, ok := labels[key]
	if !ok {
		set = [4]string{key, key + " Pending", key + " Successful", key + " Failed"}
	}
	switch status {
	case StatusPending:
		return set[1]
	case StatusSuccessful:
		return set[2]
	case StatusFailed:
		return set[3]
	}
	return set[0]
}
