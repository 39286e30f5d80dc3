package shell

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// waitGoroutines waits until the goroutine count is back to at most n (pipeline members
// and watchers finish shortly after Run returns).
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > n {
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%d goroutines left (want <= %d):\n%s", g, n, buf)
	}
}

func TestLimitsEndRunaways(t *testing.T) {
	cases := []struct {
		name, src string
		errHas    string // expected in stderr ("" = anything)
		maxOut    int64
	}{
		{"echo loop", "while true; do echo x; done", "", 1 << 20},
		{"fork bomb", ":(){ :|:& };:", "fork: retry: Resource temporarily unavailable", 0},
		{"yes", "yes", "", 1 << 20},
		{"doubling variable", "x=a; while true; do x=$x$x; done", "cannot allocate", 0},
		{"silent loop", "while true; do :; done", "", 0},
		{"yes to /dev/null", "yes > /dev/null", "", 0},
		{"recursion", "f(){ f; }; f", "", 0},
		{"substitution of yes", "x=$(yes); echo ${#x}", "cannot allocate", 0},
		{"pipe of loops", "while :; do echo a; done | while read l; do :; done", "", 0},
		{"for over huge brace", "for i in {1..100000000}; do :; done", "", 0},
		{"c loop", "for ((;;)); do :; done", "", 0},
		{"nested subshells", "f(){ (f); }; f", "", 0},
		{"eval bomb", "s='eval \"$s\"'; eval \"$s\"", "", 0},
		{"sleep", "sleep 100", "", 0},
		{"file growth", "while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done > /tmp/big", "", 0},
	}
	base := runtime.NumGoroutine()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShell(t, testOpts{limits: Limits{Timeout: 3 * time.Second}})
			done := make(chan struct{})
			var out, errb bytes.Buffer
			var st int
			go func() {
				st = s.Run(context.Background(), c.src, strings.NewReader(""), &out, &errb)
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%q did not end", c.src)
			}
			if st == 0 {
				t.Errorf("%q: status 0 after a limit", c.src)
			}
			limit := c.maxOut
			if limit == 0 {
				limit = 1 << 20
			}
			if int64(out.Len()+errb.Len()) > limit {
				t.Errorf("%q: %d bytes of output, over the cap", c.src, out.Len()+errb.Len())
			}
			if c.errHas != "" && !strings.Contains(errb.String(), c.errHas) {
				t.Errorf("%q: stderr %q lacks %q", c.src, errb.String(), c.errHas)
			}
			// the shell stays usable
			o, e, st2 := run(t, s, "echo next; x=1; echo $x")
			if o != "next\n1\n" || e != "" || st2 != 0 {
				t.Errorf("after %q: out=%q err=%q status=%d", c.src, o, e, st2)
			}
		})
	}
	waitGoroutines(t, base+2)
}

func TestLimitsPipelineEndsWriter(t *testing.T) {
	s := newTestShell(t, testOpts{})
	out, errs, st := run(t, s, "yes | head -1")
	if out != "y\n" || errs != "" || st != 0 {
		t.Fatalf("yes | head -1: out=%q err=%q status=%d", out, errs, st)
	}
	out, _, st = run(t, s, "while true; do echo x; done | head -2; echo ${PIPESTATUS[@]}")
	if out != "x\nx\n141 0\n" || st != 0 {
		t.Fatalf("loop | head: out=%q status=%d", out, st)
	}
	out, _, _ = run(t, s, "set -o pipefail; yes | head -1; echo $?")
	if out != "y\n141\n" {
		t.Fatalf("pipefail: out=%q", out)
	}
}

