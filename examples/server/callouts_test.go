package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCalloutAllow runs the server with and without -callout-allow and
// makes a demo-style callout (an Api link a user POSTs, then PATCHes to
// PendingStatus) to a provider on 127.0.0.1: it reaches the provider only
// when the flag allows its address and port.
func TestCalloutAllow(t *testing.T) {
	var hits, strays atomic.Int64
	stray := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { strays.Add(1) }))
	defer stray.Close()
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, stray.URL+"/admin", http.StatusFound)
			return
		}
		hits.Add(1)
		_, _ = io.WriteString(w, `{"approved":true}`)
	}))
	defer provider.Close()
	port := provider.Listener.Addr().(*net.TCPAddr).Port
	p := strconv.Itoa(port)
	localhost := localhostIsLoopback(t)

	tests := []struct {
		name      string
		allow     string // the flag's value; "" leaves it out
		actionURL string
		want      string // the link's status and label after the PATCH
		wantHits  int64
		needsName bool // localhost must resolve to 127.0.0.1
	}{
		{"no flag", "", "http://127.0.0.1:" + p + "/approve", "FailedStatus Approval Failed", 0, false},
		{"the address and port", "127.0.0.1:" + p, "http://127.0.0.1:" + p + "/approve", "SuccessfulStatus Approved", 1, false},
		{"the address, any port", "127.0.0.1", "http://127.0.0.1:" + p + "/approve", "SuccessfulStatus Approved", 1, false},
		{"among others", "192.0.2.1:" + p + ", [::1]:" + p + ",127.0.0.1:" + p, "http://127.0.0.1:" + p + "/approve", "SuccessfulStatus Approved", 1, false},
		{"another port", "127.0.0.1:" + strconv.Itoa(port^1), "http://127.0.0.1:" + p + "/approve", "FailedStatus Approval Failed", 0, false},
		{"another address", "192.0.2.1", "http://127.0.0.1:" + p + "/approve", "FailedStatus Approval Failed", 0, false},
		{"the name allowed, the address called", "localhost:" + p, "http://127.0.0.1:" + p + "/approve", "SuccessfulStatus Approved", 1, true},
		{"the address allowed, the name called", "127.0.0.1:" + p, "http://localhost:" + p + "/approve", "SuccessfulStatus Approved", 1, true},
		{"a redirect to a host not allowed", "127.0.0.1:" + p, "http://127.0.0.1:" + p + "/redirect", "FailedStatus Approval Failed", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needsName && !localhost {
				t.Skip("localhost does not resolve to 127.0.0.1 here")
			}
			var args []string
			if tt.allow != "" {
				args = []string{"-callout-allow", tt.allow}
			}
			srv := startRun(t, args...)
			before := hits.Load()
			if got := sfCallOnce(t, "http://"+srv.addr, tt.actionURL); got != tt.want {
				t.Errorf("the link is %q, want %q", got, tt.want)
			}
			if n := hits.Load() - before; n != tt.wantHits {
				t.Errorf("the provider got %d callouts, want %d", n, tt.wantHits)
			}
		})
	}
	if n := strays.Load(); n != 0 {
		t.Errorf("the host that is never allowed got %d requests", n)
	}
}

// localhostIsLoopback reports whether localhost resolves to 127.0.0.1.
func localhostIsLoopback(t *testing.T) bool {
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", "localhost")
	if err != nil {
		t.Logf("localhost: %v", err)
	}
	for _, ip := range ips {
		if ip.Unmap() == netip.MustParseAddr("127.0.0.1") {
			return true
		}
	}
	return false
}

