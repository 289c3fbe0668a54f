package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzPlayground sends the playground forms it is given: whatever the
// object's JSON, the actor's fields and the inputs, the console answers
// with a page (200) or says what is wrong with the form (400), never
// fails (500) or panics, and shows nothing unescaped.
func FuzzPlayground(f *testing.F) {
	f.Add(`{"title": "x", "status": "new", "points": 3}`, "team=core", "estimate", "5")
	f.Add(`{"title": "x", "status": "closed"}`, "", "reopen", "because")
	f.Add(`{"title": "<script>", "points": 99}`, "a=b\nc", "estimate", "1e400")
	f.Add(`{"title": "x"} {}`, "=", "nothing", "")
	f.Add(`[1, 2`, "", "escalate", "x")
	f.Add(`{"tags": [1]}`, "k=v", "submit", "\x00")
	fx := newDefault(f, nil)
	token := fx.csrf(f, "ann")
	f.Fuzz(func(t *testing.T, object, attributes, action, input string) {
		form := url.Values{
			"csrf": {token}, "object": {object}, "actor.id": {"ann"}, "actor.roles": {"lead, " + input},
			"actor.attributes": {attributes}, "dryrun": {action},
			"in." + action + ".points": {input}, "in." + action + ".reason": {input},
		}
		w := fx.post(t, "ann", "/playground", form)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("status %d for object %q, attributes %q, action %q, input %q:\n%s", w.Code, object, attributes, action, input, w.Body)
		}
		if strings.Contains(w.Body.String(), "<script") {
			t.Fatalf("the page has a script for object %q, attributes %q, action %q, input %q", object, attributes, action, input)
		}
	})
}

// FuzzRuleCheck pastes the rule files it is given: the rule check answers
// with the file's problems (422) or its summary (200), never fails or
// panics.
func FuzzRuleCheck(f *testing.F) {
	f.Add(soundRuleFile)
	f.Add(ruleFileWithProblems)
	f.Add("{\"actions\": [\n  {\"id\": \"a\",\n   \"name\": \"A\",}\n]}")
	f.Add(`{"actions": [{"id": "a", "name": "A", "condition": "Points >"}]}`)
	f.Add(`{"states": [{"field": "status", "states": []}], "actions": []}`)
	f.Add("")
	fx := newDefault(f, nil)
	token := fx.csrf(f, "ann")
	f.Fuzz(func(t *testing.T, rules string) {
		w := fx.post(t, "ann", "/rules", url.Values{"csrf": {token}, "rules": {rules}})
		if w.Code != http.StatusOK && w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d for %q:\n%s", w.Code, rules, w.Body)
		}
	})
}
