package openproject_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCollection: GET /api/v3/work_packages is OpenProject's
// WorkPackageCollection (lib/api/v3/work_packages/work_package_collection_representer.rb
// over lib/api/decorators/offset_paginated_collection.rb and collection.rb):
// the visible work packages only (work_packages_api.rb, index spec
// "returns visible work packages"), offset a page number from 1, pageSize
// 20 by default and at most 1000, read with to_i
// (lib/api/utilities/url_props_parsing_helper.rb,
// app/services/api/v3/work_package_collection_from_query_service.rb), and
// the links jumpTo, changeSize, previousByOffset, nextByOffset as
// OffsetPaginatedCollection builds them.
func TestCollection(t *testing.T) {
	const path = "/api/v3/work_packages"
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"collection as member", request{"GET", path, member, "", ""}, 200},
		{"collection as viewer", request{"GET", path, "Bearer " + viewer, "", ""}, 200},
		{"collection as admin", request{"GET", path, admin, "", ""}, 200},
		{"collection first page of two", request{"GET", path + "?offset=1&pageSize=2", admin, "", ""}, 200},
		{"collection second page of two", request{"GET", path + "?pageSize=2&offset=2", admin, "", ""}, 200},
		{"collection page past the end", request{"GET", path + "?offset=5&pageSize=2", admin, "", ""}, 200},
		{"collection offset zero is the first page", request{"GET", path + "?offset=0&pageSize=2", admin, "", ""}, 200},
		{"collection offset negative is the first page", request{"GET", path + "?offset=-3&pageSize=2", admin, "", ""}, 200},
		{"collection offset not a number is the first page", request{"GET", path + "?offset=two&pageSize=2", admin, "", ""}, 200},
		{"collection offset repeated the last counts", request{"GET", path + "?offset=1&offset=2&pageSize=2", admin, "", ""}, 200},
		{"collection page size zero counts only", request{"GET", path + "?pageSize=0", admin, "", ""}, 200},
		{"collection page size minus one is the maximum", request{"GET", path + "?pageSize=-1", member, "", ""}, 200},
		{"collection page size above the maximum", request{"GET", path + "?pageSize=5000", member, "", ""}, 200},
		{"collection page size not a number is zero", request{"GET", path + "?pageSize=abc", member, "", ""}, 200},
		{"collection page size read as to_i", request{"GET", path + "?pageSize=1abc", member, "", ""}, 200},
		{"collection page size negative lists none", request{"GET", path + "?pageSize=-5", member, "", ""}, 200},
		{"collection filters empty", request{"GET", path + "?filters=%5B%5D", member, "", ""}, 200},
		{"collection filters refused", request{"GET", path + `?filters=[{"status_id":{"operator":"o","values":null}}]`, member, "", ""}, 400},
		{"collection sortBy refused", request{"GET", path + `?sortBy=[["id","desc"]]`, member, "", ""}, 400},
		{"collection 401", request{"GET", path, "", "", ""}, 401},
		{"collection 403 may view nothing", request{"GET", path, "op-outsider", "", ""}, 403},
		{"collection 405", request{"POST", path, member, json_, "{}"}, 405},
	}
	for _, tt := range tests {
		for _, rd := range renderings {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				f := newFixture(t, rd.configure)
				res := f.do(t, tt.req)
				if res.StatusCode != tt.status {
					t.Errorf("status = %d, want %d", res.StatusCode, tt.status)
				}
				golden(t, strings.ReplaceAll(tt.name, " ", "_"), dump(t, res))
			})
		}
	}
}

// TestCollectionElements: each element is the work package as GET renders
// it for the same user, without _embedded (OpenProject renders a
// collection's elements without embed_links), also after an execution has
// changed what the user may do.
func TestCollectionElements(t *testing.T) {
	for _, user := range []string{admin, member, viewer} {
		t.Run(user, func(t *testing.T) {
			f := newFixture(t)
			if res := f.do(t, request{"POST", "/api/v3/custom_actions/5/execute", member, json_, executeBody("42", "3")}); res.StatusCode != http.StatusOK {
				t.Fatalf("execute: status %d", res.StatusCode)
			}
			var list struct {
				Total    int `json:"total"`
				Embedded struct {
					Elements []map[string]json.RawMessage `json:"elements"`
				} `json:"_embedded"`
			}
			decode(t, f.do(t, request{"GET", "/api/v3/work_packages", user, "", ""}), &list)
			if len(list.Embedded.Elements) != list.Total || list.Total == 0 {
				t.Fatalf("%d elements, total %d", len(list.Embedded.Elements), list.Total)
			}
			for _, el := range list.Embedded.Elements {
				var id string
				if err := json.Unmarshal(el["id"], &id); err != nil {
					id = string(el["id"])
				}
				var one map[string]json.RawMessage
				decode(t, f.do(t, request{"GET", "/api/v3/work_packages/" + id, user, "", ""}), &one)
				if _, ok := one["_embedded"]; !ok {
					t.Errorf("GET %s has no _embedded", id)
				}
				delete(one, "_embedded")
				if diff := cmp.Diff(one, el, cmp.Transformer("compact", compact)); diff != "" {
					t.Errorf("element %s differs from GET (-GET +element):\n%s", id, diff)
				}
			}
		})
	}
}

func decode(t *testing.T, res *http.Response, v any) {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}
