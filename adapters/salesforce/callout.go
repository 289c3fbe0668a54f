package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

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

	// The request comes from the definition and may hold credentials; it
	// is kept apart from the answer (see diagnostic).
	var sent, got strings.Builder
	method := methods[l.Method]
	target := rep.Replace(l.ActionURL)
	payload := rep.Replace(l.RequestBody)
	fmt.Fprintf(&sent, "request: %s %s\n", method, target)
	var body io.Reader
	if payload != "" {
		body = strings.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		err = withoutURL(err)
		fmt.Fprintf(&got, "error: %v\n", err)
		h.diagnose(in.Execution.ID, sent.String(), got.String())
		return fmt.Errorf("callout not sent: %w", err)
	}
	for _, hd := range l.Headers {
		v := rep.Replace(hd.Value)
		req.Header.Add(hd.Name, v)
		fmt.Fprintf(&sent, "request header: %s: %s\n", hd.Name, v)
	}
	if payload != "" {
		fmt.Fprintf(&sent, "request body: %s\n", payload)
	}
	err = h.send(req, &got)
	h.diagnose(in.Execution.ID, sent.String(), got.String())
	if err != nil {
		return err
	}
	if l.ActionType == TypeAPIAsync {
		return fmt.Errorf("%w: the provider PATCHes the terminal status", actions.ErrPending)
	}
	return nil
}

// send makes the callout and writes its answer to d. Its errors do not
// name the URL, which may hold credentials.
func (h *Handler) send(req *http.Request, d *strings.Builder) error {
	resp, err := h.client.Do(req)
	if err != nil {
		err = withoutURL(err)
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

// withoutURL returns the cause of a *url.Error, whose message quotes the
// URL: it may hold credentials, and the errors of a callout are shown to
// users who may not read the definition.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// diagnostics keeps what each callout sent and received, by execution id.
type diagnostics struct {
	mu   sync.Mutex
	byID map[string]diagnostic
}

// diagnostic is what one callout sent (its request, from the definition)
// and received (the answer or the error).
type diagnostic struct{ sent, received string }

func (h *Handler) diagnose(execID, sent, received string) {
	h.diag.mu.Lock()
	defer h.diag.mu.Unlock()
	h.diag.byID[execID] = diagnostic{sent, received}
}

func (h *Handler) diagnostic(execID string) (diagnostic, bool) {
	h.diag.mu.Lock()
	defer h.diag.mu.Unlock()
	d, ok := h.diag.byID[execID]
	return d, ok
}

func (h *Handler) forget(execIDs []string) {
	h.diag.mu.Lock()
	defer h.diag.mu.Unlock()
	for _, id := range execIDs {
		delete(h.diag.byID, id)
	}
}

// defaultClient makes the callouts when Config.Client is nil: it connects
// to public addresses only (see publicOnly), directly rather than through
// a proxy of the environment (the proxy would connect on its behalf), and
// gives up after timeout.
func defaultClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: publicOnly}).DialContext
	return &http.Client{Transport: t, Timeout: timeout}
}

// sharedAddresses is the shared address space of carrier-grade NAT
// (RFC 6598), where some clouds serve instance metadata.
var sharedAddresses = netip.MustParsePrefix("100.64.0.0/10")

// publicOnly refuses a connection to an address that is not public
// unicast: loopback, private (RFC 1918, fc00::/7), shared (100.64.0.0/10),
// link-local (169.254.169.254, the metadata service of most clouds, among
// them), multicast or unspecified. It runs after name resolution, for
// every connection, redirects included, so a name that resolves to such an
// address is refused too.
func publicOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	ip := ap.Addr().Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || sharedAddresses.Contains(ip) {
		return fmt.Errorf("callouts to %s are not allowed: not a public address", ip)
	}
	return nil
}
