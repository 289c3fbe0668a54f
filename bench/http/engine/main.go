// Command engine is the second yardstick of the execute benchmark: a
// handler that does nothing but the SDK's core for OpenProject's
// POST .../custom_actions/{id}/execute. It runs Engine.Execute on the
// demo's catalog and work packages, in a MemoryStore whose journal it
// prunes as the example server does, and answers with the bytes the
// example server answered (recorded by bench/http), its lockVersion set to
// the one the execution saved. It does no authentication, scoping,
// resolving or rendering: between it and the bare handler is what the
// engine's write path costs, and between it and the example server is the
// adapter's part.
//
//	go run ./bench/http/engine -addr 127.0.0.1:18082 -data DIR -answers answers.json
//
// go run ./bench/http records the answers and runs wrk against it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/actionable-go/actionable/actions"
)

// workPackage is the example server's work package: keep it as
// opWorkPackage in examples/server/openproject.go is.
type workPackage struct {
	Subject        string  `json:"subject" validate:"required"`
	Project        string  `json:"project"`
	Type           string  `json:"type"`
	Status         string  `json:"status"`
	Assignee       string  `json:"assignee"`
	PercentageDone int     `json:"percentageDone" validate:"gte=0,lte=100"`
	StartDate      *string `json:"startDate"`
}

// admin is the demo's op-admin, who holds every permission.
var admin = actions.Actor{ID: "admin", Name: "Ada Admin", Permissions: []string{actions.AllPermissions}}

// answer is one recorded answer of answers.json (see bench/http).
type answer struct {
	Method string `json:"method"`
	Target string `json:"target"`
	Body   string `json:"body"`
}

// The parts of the execute body bench/http's script sends, around the
// work package's id and its lockVersion.
const (
	bodyStart = `{"_links":{"workPackage":{"href":"/api/v3/work_packages/`
	bodyLock  = `"}},"lockVersion":`
	bodyEnd   = `}`
)

// lockVersion finds the lockVersion in the recorded answer.
var lockVersion = regexp.MustCompile(`"lockVersion":\d+`)

// bodies are the answers' buffers, reused.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// parseExecute returns the work package id and lockVersion of body, which
// must be as bench/http's script writes it.
func parseExecute(body []byte) (id string, lock int64, ok bool) {
	rest, ok := bytes.CutPrefix(body, []byte(bodyStart))
	if !ok {
		return "", 0, false
	}
	wp, rest, ok := bytes.Cut(rest, []byte(bodyLock))
	if !ok {
		return "", 0, false
	}
	digits, ok := bytes.CutSuffix(rest, []byte(bodyEnd))
	if !ok {
		return "", 0, false
	}
	lock, err := strconv.ParseInt(string(digits), 10, 64)
	return string(wp), lock, err == nil && len(wp) > 0
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18082", "address to listen on")
	data := flag.String("data", "testdata", "the demo data")
	answers := flag.String("answers", "answers.json", "the recorded answers")
	keep := flag.Int("journal-keep", 10000, "execution records the journal keeps, pruned every second")
	flag.Parse()
	engine, store, err := newEngine(filepath.Join(*data, "openproject"))
	if err != nil {
		log.Fatal(err)
	}
	before, after, err := executeAnswer(*answers)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for range time.Tick(time.Second) {
			if _, err := store.Prune(context.Background(), actions.Retention{Keep: *keep}); err != nil {
				log.Printf("pruning the journal: %v", err)
			}
		}
	}()
	mux := http.NewServeMux()
	// What bench/http's script reads first: the lockVersion.
	mux.HandleFunc("GET /api/v3/work_packages/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, version, err := store.Load(r.Context(), r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"lockVersion":%d}`, version)
	})
	mux.HandleFunc("POST /api/v3/custom_actions/{id}/execute", func(w http.ResponseWriter, r *http.Request) {
		var buf [256]byte
		n, err := io.ReadFull(r.Body, buf[:])
		if err != io.ErrUnexpectedEOF {
			http.Error(w, "not an execute body of bench/http", http.StatusBadRequest)
			return
		}
		id, lock, ok := parseExecute(buf[:n])
		if !ok {
			http.Error(w, "not an execute body of bench/http", http.StatusBadRequest)
			return
		}
		res, err := engine.Execute(r.Context(), actions.Request{ActionID: r.PathValue("id"), ObjectID: id, Version: lock, Actor: admin})
		if errors.Is(err, actions.ErrConflict) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		pooled := bodies.Get().(*[]byte)
		body := append((*pooled)[:0], before...)
		body = strconv.AppendInt(body, res.Version, 10)
		body = append(body, after...)
		h := w.Header()
		h.Set("Content-Type", "application/hal+json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		*pooled = body
		bodies.Put(pooled)
	})
	log.Printf("engine: the execute endpoint alone on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// newEngine returns the demo's OpenProject catalog over its work packages,
// each at its lockVersion.
func newEngine(dir string) (*actions.Engine[workPackage], *actions.MemoryStore[workPackage], error) {
	cat, err := actions.LoadFile[workPackage](filepath.Join(dir, "custom_actions.json"))
	if err != nil {
		return nil, nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "work_packages.json"))
	if err != nil {
		return nil, nil, err
	}
	var file struct {
		WorkPackages []struct {
			ID          int64 `json:"id"`
			LockVersion int64 `json:"lockVersion"`
			workPackage
		} `json:"workPackages"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	store := actions.NewMemoryStore[workPackage]()
	for _, wp := range file.WorkPackages {
		id := strconv.FormatInt(wp.ID, 10)
		if _, err := store.Create(ctx, id, wp.workPackage); err != nil {
			return nil, nil, err
		}
		for v := int64(1); v < wp.LockVersion; v++ {
			if _, err := store.Save(ctx, id, wp.workPackage, v, nil); err != nil {
				return nil, nil, err
			}
		}
	}
	engine, err := actions.New(cat, store)
	if err != nil {
		return nil, nil, err
	}
	return engine, store, nil
}

// executeAnswer returns the recorded answer of custom action 2's execution,
// split around the digits of its lockVersion.
func executeAnswer(path string) (before, after []byte, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var answers []answer
	if err := json.Unmarshal(raw, &answers); err != nil {
		return nil, nil, err
	}
	for _, a := range answers {
		if a.Method != http.MethodPost || a.Target != "/api/v3/custom_actions/2/execute" {
			continue
		}
		body := []byte(a.Body)
		loc := lockVersion.FindIndex(body)
		if loc == nil {
			return nil, nil, fmt.Errorf("%s: the execute answer has no lockVersion", path)
		}
		digits := bytes.LastIndexByte(body[:loc[1]], ':') + 1
		return body[:digits], body[loc[1]:], nil
	}
	return nil, nil, fmt.Errorf("%s: no execute answer", path)
}
