// Command http measures the example server's hot endpoints with wrk, side by
// side with the yardstick: a bare net/http handler (./bench/http/bare) that
// answers the same requests with the same bytes and does nothing else.
//
//	go run ./bench/http                      # 3 rounds of 10 s per endpoint and server
//	go run ./bench/http -rounds 5 -duration 20s -connections 16
//
// It needs wrk (Debian's wrk package). Each round runs every endpoint
// against both servers, one after the other in alternating order, and the
// table gives the median requests per second of each and the median of the
// per-round ratios: compare within one run, never across runs.
//
// The execute endpoint (OpenProject's POST .../execute) runs one wrk thread
// per connection, each on a work package of its own that only it changes,
// tracking its lockVersion from the answers, so that every request is a
// successful execution, not a conflict; a thread's first answer that is
// not a 200 is printed with the error that ends the run, and so is the
// lockVersion a GET of its work package then finds. It also runs on a
// third server, ./bench/http/engine, which answers with the same bytes
// after Engine.Execute alone, on the same catalog and work packages: the
// table's extra row is what the SDK's write path leaves of the bare
// handler's rate, before any adapter work.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// endpoint is one measured request.
type endpoint struct {
	name   string
	method string
	target string
	header map[string]string
	body   string
	lua    string // a wrk script, for requests that change per call
	perWP  bool   // one thread per connection (the script keeps per-connection state)
}

const (
	serverAddr = "127.0.0.1:18080"
	bareAddr   = "127.0.0.1:18081"
	engineAddr = "127.0.0.1:18082" // the execute endpoint alone
	// benchWPs are the work packages the execute benchmark adds to the
	// demo data, one per connection: 100, 101, ...
	benchWPBase = 100
	// collectionWPs more work packages, 1000, 1001, ..., fill the
	// collection's first page (20) with what the member sees.
	collectionWPBase = 1000
	collectionWPs    = 18
)

var endpoints = []endpoint{
	{name: "openproject GET work package", method: "GET", target: "/api/v3/work_packages/42",
		header: map[string]string{"Authorization": "Bearer op-member"}},
	{name: "openproject GET custom action", method: "GET", target: "/api/v3/custom_actions/2",
		header: map[string]string{"Authorization": "Bearer op-member"}},
	{name: "openproject GET collection", method: "GET", target: "/api/v3/work_packages",
		header: map[string]string{"Authorization": "Bearer op-member"}},
	{name: "openproject POST execute", method: "POST", target: "/api/v3/custom_actions/2/execute",
		header: map[string]string{"Authorization": "Bearer op-admin", "Content-Type": "application/json"},
		body:   fmt.Sprintf(`{"_links":{"workPackage":{"href":"/api/v3/work_packages/%d"}},"lockVersion":1}`, benchWPBase),
		lua:    executeLua, perWP: true},
	{name: "akana GET actions", method: "GET", target: "/api/workflow/objects/discussion10121.acmepaymentscorp/actions",
		header: map[string]string{"Cookie": "AtmoAuthToken_acmepaymentscorp=akana-admin", "Accept": "application/json"}},
	{name: "salesforce GET action link", method: "GET", target: "/services/data/v62.0/connect/action-links/0An000000000001AAA",
		header: map[string]string{"Authorization": "Bearer sf-alice"}},
	{name: "workfront GET serviceInfo", method: "GET", target: "/webhooks/serviceInfo"},
}

// executeLua executes custom action 2 (Change project and type, which
// applies to any work package) on work package 100+i from thread i, with
// the lockVersion of its last answer; its first request reads the work
// package, for the lockVersion an earlier run left.
const executeLua = `
local n = 0
function setup(thread)
  thread:set("wp", %d + n)
  n = n + 1
end
function init(args)
  lock = nil
end
function request()
  local auth = {["Authorization"] = "Bearer op-admin", ["Content-Type"] = "application/json"}
  if lock == nil then
    return wrk.format("GET", string.format("/api/v3/work_packages/%%d", wp), auth)
  end
  return wrk.format("POST", "/api/v3/custom_actions/2/execute", auth,
    string.format('{"_links":{"workPackage":{"href":"/api/v3/work_packages/%%d"}},"lockVersion":%%d}', wp, lock))
end
function response(status, headers, body)
  if status ~= 200 and not told then
    -- The first failure of each thread, for the error wrk's run ends
    -- with; the next request reads the work package again, to say where
    -- it really is.
    told = true
    io.write(string.format("work package %%d, lockVersion %%s: status %%d: %%s\n", wp, tostring(lock), status, body))
    lock = nil
    return
  end
  local v = string.match(body, '"lockVersion":(%%d+)')
  if told and lock == nil and not retold then
    retold = true
    io.write(string.format("work package %%d: the GET after it says lockVersion %%s\n", wp, tostring(v)))
  end
  if v then lock = tonumber(v) end
end
`

