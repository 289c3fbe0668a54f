package main

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
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
// with the users and groups of dir/salesforce, and the callout targets its
// demo links call: /demo/callouts/approve (200) and /demo/callouts/fail
// (500).
//
// The links reach those targets through {!communityUrl}, which the server
// sets, per request, to the local address the request's connection was
// accepted on (http.LocalAddrContextKey): the server's own listening
// address, whatever -addr is, and never a host the client names. Since any
// demo user may POST a definition with any actionUrl, the callouts connect
// to those addresses and nowhere else (see sfSelf).
func mountSalesforce(mux *http.ServeMux, dir string) error {
	dir = filepath.Join(dir, "salesforce")
	var users []sfUser
	if err := readJSON(filepath.Join(dir, "users.json"), &users); err != nil {
		return err
	}
	var groups []sfGroup
	if err := readJSON(filepath.Join(dir, "groups.json"), &groups); err != nil {
		return err
	}
	var self sfSelf
	h, err := salesforce.New(salesforce.Config{
		Authenticate:   sfAuthenticate(users),
		BasePath:       sfBasePath,
		Client:         self.client(),
		CalloutTimeout: sfCalloutTimeout,
		Variables: func(r *http.Request) salesforce.Variables {
			return salesforce.Variables{OrgID: sfOrgID, CommunityURL: self.url(r)}
		},
	})
	if err != nil {
		return err
	}
	now := time.Now()
	for _, g := range groups {
		g.Input.ExpirationDate = now.AddDate(0, 0, g.ExpiresInDays).UTC().Format(time.RFC3339)
		if _, err := h.CreateGroup(context.Background(), g.NewGroup); err != nil {
			return fmt.Errorf("group %s: %w", g.ID, err)
		}
	}
	mux.Handle(sfBasePath+"/", http.StripPrefix(sfBasePath, h))
	mux.HandleFunc("/demo/callouts/approve", sfCallout(http.StatusOK, `{"approved":true}`))
	mux.HandleFunc("/demo/callouts/fail", sfCallout(http.StatusInternalServerError, `{"error":"the demo provider always fails"}`))
	return nil
}

// sfAuthenticate maps the bearer tokens of users to their Salesforce ids.
func sfAuthenticate(users []sfUser) func(context.Context, string) (actions.Actor, bool) {
	return func(_ context.Context, token string) (actions.Actor, bool) {
		for _, u := range users {
			if subtle.ConstantTimeCompare([]byte(u.Token), []byte(token)) == 1 {
				return actions.Actor{ID: u.ID, Name: u.Name}, true
			}
		}
		return actions.Actor{}, false
	}
}

// sfSelf is the server's own addresses: those it accepted a request on.
// The demo links call them, and the callouts may go nowhere else.
type sfSelf struct {
	addrs sync.Map // "host:port" → true
}

// url is the base URL of the server's own address for r's connection, or
// "" when r did not come through a listener (then the callouts fail).
func (s *sfSelf) url(r *http.Request) string {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return ""
	}
	s.addrs.Store(addr.String(), true)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + addr.String()
}

// client makes callouts that connect only to the server's own addresses,
// directly (no proxy), redirects included.
func (s *sfSelf) client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if _, ok := s.addrs.Load(addr); !ok {
			return nil, fmt.Errorf("the demo server calls out only to itself, not to %s", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: t}
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
