package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/salesforce"
)

// sfBasePath is where the salesforce adapter is mounted, as Salesforce
// serves the Connect REST API.
const sfBasePath = "/services/data/v62.0"

// sfCalloutTimeout bounds every callout of the demo links; -write-timeout
// must be longer.
const sfCalloutTimeout = 5 * time.Second

// sfOrgID is the demo org's id, the value of {!orgId}.
const sfOrgID = "00D000000000001AAA"

// sfUser is a demo user and the bearer token that authenticates them.
type sfUser struct {
	Token string `json:"token"`
	ID    string `json:"id"`
	Name  string `json:"name"`
}

// sfGroup is a pre-created group: the adapter's NewGroup plus its lifetime,
// since an expirationDate must be at most a year ahead of start-up.
type sfGroup struct {
	salesforce.NewGroup
	ExpiresInDays int `json:"expiresInDays"`
}

// mountSalesforce mounts the salesforce adapter under /services/data/v62.0,
// over in-memory stores it returns, with the users and groups of
// dir/salesforce, and the callout targets its demo links call:
// /demo/callouts/approve (200) and /demo/callouts/fail (500).
//
// The links reach those targets through {!communityUrl}, which the server
// sets, per request, to the local address the request's connection was
// accepted on (http.LocalAddrContextKey): the server's own listening
// address, whatever -addr is, and never a host the client names. Since any
// demo user may POST a definition with any actionUrl, the callouts connect
// to those addresses and to the hosts of allow (-callout-allow), and
// nowhere else (see sfSelf). The demo speaks plain HTTP, so http:// action
// URLs are accepted for the same hosts (Salesforce accepts https:// only).
func mountSalesforce(ctx context.Context, mux *http.ServeMux, dir string, allow allowList, st *storage) (*salesforce.Handler, salesforce.Stores, error) {
	dir = filepath.Join(dir, "salesforce")
	var users []sfUser
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return nil, salesforce.Stores{}, err
	}
	var groups []sfGroup
	if err := readJSON(filepath.Join(dir, "groups.json"), &groups); err != nil {
		return nil, salesforce.Stores{}, err
	}
	self := &sfSelf{allow: allow}
	stores, err := salesforceStores(ctx, st)
	if err != nil {
		return nil, salesforce.Stores{}, err
	}
	h, err := salesforce.New(salesforce.Config{
		Stores:         stores,
		Authenticate:   sfAuthenticate(users),
		BasePath:       sfBasePath,
		Client:         self.client(),
		CalloutTimeout: sfCalloutTimeout,
		Variables: func(r *http.Request) salesforce.Variables {
			return salesforce.Variables{OrgID: sfOrgID, CommunityURL: self.url(r)}
		},
		AllowHTTP:   self.allowsURL,
		UserSummary: sfUserSummary(users),
	})
	if err != nil {
		return nil, salesforce.Stores{}, err
	}
	now := time.Now()
	for _, g := range groups {
		g.Input.ExpirationDate = now.AddDate(0, 0, g.ExpiresInDays).UTC().Format(time.RFC3339)
		// A group the stores hold already (a restart on PostgreSQL) is kept
		// as it is, with its links and their executions.
		if _, err := h.CreateGroup(ctx, g.NewGroup); err != nil && !errors.Is(err, actions.ErrConflict) {
			return nil, salesforce.Stores{}, fmt.Errorf("group %s: %w", g.ID, err)
		}
	}
	strip := http.StripPrefix(sfBasePath, h)
	mux.Handle(sfBasePath+"/", strip)
	// The same handler for the links, the hot endpoint, matched exactly:
	// a path the prefix alone matches costs the mux a second lookup, for
	// a trailing-slash redirect that never applies here.
	mux.Handle(sfBasePath+"/connect/action-links/{id}", strip)
	mux.HandleFunc("/demo/callouts/approve", sfCallout(http.StatusOK, `{"approved":true}`))
	mux.HandleFunc("/demo/callouts/fail", sfCallout(http.StatusInternalServerError, `{"error":"the demo provider always fails"}`))
	return h, stores, nil
}