func TestLimitsInterruptFromSession(t *testing.T) {
	s := newTestShell(t, testOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	var out, errb bytes.Buffer
	st := s.Run(ctx, "sleep 100", strings.NewReader(""), &out, &errb)
	if st != 130 {
		t.Fatalf("interrupted sleep: status %d, want 130", st)
	}
	if o, _, _ := run(t, s, "echo ok"); o != "ok\n" {
		t.Fatalf("after interrupt: %q", o)
	}
}

func TestLimitsStepsCountLoops(t *testing.T) {
	s := newTestShell(t, testOpts{limits: Limits{MaxSteps: 50}})
	out, _, st := run(t, s, "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do echo $i; done")
	if st == 0 || strings.Count(out, "\n") >= 30 {
		t.Fatalf("50 steps ran %d iterations (status %d)", strings.Count(out, "\n"), st)
	}
	out, _, st = run(t, s, "echo small")
	if out != "small\n" || st != 0 {
		t.Fatalf("next line: %q %d", out, st)
	}
}

func TestLimitsProcs(t *testing.T) {
	s := newTestShell(t, testOpts{limits: Limits{MaxProcs: 2}})
	_, errs, st := run(t, s, "echo a | cat | cat | cat | cat")
	if !strings.Contains(errs, "fork: retry: Resource temporarily unavailable") || st == 0 {
		t.Fatalf("5-member pipeline with MaxProcs 2: err=%q status=%d", errs, st)
	}
	out, errs, st := run(t, s, "echo a | cat")
	if out != "a\n" || errs != "" || st != 0 {
		t.Fatalf("2-member pipeline: out=%q err=%q status=%d", out, errs, st)
	}
}

func TestLimitsExpansionBlowups(t *testing.T) {
	cases := []string{
		"x=$(printf '%*s' 1000000 ''); y=$x$x$x$x$x$x$x$x$x$x$x$x$x$x$x$x; echo ${#y}",
		"x=$(printf '%*s' 1000000 ''); echo $x$x$x$x$x$x$x$x$x$x$x$x$x$x$x$x | wc -c",
		"x=$(printf '%*s' 100000 ''); y=${x// /$x}; echo ${#y}",
		"x=$(printf '%*s' 100000 ''); a=(\"$x\" \"$x\"); y=\"${a[@]// /$x}\"; echo ${#y}",
		"x=$(printf '%*s' 3000000 ''); echo \"$(echo \"$x\")$(echo \"$x\")$(echo \"$x\")\" | wc -c",
	}
	for _, src := range cases {
		s := newTestShell(t, testOpts{})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, errs, st := run(t, s, src)
		runtime.ReadMemStats(&after)
		if st == 0 || !strings.Contains(errs, "cannot allocate") {
			t.Errorf("%q: status %d, err %q", src, st, errs)
		}
		if grown := int64(after.TotalAlloc - before.TotalAlloc); grown > 512<<20 {
			t.Errorf("%q allocated %d MiB", src, grown>>20)
		}
		if o, _, _ := run(t, s, "echo ok"); o != "ok\n" {
			t.Errorf("after %q: %q", src, o)
		}
	}
	// large but legitimate replacements still work
	s := newTestShell(t, testOpts{})
	out, errs, st := run(t, s, "x=$(printf '%*s' 1500000 ''); y=${x//a/bb}; echo ${#y}; p=${PATH//:/ }; echo ${p%% *}")
	if out != "1500000\n/usr/local/sbin\n" || errs != "" || st != 0 {
		t.Errorf("legit replacement: %q %q %d", out, errs, st)
	}
}

// slowReader delivers its data after a pause, as a human typing does.
type slowReader struct {
	wait  time.Duration
	data  string
	slept bool
}

func (s *slowReader) Read(p []byte) (int, error) {
	if !s.slept {
		time.Sleep(s.wait)
		s.slept = true
	}
	if s.data == "" {
		return 0, io.EOF
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

func TestLimitsWaitingForInputIsNotCounted(t *testing.T) {
	s := newTestShell(t, testOpts{interactive: true, limits: Limits{Timeout: 200 * time.Millisecond}})
	var out, errb bytes.Buffer
	st := s.Run(context.Background(), "read -r answer; echo \"got $answer\"", &slowReader{wait: 600 * time.Millisecond, data: "yes\n"}, &out, &errb)
	if out.String() != "got yes\n" || st != 0 {
		t.Fatalf("a slow typist was cut: out=%q err=%q status=%d", out.String(), errb.String(), st)
	}
	// but a busy loop still is
	st = s.Run(context.Background(), "sleep 5", strings.NewReader(""), &out, &errb)
	if st == 0 {
		t.Fatalf("sleep 5 under a 200ms limit: status 0")
	}
}
