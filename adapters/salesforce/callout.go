package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
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

// defaultCommunityID is {!communityId} in the internal org, "the empty
// key", as Salesforce documents it (Action Link Definition Input).
const defaultCommunityID = "000000000000000000"

// inputs are v as the inputs of an execution, which records them.
func (v Variables) inputs() actions.Inputs {
	in := actions.Inputs{}
	for name, val := range map[string]string{inputOrgID: v.OrgID, inputCommunityID: v.CommunityID, inputCommunityURL: v.CommunityURL} {
		if val != "" {
			in[name] = val
		}
	}
	return in
}

// recordedVariables returns the context variables an execution recorded.
func recordedVariables(rec *actions.Execution) Variables {
	get := func(name string) string {
		s, _ := rec.Inputs[name].(string)
		return s
	}
	v := Variables{OrgID: get(inputOrgID), CommunityID: get(inputCommunityID), CommunityURL: get(inputCommunityURL)}
	if v.CommunityID == "" {
		v.CommunityID = defaultCommunityID
	}
	return v
}

// replacer substitutes the context variables of link l executed by user.
func replacer(l *Link, user string, v Variables) *strings.Replacer {
	return strings.NewReplacer(
		"{!actionLinkId}", l.ID,
		"{!actionLinkGroupId}", l.GroupID,
		"{!communityId}", v.CommunityID,
		"{!communityUrl}", v.CommunityURL,
		"{!orgId}", v.OrgID,
		"{!userId}", user,
	)
}

// calloutRequest is the request the callout of link l executed by user
// sends, its context variables substituted.
type calloutRequest struct {
	method, url, body string
	headers           []RequestHeader
}

func newCalloutRequest(l *Link, user string, v Variables) calloutRequest {
	rep := replacer(l, user, v)
	c := calloutRequest{method: methods[l.Method], url: rep.Replace(l.ActionURL), body: rep.Replace(l.RequestBody)}
	for _, hd := range l.Headers {
		c.headers = append(c.headers, RequestHeader{Name: hd.Name, Value: rep.Replace(hd.Value)})
	}
	return c
}

// String is the request as diagnostic-info shows it to the definition's
// creator: its URL, headers and body may hold credentials.
func (c calloutRequest) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request: %s %s\n", c.method, c.url)
	for _, hd := range c.headers {
		fmt.Fprintf(&b, "request header: %s: %s\n", hd.Name, hd.Value)
	}
	if c.body != "" {
		fmt.Fprintf(&b, "request body: %s\n", c.body)
	}
	return b.String()
}

// maxDiagnosticBody bounds how much of a callout's answer diagnostic-info
// keeps.
const maxDiagnosticBody = 2048

// maxAnswerJSON bounds what an execution record keeps of a callout's
// answer (the status line, at most maxDiagnosticBody of the body, or the
// error), as JSON: within the engine's default limit of an execution's
// inputs, actions.DefaultInputsLimit.
const maxAnswerJSON = 12 << 10

// callout is the effect of executing an action link. An Api link's callout
// succeeds on a 2xx answer and fails otherwise (or on a network error or
// timeout). An ApiAsync link's callout leaves the execution pending
// (actions.ErrPending) until the provider PATCHes the terminal status, unless
// it fails. Ui and Download links make no callout: the execution stays
// pending until the app PATCHes the terminal status.
//
// The request is made from the link and the context variables the execution
// recorded; what the callout received is recorded as an execution of
// actionAnswer on the same link (see answerOf).
func (h *Handler) callout(ctx context.Context, in actions.EffectInput[Link]) error {
	l := &in.After
	if l.ActionType != TypeAPI && l.ActionType != TypeAPIAsync {
		return fmt.Errorf("%w: a %s action link is completed by the app", actions.ErrPending, l.ActionType)
	}
	creq := newCalloutRequest(l, in.Actor.ID, recordedVariables(&in.Execution))
	// The callout outlives neither its timeout nor the server, but does
	// outlive a client that hangs up: its result must be recorded.
	keep := context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(keep, h.timeout)
	defer cancel()
	var got strings.Builder
	err := h.send(cctx, creq, &got)
	answer := fitJSON(got.String(), maxAnswerJSON)
	// An answer that cannot be recorded (the link deleted meanwhile, the
	// store failing) leaves diagnostic-info without it; the execution's
	// own outcome is what matters.
	_ = h.recordAnswer(keep, l.ID, in.Actor, in.Execution.ID, answer)
	if err != nil {
		return err
	}
	if l.ActionType == TypeAPIAsync {
		return fmt.Errorf("%w: the provider PATCHes the terminal status", actions.ErrPending)
	}
	return nil
}

