// Command bare is the yardstick of the HTTP benchmarks: a bare net/http
// handler that answers each recorded request with the recorded bytes of the
// example server's answer (status, headers, body), doing nothing else. It
// sends a Content-Length where the server did, and chunks its answer where
// the server did, so that both write the same bytes.
//
//	go run ./bench/http/bare -addr 127.0.0.1:18081 -answers answers.json
//
// go run ./bench/http records the answers and runs wrk against both servers.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

// answer is one recorded response, for the request Method Target.
type answer struct {
	Method string            `json:"method"`
	Target string            `json:"target"` // path and query, as the client sent it
	Status int               `json:"status"`
	Header map[string]string `json:"header"`
	Length bool              `json:"length"` // the server sent a Content-Length
	Body   string            `json:"body"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "address to listen on")
	file := flag.String("answers", "answers.json", "the recorded answers")
	flag.Parse()
	data, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	var answers []answer
	if err := json.Unmarshal(data, &answers); err != nil {
		log.Fatal(err)
	}
	byTarget := map[string]answer{}
	for _, a := range answers {
		if a.Length {
			a.Header["Content-Length"] = strconv.Itoa(len(a.Body))
		}
		byTarget[a.Method+" "+a.Target] = a
	}
	log.Printf("bare: %d answers on http://%s", len(byTarget), *addr)
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byTarget[r.Method+" "+r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range a.Header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write([]byte(a.Body))
	})))
}