// sfUserSummary is what the Platform Actions show of a demo user who
// executed a link: the name of users.json (the demo knows nothing more).
func sfUserSummary(users []sfUser) func(context.Context, string) (salesforce.UserSummary, error) {
	return func(_ context.Context, id string) (salesforce.UserSummary, error) {
		for _, u := range users {
			if u.ID == id {
				active, internal := true, "Internal"
				return salesforce.UserSummary{Name: &u.Name, DisplayName: &u.Name, IsActive: &active, UserType: &internal}, nil
			}
		}
		return salesforce.UserSummary{}, actions.ErrNotFound
	}
}

// sfAuthenticate maps the bearer tokens of users to their Salesforce ids.
func sfAuthenticate(users []sfUser) func(*http.Request) (actions.Actor, error) {
	return func(r *http.Request) (actions.Actor, error) {
		token, err := salesforce.BearerToken(r)
		if err != nil {
			return actions.Actor{}, err
		}
		for _, u := range users {
			if subtle.ConstantTimeCompare([]byte(u.Token), []byte(token)) == 1 {
				return actions.Actor{ID: u.ID, Name: u.Name}, nil
			}
		}
		return actions.Actor{}, salesforce.ErrBadCredentials
	}
}

// sfSelf is where the callouts may connect: the server's own addresses
// (those it accepted a request on), which the demo links call, and the
// hosts of -callout-allow.
type sfSelf struct {
	addrs sync.Map // netip.AddrPort → true
	allow allowList
	// last is the TCP address of a recent request, recorded in addrs, and
	// its URL: every request of a server listening on one address is
	// served from it, without allocating or writing to addrs.
	last atomic.Pointer[sfAddr]
}

// sfAddr is a local TCP address requests came in on, and the URL of
// sfSelf.url for it.
type sfAddr struct {
	ap  netip.AddrPort // as the connection's net.TCPAddr has it
	tls bool
	url string
}

// url is the base URL of the server's own address for r's connection, or
// "" when r did not come through a listener (then the callouts fail).
func (s *sfSelf) url(r *http.Request) string {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return ""
	}
	tcp, isTCP := addr.(*net.TCPAddr)
	var ap netip.AddrPort
	if isTCP {
		// The same AddrPort is the same IP (its length included), zone and
		// port, so the same addr.String().
		ap = tcp.AddrPort()
		if last := s.last.Load(); last != nil && last.ap == ap && last.tls == (r.TLS != nil) {
			return last.url
		}
		s.addrs.Store(netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := scheme + "://" + addr.String()
	if isTCP {
		s.last.Store(&sfAddr{ap: ap, tls: r.TLS != nil, url: u})
	}
	return u
}

// allows reports whether a callout may connect to ap.
func (s *sfSelf) allows(ap netip.AddrPort) bool {
	_, self := s.addrs.Load(ap)
	return self || s.allow.allows(ap)
}

// allowsURL reports whether the demo accepts the http:// action URL u: one
// whose host, a name resolved or an address, is one the callouts may
// connect to, on any port. Which port is checked when connecting: a link to
// another service of the same machine is accepted and its callout fails.
func (s *sfSelf) allowsURL(ctx context.Context, u *url.URL) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := lookup(ctx, u.Hostname())
	if err != nil {
		return false
	}
	for _, ip := range ips {
		if s.allow.allowsHost(ip) {
			return true
		}
		self := false
		s.addrs.Range(func(k, _ any) bool {
			self = k.(netip.AddrPort).Addr() == ip
			return !self
		})
		if self {
			return true
		}
	}
	return false
}

