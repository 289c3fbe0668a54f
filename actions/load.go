package actions

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// MaxRuleFileSize bounds what LoadJSON reads.
const MaxRuleFileSize = 8 << 20

// ParseJSON reads the definitions of a rule file (its "states" are read by
// LoadJSON, which compiles them with the actions):
//
//	{"actions": [{"id": "close", "name": "Close", "condition": "Status != \"Closed\"",
//	              "changes": [{"field": "Status", "expr": "\"Closed\""}]}]}
//
// It is strict: an unknown key anywhere (keys are matched exactly, not
// regardless of case as encoding/json does), a key given twice, a value of
// the wrong JSON type or trailing data is a problem, reported with the path
// of the key ("changes[1].expr"). Every problem is reported in one
// *LoadError.
func ParseJSON(r io.Reader) ([]Definition, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRuleFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("actions: reading rules: %w", err)
	}
	if len(data) > MaxRuleFileSize {
		return nil, fmt.Errorf("actions: rule file larger than %d bytes", MaxRuleFileSize)
	}
	defs, _, _, problems := parseRules(data)
	if err := newLoadError(problems); err != nil {
		return nil, err
	}
	return defs, nil
}

// parseRules returns the definitions that parsed, the index in the file of
// each, and the problems.
func parseRules(data []byte) ([]Definition, []StateSet, []int, []Problem) {
	var file struct {
		Actions []json.RawMessage `json:"actions"`
		States  json.RawMessage   `json:"states,omitempty"`
	}
	if err := strictUnmarshal(data, &file); err != nil {
		return nil, nil, nil, []Problem{{Index: -1, Err: fmt.Errorf("rule file: %w", err)}}
	}
	var fileProblems []Problem
	checkJSON(data, reflect.TypeFor[struct {
		Actions []json.RawMessage `json:"actions"`
		States  []StateSet        `json:"states,omitempty"`
	}](), "", func(key string, err error) {
		fileProblems = append(fileProblems, Problem{Index: -1, Err: fmt.Errorf("rule file: %s: %w", key, err)})
	})
	var states []StateSet
	if len(fileProblems) == 0 && len(file.States) > 0 {
		if err := json.Unmarshal(file.States, &states); err != nil { // checkJSON found nothing: unreachable
			fileProblems = append(fileProblems, Problem{Index: -1, Err: fmt.Errorf("rule file: states: %w", err)})
		}
	}
	if len(fileProblems) > 0 {
		return nil, nil, nil, fileProblems
	}
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
		var ps []Problem
		checkJSON(raw, reflect.TypeFor[Definition](), "", func(key string, err error) {
			ps = append(ps, Problem{Index: i, ActionID: id, Key: key, Err: err})
		})
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].Key < ps[b].Key })
		problems = append(problems, ps...)
		// An action whose only fault is an unknown key at the top level is
		// compiled without it, so that its other problems are reported too.
		compile := true
		for _, p := range ps {
			if errors.Is(p.Err, errUnknownKey) && !strings.ContainsAny(p.Key, ".[") {
				delete(keys, p.Key)
				continue
			}
			compile = false
		}
		if !compile {
			continue
		}
		known, _ := json.Marshal(keys)
		var d Definition
		if err := json.Unmarshal(known, &d); err != nil { // checkJSON found nothing: unreachable
			problems = append(problems, Problem{Index: i, ActionID: id, Err: err})
			continue
		}
		defs = append(defs, d)
		index = append(index, i)
	}
	return defs, states, index, problems
}

var (
	errUnknownKey   = errors.New("unknown key")
	errDuplicateKey = errors.New("duplicate key")
)

// checkJSON reports, each with its path ("changes[1].expr"), every key of
// the JSON value data that t does not have, every key given twice and every
// value of the wrong JSON type. It is stricter than encoding/json, which
// matches keys regardless of case and keeps the last of two equal keys. data
// must be valid JSON.
func checkJSON(data []byte, t reflect.Type, path string, bad func(key string, err error)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return // null leaves the zero value, as encoding/json does
	}
	unmarshaler := reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
	switch {
	case unmarshaler:
	case t.Kind() == reflect.Struct && data[0] == '{':
		fields := map[string]reflect.Type{}
		for _, f := range reflect.VisibleFields(t) {
			if f.IsExported() && !f.Anonymous && f.Tag.Get("json") != "-" {
				fields[jsonName(f)] = f.Type
			}
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		_, _ = dec.Token() // {
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			key, _ := tok.(string)
			var value json.RawMessage
			if err == nil {
				err = dec.Decode(&value)
			}
			if err != nil {
				bad(path, err) // unreachable for valid JSON
				return
			}
			p := key
			if path != "" {
				p = path + "." + key
			}
			ft, known := fields[key]
			switch {
			case seen[key]:
				bad(p, errDuplicateKey)
			case !known:
				bad(p, errUnknownKey)
			default:
				checkJSON(value, ft, p, bad)
			}
			seen[key] = true
		}
		return
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 && data[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			bad(path, err) // unreachable for valid JSON
			return
		}
		for i, item := range items {
			checkJSON(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), bad)
		}
		return
	}
	if err := json.Unmarshal(data, reflect.New(t).Interface()); err != nil {
		bad(path, err)
	}
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

// LoadJSON parses a rule file and compiles it against T. Problems of both
// steps (unknown keys, duplicate ids, expressions that do not compile,
// changes of unknown fields or of the wrong type) are reported together in
// one *LoadError, and nothing is loaded.
func LoadJSON[T any](r io.Reader, opts ...CompileOption) (*Catalog[T], error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRuleFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("actions: reading rules: %w", err)
	}
	if len(data) > MaxRuleFileSize {
		return nil, fmt.Errorf("actions: rule file larger than %d bytes", MaxRuleFileSize)
	}
	defs, states, index, problems := parseRules(data)
	opts = append(slices.Clip(opts), WithStates(states...))
	if len(problems) > 0 {
		// Compile what parsed, so that every problem is reported at once.
		_, err := Compile[T](defs, opts...)
		var le *LoadError
		if errors.As(err, &le) {
			for _, p := range le.Problems {
				if p.Index >= 0 {
					p.Index = index[p.Index]
				}
				problems = append(problems, p)
			}
		}
		return nil, newLoadError(problems)
	}
	return Compile[T](defs, opts...)
}

// LoadFile is LoadJSON on a file.
func LoadFile[T any](path string, opts ...CompileOption) (*Catalog[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("actions: %w", err)
	}
	defer f.Close()
	return LoadJSON[T](f, opts...)
}
