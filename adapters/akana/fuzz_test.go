package akana_test

import (
	"io"
	"testing"

	"github.com/actionable-go/actionable/actions"
	"github.com/actionable-go/actionable/adapters/akana"
)

// FuzzActionBody posts arbitrary bodies, as JSON and as XML: the handler
// must never panic nor answer 5xx, and must answer 200 only with a state of
// the discussion workflow.
func FuzzActionBody(f *testing.F) {
	seeds := []struct {
		xml  bool
		body string
	}{
		{false, `{"ActionName":"discussion.action.unpublish","Comments":"Unpublishing while I edit."}`},
		{false, `{"ActionName":"discussion.action.publish","Comments":["a","b"]}`},
		{false, `{"UserID":"u","ActionName":"@Modify","Comments":null}`},
		{false, `{"ActionName":1}`},
		{false, `[]`},
		{false, `{"ActionName":"discussion.action.unpublish"} trailing`},
		{true, `<Action><ActionName>discussion.action.unpublish</ActionName><Comments>x</Comments></Action>`},
		{true, `<?xml version="1.0"?><Action xmlns="urn:x"><ActionName>discussion.action.publish</ActionName><Comments>a</Comments><Comments>b</Comments></Action>`},
		{true, `<!DOCTYPE Action [<!ENTITY e "x">]><Action><ActionName>&e;</ActionName></Action>`},
		{true, `<Action><ActionName><b>x</b></ActionName></Action>`},
		{true, `<Action>`},
	}
	for _, s := range seeds {
		f.Add(s.xml, []byte(s.body))
	}
	wf, err := akana.NewWorkflows(akana.Fields{}, testWorkflows)
	if err != nil {
		f.Fatal(err)
	}
	cat := actions.MustCompile[Object](wf.Definitions())
	states := map[string]bool{"Published": true, "Pending": true}
	f.Fuzz(func(t *testing.T, asXML bool, body []byte) {
		ct := "application/json"
		if asXML {
			ct = "application/xml"
		}
		fx := newFixture(t, fixtureConfig{compiled: cat}) // fresh objects: every input starts from Published
		res := fx.do(t, "POST", actionsURL(discussion11018),
			hdr("Cookie", adminAuth, csrfHeader, "akana-admin", "Content-Type", ct), string(body))
		got, _ := io.ReadAll(res.Body)
		switch {
		case res.StatusCode >= 500:
			t.Fatalf("status %d for %q: %s", res.StatusCode, body, got)
		case res.StatusCode == 200 && !states[string(got)]:
			t.Fatalf("200 with body %q for %q", got, body)
		}
	})
}