func main() {
	rounds := flag.Int("rounds", 3, "rounds of every endpoint on both servers")
	duration := flag.Duration("duration", 10*time.Second, "how long wrk runs each measurement")
	conns := flag.Int("connections", 16, "wrk connections")
	threads := flag.Int("threads", 2, "wrk threads (the execute endpoint uses one per connection)")
	wrkPath := flag.String("wrk", "wrk", "the wrk command")
	only := flag.String("only", "", "measure only the endpoints whose name contains this")
	flag.Parse()
	if _, err := exec.LookPath(*wrkPath); err != nil {
		log.Fatalf("wrk not found (apt-get install -y wrk): %v", err)
	}
	dir, err := os.MkdirTemp("", "actionable-http-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tempDir = dir

	build(dir, "server", "./examples/server")
	build(dir, "bare", "./bench/http/bare")
	build(dir, "engine", "./bench/http/engine")
	data := filepath.Join(dir, "data")
	if err := benchData(data, *conns); err != nil {
		fatalf("%v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start(ctx, filepath.Join(dir, "server"), serverAddr, "http://"+serverAddr+"/webhooks/serviceInfo", "-data", data)

	var answers []recorded
	for _, e := range endpoints {
		a, err := record(e)
		if err != nil {
			fatalf("%s: %v", e.name, err)
		}
		answers = append(answers, a)
	}
	// The reads the execute script starts each connection with.
	for i := range *conns {
		e := endpoint{method: "GET", target: fmt.Sprintf("/api/v3/work_packages/%d", benchWPBase+i),
			header: map[string]string{"Authorization": "Bearer op-admin"}}
		a, err := record(e)
		if err != nil {
			fatalf("%s: %v", e.target, err)
		}
		answers = append(answers, a)
	}
	answersFile := filepath.Join(dir, "answers.json")
	b, _ := json.MarshalIndent(answers, "", "  ")
	if err := os.WriteFile(answersFile, b, 0o644); err != nil {
		fatalf("%v", err)
	}
	start(ctx, filepath.Join(dir, "bare"), bareAddr, "http://"+bareAddr+"/webhooks/serviceInfo", "-answers", answersFile)
	start(ctx, filepath.Join(dir, "engine"), engineAddr, fmt.Sprintf("http://%s/api/v3/work_packages/%d", engineAddr, benchWPBase),
		"-data", data, "-answers", answersFile)

	// engine and engineRatio: the execute endpoint's Engine.Execute alone.
	type result struct{ server, bare, ratio, engine, engineRatio []float64 }
	results := make([]result, len(endpoints))
	for round := range *rounds {
		for i, e := range endpoints {
			if *only != "" && !strings.Contains(e.name, *only) {
				continue
			}
			order := []string{serverAddr, bareAddr}
			if e.perWP {
				order = append(order, engineAddr)
			}
			if round%2 == 1 {
				slices.Reverse(order)
			}
			rps := map[string]float64{}
			for _, addr := range order {
				rps[addr] = runWrk(dir, *wrkPath, addr, e, *conns, *threads, *duration)
				// wrk ends with requests in flight: the server finishes
				// them before the next run on it reads its work packages.
				time.Sleep(500 * time.Millisecond)
			}
			results[i].server = append(results[i].server, rps[serverAddr])
			results[i].bare = append(results[i].bare, rps[bareAddr])
			results[i].ratio = append(results[i].ratio, rps[serverAddr]/rps[bareAddr])
			log.Printf("round %d: %s: %.0f req/s, bare %.0f req/s, %.2fx", round+1, e.name, rps[serverAddr], rps[bareAddr], rps[serverAddr]/rps[bareAddr])
			if e.perWP {
				results[i].engine = append(results[i].engine, rps[engineAddr])
				results[i].engineRatio = append(results[i].engineRatio, rps[engineAddr]/rps[bareAddr])
				log.Printf("round %d: %s, Engine.Execute alone: %.0f req/s, %.2fx", round+1, e.name, rps[engineAddr], rps[engineAddr]/rps[bareAddr])
			}
		}
	}
	fmt.Printf("\n%d rounds of %v, %d connections (medians)\n\n", *rounds, *duration, *conns)
	fmt.Println("| endpoint | example server | bare net/http, same bytes | ratio |")
	fmt.Println("|---|---:|---:|---:|")
	for i, e := range endpoints {
		r := results[i]
		if len(r.ratio) == 0 {
			continue
		}
		fmt.Printf("| %s | %.0f req/s | %.0f req/s | %.2fx |\n", e.name, median(r.server), median(r.bare), median(r.ratio))
		if len(r.engine) > 0 {
			fmt.Printf("| %s, Engine.Execute alone (bench/http/engine) | %.0f req/s | %.0f req/s | %.2fx |\n",
				e.name, median(r.engine), median(r.bare), median(r.engineRatio))
		}
	}
}

func build(dir, name, pkg string) {
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fatalf("building %s: %v", pkg, err)
	}
}

// benchData copies testdata to dir and adds n work packages for the execute
// benchmark and collectionWPs for the collection (the demo's own stay as
// they are).
func benchData(dir string, n int) error {
	if err := os.CopyFS(dir, os.DirFS("testdata")); err != nil {
		return err
	}
	path := filepath.Join(dir, "openproject", "work_packages.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var file struct {
		WorkPackages []map[string]any `json:"workPackages"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return err
	}
	// The execute benchmark's work packages are in a project only the
	// admin sees, so that executing on them changes no answer the other
	// endpoints measure (custom action 2 moves a work package to it anyway).
	for i := range n {
		file.WorkPackages = append(file.WorkPackages, map[string]any{
			"id": benchWPBase + i, "lockVersion": 1, "subject": "Benchmark " + strconv.Itoa(i), "project": "archive",
			"type": "Task", "status": "New", "assignee": "member", "percentageDone": 0, "startDate": nil,
		})
	}
	// A full first page for the collection: 42, 43 and these.
	for i := range collectionWPs {
		file.WorkPackages = append(file.WorkPackages, map[string]any{
			"id": collectionWPBase + i, "lockVersion": 1, "subject": "Listed " + strconv.Itoa(i), "project": "demo",
			"type": "Task", "status": "New", "assignee": "member", "percentageDone": 0, "startDate": nil,
		})
	}
	out, err := json.Marshal(file)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, fs.FileMode(0o644))
}

// The servers start has started, and the temporary directory: fatalf
// stops the one and removes the other, where log.Fatal would leave the
// servers running on the ports the next run needs.
var (
	servers []*exec.Cmd
	tempDir string
)

// fatalf stops the servers, removes the temporary directory, and exits
// as log.Fatalf does.
func fatalf(format string, args ...any) {
	for _, cmd := range servers {
		_ = cmd.Process.Kill()
	}
	if tempDir != "" {
		_ = os.RemoveAll(tempDir)
	}
	log.Fatalf(format, args...)
}

// start runs a server until ctx ends and waits until ready answers. The
// address must be free before it starts, so that a server an earlier run
// left behind is never the one measured.
func start(ctx context.Context, bin, addr, ready string, args ...string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fatalf("%s: %v (a server of an earlier run?)", addr, err)
	}
	ln.Close()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		fatalf("%v", err)
	}
	servers = append(servers, cmd)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for range 100 {
		select {
		case err := <-exited:
			fatalf("%s exited before it answered %s: %v", bin, ready, err)
		default:
		}
		if res, err := http.Get(ready); err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	fatalf("%s did not answer %s", bin, ready)
}

// recorded is what bare answers for one request.
type recorded struct {
	Method string            `json:"method"`
	Target string            `json:"target"`
	Status int               `json:"status"`
	Header map[string]string `json:"header"`
	// Length: the server sent a Content-Length (else its answer was
	// chunked), which bare does as well.
	Length bool   `json:"length"`
	Body   string `json:"body"`
}

func record(e endpoint) (recorded, error) {
	req, err := http.NewRequest(e.method, "http://"+serverAddr+e.target, strings.NewReader(e.body))
	if err != nil {
		return recorded{}, err
	}
	for k, v := range e.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return recorded{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return recorded{}, err
	}
	if res.StatusCode != http.StatusOK {
		return recorded{}, fmt.Errorf("status %d: %s", res.StatusCode, body)
	}
	r := recorded{Method: e.method, Target: e.target, Status: res.StatusCode, Header: map[string]string{},
		Length: res.ContentLength >= 0 && len(res.TransferEncoding) == 0, Body: string(body)}
	for k := range res.Header {
		if k != "Date" && k != "Content-Length" {
			r.Header[k] = res.Header.Get(k)
		}
	}
	return r, nil
}

var rpsLine = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

func runWrk(dir, wrkPath, addr string, e endpoint, conns, threads int, d time.Duration) float64 {
	args := []string{"-c", strconv.Itoa(conns), "-d", d.String(), "--latency"}
	script := filepath.Join(dir, "script.lua")
	lua := luaFor(e)
	if e.perWP {
		threads = conns
		lua = fmt.Sprintf(e.lua, benchWPBase)
	}
	args = append(args, "-t", strconv.Itoa(threads))
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		fatalf("%v", err)
	}
	args = append(args, "-s", script, "http://"+addr+e.target)
	out, err := exec.Command(wrkPath, args...).CombinedOutput()
	if err != nil {
		fatalf("wrk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	m := rpsLine.FindSubmatch(out)
	if m == nil {
		fatalf("wrk printed no Requests/sec:\n%s", out)
	}
	if bytes.Contains(out, []byte("Non-2xx or 3xx responses")) {
		fatalf("%s on %s: non-2xx answers:\n%s", e.name, addr, out)
	}
	f, _ := strconv.ParseFloat(string(m[1]), 64)
	return f
}

// luaFor writes a wrk script sending e's method, headers and body.
func luaFor(e endpoint) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %q\n", e.method)
	if e.body != "" {
		fmt.Fprintf(&b, "wrk.body = %q\n", e.body)
	}
	keys := make([]string, 0, len(e.header))
	for k := range e.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "wrk.headers[%q] = %q\n", k, e.header[k])
	}
	return b.String()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
