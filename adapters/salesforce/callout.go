package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/actionable-go/actionable/actions"
)

// Variables are the values of the context variables {!orgId},
// {!communityId} and {!communityUrl} for one request (see
// Config.Variables). {!actionLinkId}, {!actionLinkGroupId} and {!userId}
// come from the link and the authenticated user.
type Variables struct {
	OrgID        string
	CommunityID  string
	CommunityURL string
}

type variablesKey struct{}

// replacer substitutes the context variables of link l executed by user.
func replacer(l *link, user string, v Variables) *strings.Replacer {
	return strings.NewReplacer(
		"{!actionLinkId}", l.ID,
		"{!actionLinkGroupId}", l.GroupID,
		"{!communityId}", v.CommunityID,
		"{!communityUrl}", v.CommunityURL,
		"{!orgId}", v.OrgID,
		"{!userId}", user,
	)
}

// maxDiagnosticBody bounds how much of a callout's answer diagnostic-info
// keeps.
const maxDiagnosticBody = 2048

// callout is the effect of executing an action link. An Api link's callout
// succeeds on a 2xx answer and fails otherwise (or on a network error or
// timeout). An ApiAsync link's callout leaves the execution pending
// (actions.ErrPending) until the provider PATCHes the terminal status, unless
// it fails. Ui and Download links make no callout: the execution stays
// pending until the app PATCHes the terminal status.
func (h *Handler) callout(ctx context.Context, in actions.EffectInput[link]) error {
	l := &in.After
	if l.ActionType != TypeAPI && l.ActionType != TypeAPIAsync {
		return fmt.Errorf("%w: a %s action link is completed by the app", actions.ErrPending, l.ActionType)
	}
	vars, _ := ctx.Value(variablesKey{}).(Variables)
	rep := replacer(l, in.Actor.ID, vars)
	// The callout outlives neither its timeout nor the server, but does
	// outlive a client that hangs up: its result must be recorded.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
	defer cancel()

	var d strings.Builder
	method := methods[l.Method]
	target := rep.Replace(l.ActionURL)
	payload := rep.Replace(l.RequestBody)
	fmt.Fprintf(&d, "request: %s %s\n", method, target)
	var body io.Reader
	if payload != "" {
		body = strings.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		fmt.Fprintf(&d, "error: %v\n", err)
		h.diagnose(in.Execution.ID, d.String())
		return fmt.Errorf("callout not sent: %w", err)
	}
	for _, hd := range l.Headers {
		v := rep.Replace(hd.Value)
		req.Header.Add(hd.Name, v)
		fmt.Fprintf(&d, "request header: %s: %s\n", hd.Name, v)
	}
	if payload != "" {
		fmt.Fprintf(&d, "request body: %s\n", payload)
	}
	err = h.send(req, &d)
	h.diagnose(in.Execution.ID, d.String())
	if err != nil {
		return err
	}
	if l.ActionType == TypeAPIAsync {
		return fmt.Errorf("%w: the provider PATCHes the terminal status", actions.ErrPending)
	}
	return nil
}

// send makes the callout and writes its answer to d.
func (h *Handler) send(req *http.Request, d *strings.Builder) error {
	resp, err := h.client.Do(req)
	if err != nil {
		fmt.Fprintf(d, "error: %v\n", err)
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("callout timed out after %v: %w", h.timeout, err)
		}
		return fmt.Errorf("callout failed: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxDiagnosticBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	fmt.Fprintf(d, "response: %s\n", resp.Status)
	if len(b) > 0 {
		fmt.Fprintf(d, "response body: %s\n", strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("callout answered %s", resp.Status)
	}
	return nil
}

// diagnostics keeps what each callout sent and received, by execution id.
type diagnostics struct {
	mu   sync.Mutex
	byID map[string]string
}

func (h *Handler) diagnose(execID, text string) {
	h.diag.mu.Lock()
	defer h.diag.mu.Unlock()
	h.diag.byID[execID] = text
}

func (h *Handler) diagnostic(execID string) (string, bool) {
	h.diag.mu.Lock()
	defer h.diag.mu.Unlock()
	s, ok := h.diag.byID[execID]
	return s, ok
}

func (h *Handler) forget(execIDs []string) {
	h.diag.mu.Lock()
	defer h.diag.mu.Unlock()
	for _, id := range execIDs {
		delete(h.diag.byID, id)
	}
}