// send makes the callout c and writes what it received to d. Its errors do
// not name the URL, which may hold credentials.
func (h *Handler) send(ctx context.Context, c calloutRequest, d *strings.Builder) error {
	if why := h.checkURL(ctx, c.url, true); why != "" {
		fmt.Fprintf(d, "error: the actionUrl with its context variables filled in %s\n", why)
		return fmt.Errorf("callout not sent: the actionUrl with its context variables filled in %s", why)
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		err = withoutURL(err)
		fmt.Fprintf(d, "error: %v\n", err)
		return fmt.Errorf("callout not sent: %w", err)
	}
	for _, hd := range c.headers {
		req.Header.Add(hd.Name, hd.Value)
	}
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

// fitJSON returns s, or as much of it as fits in max bytes encoded as a
// JSON string, followed by "...".
func fitJSON(s string, max int) string {
	size := func(s string) int {
		b, _ := json.Marshal(s)
		return len(b)
	}
	if size(s) <= max {
		return s
	}
	for n := len(s) * max / size(s); n > 0; n = n * 3 / 4 {
		if cut := strings.ToValidUTF8(s[:n], "") + "...\n"; size(cut) <= max {
			return cut
		}
	}
	return ""
}

// maxAnswerAttempts bounds the attempts to record a callout's answer while
// the link keeps changing: not Config.MaxRetries, which is the client's
// wait, while this is the record of what the callout did.
const maxAnswerAttempts = 8

// recordAnswer records answer, what the callout of execution execID
// received, as an execution of actionAnswer on the link id by actor,
// retried when the link changes meanwhile.
func (h *Handler) recordAnswer(ctx context.Context, id string, actor actions.Actor, execID, answer string) error {
	for range maxAnswerAttempts {
		_, version, err := h.engine.Load(ctx, id)
		if err != nil {
			return err
		}
		_, err = h.engine.Execute(ctx, actions.Request{
			ActionID: actionAnswer, ObjectID: id, Version: version, Actor: actor,
			Inputs: actions.Inputs{inputExecution: execID, inputAnswer: answer},
		})
		if !errors.Is(err, actions.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: action link %s changed %d times while its callout's answer was recorded", actions.ErrConflict, id, maxAnswerAttempts)
}

// answerOf returns what the callout of rec received, or "" when it made
// none (or its answer was not recorded).
func (h *Handler) answerOf(ctx context.Context, rec *actions.Execution) (string, error) {
	recs, err := h.engine.Executions(ctx, actions.Filter{ActionID: actionAnswer, ObjectID: rec.ObjectID, ActorID: rec.ActorID, After: rec.Seq})
	if err != nil {
		return "", err
	}
	for _, a := range recs {
		if a.Inputs[inputExecution] == rec.ID {
			s, _ := a.Inputs[inputAnswer].(string)
			return s, nil
		}
	}
	return "", nil
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

// notPublic are the prefixes that netip's classification calls global
// unicast but that do not reach a public host: the shared address space of
// carrier-grade NAT (RFC 6598), where some clouds serve instance metadata;
// "this network" (RFC 791), which Linux connects to the local host; and
// IPv6 prefixes that embed an IPv4 address, which a NAT64 gateway (RFC
// 6052) or an old stack (IPv4-compatible, RFC 4291) turns into a
// connection to that address, a private one included.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("::/96"),
}

// publicOnly refuses a connection to an address that is not public
// unicast: loopback, private (RFC 1918, fc00::/7), link-local
// (169.254.169.254, the metadata service of most clouds, among them),
// multicast, unspecified, or in one of notPublic. It runs after name
// resolution, for every connection, redirects included, so a name that
// resolves to such an address is refused too.
func publicOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	ip := ap.Addr().Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || slices.ContainsFunc(notPublic, func(p netip.Prefix) bool { return p.Contains(ip) }) {
		return fmt.Errorf("callouts to %s are not allowed: not a public address", ip)
	}
	return nil
}
