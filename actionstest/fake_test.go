package actionstest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakeTB is a testing.TB that records failures instead of failing. The
// embedded (nil) testing.TB satisfies the interface's private method; the
// kit calls only the methods defined here. FailNow, and so Fatal and
// Fatalf, stop the calling goroutine with runtime.Goexit, as testing does:
// run the code under test with runTB.
type fakeTB struct {
	testing.TB

	mu       sync.Mutex
	errors   []string // "error: ..." and "fatal: ..." in order
	logs     []string
	failed   bool
	finished bool // the function under test returned (no FailNow)
}

// runTB runs f with a fakeTB in a goroutine and waits for it to end,
// normally or through FailNow.
func runTB(f func(t testing.TB)) *fakeTB {
	tb := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(tb)
		tb.mu.Lock()
		tb.finished = true
		tb.mu.Unlock()
	}()
	<-done
	return tb
}

func (f *fakeTB) record(kind, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// go-cmp randomly indents its diffs with non-breaking spaces, so that
	// nobody depends on its exact output; these tests do, knowingly.
	msg = strings.ReplaceAll(msg, "\u00a0", " ")
	if kind == "log" {
		f.logs = append(f.logs, msg)
		return
	}
	f.errors = append(f.errors, kind+": "+msg)
	f.failed = true
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Name() string                   { return "fake" }
func (f *fakeTB) Error(args ...any)              { f.record("error", fmt.Sprint(args...)) }
func (f *fakeTB) Errorf(format string, a ...any) { f.record("error", fmt.Sprintf(format, a...)) }
func (f *fakeTB) Log(args ...any)                { f.record("log", fmt.Sprint(args...)) }
func (f *fakeTB) Logf(format string, a ...any)   { f.record("log", fmt.Sprintf(format, a...)) }
func (f *fakeTB) Fatal(args ...any)              { f.record("fatal", fmt.Sprint(args...)); f.FailNow() }
func (f *fakeTB) Fatalf(format string, a ...any) {
	f.record("fatal", fmt.Sprintf(format, a...))
	f.FailNow()
}
func (f *fakeTB) Fail()                         { f.mu.Lock(); f.failed = true; f.mu.Unlock() }
func (f *fakeTB) Failed() bool                  { f.mu.Lock(); defer f.mu.Unlock(); return f.failed }
func (f *fakeTB) FailNow()                      { f.Fail(); runtime.Goexit() }
func (f *fakeTB) Skip(args ...any)              { f.SkipNow() }
func (f *fakeTB) Skipf(format string, a ...any) { f.SkipNow() }
func (f *fakeTB) SkipNow()                      { runtime.Goexit() }

// messages returns the recorded failures.
func (f *fakeTB) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}