// client makes callouts that connect only to the server's own addresses
// and to the hosts of -callout-allow, directly (no proxy), redirects
// included. A name in a URL is resolved, and the connection goes to one of
// its addresses that is allowed, never to the name again (whose next
// answer could differ).
func (s *sfSelf) client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, p, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		port, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", p, err)
		}
		ips, err := lookup(ctx, host)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		var last error
		for _, ip := range ips {
			ap := netip.AddrPortFrom(ip, uint16(port))
			if !s.allows(ap) {
				continue
			}
			c, err := d.DialContext(ctx, network, ap.String())
			if err == nil {
				return c, nil
			}
			last = err
		}
		if last != nil {
			return nil, last
		}
		return nil, fmt.Errorf("the demo server calls out only to itself and to the hosts of -callout-allow, not to %s", addr)
	}
	return &http.Client{Transport: t}
}

// lookup returns the addresses of host, an IP address or a name, IPv4
// ones unmapped.
func lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	for i, ip := range ips {
		ips[i] = ip.Unmap()
	}
	return ips, nil
}

// allowList is the value of -callout-allow: the hosts the Salesforce
// demo's callouts may reach besides the server itself.
type allowList []allowed

// allowed is one host of an allowList: its addresses, and the one port
// allowed (0: any port).
type allowed struct {
	addrs []netip.Addr
	port  uint16
}

// allowsHost reports whether l allows some port of ip.
func (l allowList) allowsHost(ip netip.Addr) bool {
	return slices.ContainsFunc(l, func(a allowed) bool { return slices.Contains(a.addrs, ip) })
}

func (l allowList) allows(ap netip.AddrPort) bool {
	for _, a := range l {
		if (a.port == 0 || a.port == ap.Port()) && slices.Contains(a.addrs, ap.Addr()) {
			return true
		}
	}
	return false
}

// parseAllowList reads a comma-separated list of hosts or host:port pairs:
// "localhost:3000,192.0.2.7,[::1]:8443". A host is an IP address or a
// name, resolved here, once, to every address it has then; a host without
// a port allows all its ports. "" is the empty list.
func parseAllowList(ctx context.Context, s string) (allowList, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	type entry struct {
		host string
		port uint16
	}
	var entries []entry
	for e := range strings.SplitSeq(s, ",") {
		host, port, err := splitAllowed(strings.TrimSpace(e))
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{host, port})
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	l := make(allowList, len(entries))
	for i, e := range entries {
		addrs, err := lookup(ctx, e.host)
		if err != nil {
			return nil, fmt.Errorf("host %q: %w", e.host, err)
		}
		l[i] = allowed{addrs: addrs, port: e.port}
	}
	return l, nil
}

// splitAllowed splits one entry of -callout-allow into its host and port
// (0 when it has none).
func splitAllowed(entry string) (host string, port uint16, err error) {
	bad := func(why string) (string, uint16, error) {
		return "", 0, fmt.Errorf("%q is not a host or host:port: %s", entry, why)
	}
	switch {
	case entry == "":
		return bad("empty entry")
	case strings.Contains(entry, "/"):
		return bad("name the host, not a URL or a path")
	case strings.HasPrefix(entry, "[") && strings.HasSuffix(entry, "]"): // [::1]
		host = entry[1 : len(entry)-1]
	case strings.Count(entry, ":") > 1 && !strings.HasPrefix(entry, "["): // ::1
		host = entry
	case strings.Contains(entry, ":"):
		h, p, err := net.SplitHostPort(entry)
		if err != nil {
			var ae *net.AddrError
			if errors.As(err, &ae) {
				return bad(ae.Err)
			}
			return bad(err.Error())
		}
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return bad("the port must be a number from 1 to 65535")
		}
		host, port = h, uint16(n)
	default:
		host = entry
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return bad("an address with a zone")
		}
		return ip.Unmap().String(), port, nil
	}
	if !validHostname(host) {
		return bad("not an IP address or a host name")
	}
	return host, port, nil
}

// validHostname reports whether name is made of dot-separated labels of
// letters, digits, hyphens and underscores, none empty or starting or
// ending with a hyphen.
func validHostname(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// sfCallout is a demo provider answering every callout with status and
// body.
func sfCallout(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}
