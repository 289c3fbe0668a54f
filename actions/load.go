package actions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
)

// MaxRuleFileSize bounds what LoadJSON reads.
const MaxRuleFileSize = 8 << 20

// ParseJSON reads definitions from a rule file:
//
//	{"actions": [{"id": "close", "name": "Close", "condition": "Status != \"Closed\"",
//	              "changes": [{"field": "Status", "expr": "\"Closed\""}]}]}
//
// It is strict: an unknown key anywhere, a value of the wrong JSON type or
// trailing data is a problem. Every problem is reported in one *LoadError.
func ParseJSON(r io.Reader) ([]Definition, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRuleFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("actions: reading rules: %w", err)
	}
	if len(data) > MaxRuleFileSize {
		return nil, fmt.Errorf("actions: rule file larger than %d bytes", MaxRuleFileSize)
	}
	defs, _, problems := parseRules(data)
	if err := newLoadError(problems); err != nil {
		return nil, err
	}
	return defs, nil
}

// parseRules returns the definitions that parsed, the index in the file of
// each, and the problems.
func parseRules(data []byte) ([]Definition, []int, []Problem) {
	var file struct {
		Actions []json.RawMessage `json:"actions"`
	}
	if err := strictUnmarshal(data, &file); err != nil {
		return nil, nil, []Problem{{Index: -1, Err: fmt.Errorf("rule file: %w", err)}}
	}
	known := jsonKeys(reflect.TypeFor[Definition]())
	var defs []Definition
	var index []int
	var problems []Problem
	for i, raw := range file.Actions {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil || keys == nil {
			problems = append(problems, Problem{Index: i, Err: errors.New("an action must be a JSON object")})
			continue
		}
		var id string
		_ = json.Unmarshal(keys["id"], &id)
		var unknown []string
		for k := range keys {
			if !known[k] {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			problems = append(problems, Problem{Index: i, ActionID: id, Key: k, Err: errors.New("unknown key")})
			delete(keys, k)
		}
		// Decode key by key, so that every bad value is reported with its
		// key (a policy name's error does not say which key it is about).
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		var d Definition
		ok := true
		for _, k := range names {
			one, _ := json.Marshal(map[string]json.RawMessage{k: keys[k]})
			if err := strictUnmarshal(one, &d); err != nil {
				problems = append(problems, Problem{Index: i, ActionID: id, Key: jsonErrorKey(k, err), Err: err})
				ok = false
			}
		}
		if !ok {
			continue
		}
		defs = append(defs, d)
		index = append(index, i)
	}
	return defs, index, problems
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// jsonErrorKey names the key a decoding error of the top-level key is
// about: the path the error gives, or key itself.
func jsonErrorKey(key string, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return key + "." + strings.Trim(strings.TrimPrefix(s, "json: unknown field "), `"`)
	}
	return key
}

func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		keys[jsonName(t.Field(i))] = true
	}
	return keys
}

// LoadJSON parses a rule file and compiles it against T. Problems of both
// steps (unknown keys, duplicate ids, expressions that do not compile,
// changes of unknown fields or of the wrong type) are reported together in
// one *LoadError, and nothing is loaded.
func LoadJSON[T any](r io.Reader, opts ...CompileOption[T]) (*Catalog[T], error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRuleFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("actions: reading rules: %w", err)
	}
	if len(data) > MaxRuleFileSize {
		return nil, fmt.Errorf("actions: rule file larger than %d bytes", MaxRuleFileSize)
	}
	defs, index, problems := parseRules(data)
	if len(problems) > 0 {
		// Compile what parsed, so that every problem is reported at once.
		_, err := Compile(defs, opts...)
		var le *LoadError
		if errors.As(err, &le) {
			for _, p := range le.Problems {
				p.Index = index[p.Index]
				problems = append(problems, p)
			}
		}
		return nil, newLoadError(problems)
	}
	return Compile(defs, opts...)
}

// LoadFile is LoadJSON on a file.
func LoadFile[T any](path string, opts ...CompileOption[T]) (*Catalog[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	defer f.Close()
	return LoadJSON(f, opts...)
}
