// Command server is the example server of actionable: every adapter of the
// SDK mounted on one http.ServeMux, over in-memory data loaded from
// testdata/.
//
//	go run ./examples/server -addr 127.0.0.1:8080 -data testdata
//
// The README lists curl commands for each adapter.
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
	"os/signal"
	"time"
)

// mount adds one adapter's routes (and its demo data from dir) to mux.
type mount func(mux *http.ServeMux, dir string) error

// mounts lists the adapters, each in a file of its own.
var mounts = []struct {
	name string
	fn   mount
}{
	{"openproject", mountOpenProject},
	{"akana", mountAkana},
	{"salesforce", mountSalesforce},
	{"workfront", mountWorkfront},
}

// newServer returns the handler of every adapter, with data from dir.
func newServer(dir string) (http.Handler, error) {
	mux := http.NewServeMux()
	for _, m := range mounts {
		if err := m.fn(mux, dir); err != nil {
			return nil, fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return mux, nil
}

// readJSON decodes a demo data file strictly: an unknown key or trailing
// data is an error, so that a typo in testdata/ fails at start-up.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: unexpected data after the JSON value", path)
	}
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dir := flag.String("data", "testdata", "directory of the demo data")
	flag.Parse()

	h, err := newServer(*dir)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("actionable example server listening on http://%s", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