// sfCallOnce makes Bob POST a Once group whose Api link calls actionURL,
// PATCH it to PendingStatus on the server at base, and returns the status
// and label the PATCH answers.
func sfCallOnce(t *testing.T, base, actionURL string) string {
	t.Helper()
	do := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer sf-bob")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, b := do("POST", sfBasePath+"/connect/action-link-group-definitions", `{"category":"Primary","executionsAllowed":"Once",
		"expirationDate":"`+time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)+`",
		"actionLinks":[{"actionType":"Api","actionUrl":"`+actionURL+`","method":"HttpPost","labelKey":"Approve","requiresConfirmation":false}]}`)
	var g struct {
		ActionLinks []struct{ ID string } `json:"actionLinks"`
	}
	if err := json.Unmarshal(b, &g); err != nil || code != http.StatusCreated || len(g.ActionLinks) != 1 {
		t.Fatalf("POST: %d %s", code, b)
	}
	code, b = do("PATCH", sfBasePath+"/connect/action-links/"+g.ActionLinks[0].ID+"?status=PendingStatus", "")
	if code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	return sfSummary(b)
}

// TestParseAllowList reads the values -callout-allow takes, and refuses
// the others with a message that quotes the entry.
func TestParseAllowList(t *testing.T) {
	addrs := func(s ...string) []netip.Addr {
		var a []netip.Addr
		for _, s := range s {
			a = append(a, netip.MustParseAddr(s))
		}
		return a
	}
	valid := []struct {
		in   string
		want allowList
	}{
		{"", nil},
		{" ", nil},
		{"127.0.0.1", allowList{{addrs("127.0.0.1"), 0}}},
		{"127.0.0.1:3000", allowList{{addrs("127.0.0.1"), 3000}}},
		{"::1", allowList{{addrs("::1"), 0}}},
		{"[::1]", allowList{{addrs("::1"), 0}}},
		{"[::1]:8443", allowList{{addrs("::1"), 8443}}},
		{"[::ffff:10.0.0.1]:80", allowList{{addrs("10.0.0.1"), 80}}},
		{"192.0.2.7:65535, 198.51.100.1", allowList{{addrs("192.0.2.7"), 65535}, {addrs("198.51.100.1"), 0}}},
	}
	for _, tt := range valid {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseAllowList(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(allowed{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	invalid := []struct{ in, entry string }{
		{"127.0.0.1,,::1", ""},
		{"127.0.0.1,", ""},
		{"http://localhost:3000", "http://localhost:3000"},
		{"localhost/admin", "localhost/admin"},
		{"localhost:0", "localhost:0"},
		{"localhost:65536", "localhost:65536"},
		{"localhost:http", "localhost:http"},
		{"localhost:", "localhost:"},
		{"[::1]:", "[::1]:"},
		{"[::1", "[::1"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"1:2:3", "1:2:3"},
		{"-localhost", "-localhost"},
		{"local host", "local host"},
		{"user@localhost", "user@localhost"},
	}
	for _, tt := range invalid {
		t.Run(tt.in, func(t *testing.T) {
			_, err := parseAllowList(context.Background(), tt.in)
			if err == nil || !strings.HasPrefix(err.Error(), strconv.Quote(tt.entry)+" is not a host or host:port: ") {
				t.Errorf("got %v, want an error about %q", err, tt.entry)
			}
		})
	}
}

// TestAllowListNames: a name is resolved once, and allows every address it
// had then, at its port or any.
func TestAllowListNames(t *testing.T) {
	if !localhostIsLoopback(t) {
		t.Skip("localhost does not resolve to 127.0.0.1 here")
	}
	l, err := parseAllowList(context.Background(), "localhost:3000")
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 1 || !slices.Contains(l[0].addrs, netip.MustParseAddr("127.0.0.1")) {
		t.Fatalf("localhost:3000 is %v", l)
	}
	for ap, want := range map[string]bool{"127.0.0.1:3000": true, "127.0.0.1:3001": false, "192.0.2.1:3000": false} {
		if got := l.allows(netip.MustParseAddrPort(ap)); got != want {
			t.Errorf("allows(%s) = %v, want %v", ap, got, want)
		}
	}
}

// TestSelfURL checks sfSelf.url, which remembers the last address: each
// request gets the URL of its own local address and scheme, and every
// address a request came in on is one the callouts may connect to.
func TestSelfURL(t *testing.T) {
	var s sfSelf
	on := func(addr net.Addr, secure bool) string {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if addr != nil {
			r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, addr))
		}
		if !secure {
			r.TLS = nil
		} else if r.TLS == nil {
			r.TLS = new(tls.ConnectionState)
		}
		return s.url(r)
	}
	v4 := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	v4short := &net.TCPAddr{IP: net.IP{127, 0, 0, 1}, Port: 8080}
	v6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 8443}
	other := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090}
	unix := &net.UnixAddr{Name: "/tmp/sock", Net: "unix"}
	for _, c := range []struct {
		addr net.Addr
		tls  bool
		want string
	}{
		{nil, false, ""},
		{v4, false, "http://127.0.0.1:8080"},
		{v4, false, "http://127.0.0.1:8080"},
		{v4, true, "https://127.0.0.1:8080"},
		{v4, false, "http://127.0.0.1:8080"},
		{v4short, false, "http://127.0.0.1:8080"},
		{other, false, "http://127.0.0.1:9090"},
		{v4, false, "http://127.0.0.1:8080"},
		{v6, false, "http://[::1]:8443"},
		{unix, false, "http:///tmp/sock"},
		{v6, true, "https://[::1]:8443"},
		{v4, false, "http://127.0.0.1:8080"},
	} {
		if got := on(c.addr, c.tls); got != c.want {
			t.Errorf("url on %v (TLS %v) = %q, want %q", c.addr, c.tls, got, c.want)
		}
	}
	for _, ap := range []string{"127.0.0.1:8080", "127.0.0.1:9090", "[::1]:8443"} {
		if !s.allows(netip.MustParseAddrPort(ap)) {
			t.Errorf("a request came in on %s, whose callouts are refused", ap)
		}
	}
	if s.allows(netip.MustParseAddrPort("127.0.0.1:8081")) {
		t.Error("callouts to 127.0.0.1:8081 allowed, where no request came in")
	}
}
