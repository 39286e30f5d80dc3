package ssh

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/lure-sensor/lure/internal/asciicast"
	"github.com/lure-sensor/lure/internal/event"
)

func TestExecStreamsAndStatus(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	s.Stdout, s.Stderr = &stdout, &stderr
	err = s.Run("tout hello; terr oops")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 3 {
		t.Fatalf("exit: %v", err)
	}
	if stdout.String() != "out:hello\n" || stderr.String() != "err:oops\n" {
		t.Fatalf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	e := ts.events.wait(t, event.CommandInput, nil)
	if e.Fields["input"] != "tout hello; terr oops" || e.Message != "CMD: tout hello; terr oops" {
		t.Fatalf("input event %+v", e)
	}

	// Exec with a pty: one stream, CRLF line ends, TTY set.
	s2, _ := c.NewSession()
	if err := s2.RequestPty("vt100", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, err := s2.CombinedOutput("tenv; terr x")
	if err == nil {
		t.Fatal("want exit 3")
	}
	if string(out) != "LANG= FOO= TERM=vt100 TTY=pts/0\r\nerr:x\r\n" {
		t.Fatalf("pty exec output %q", out)
	}
}

// term drives an interactive session from the test.
type term struct {
	t    *testing.T
	in   io.WriteCloser
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

func (tm *term) pump(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		tm.mu.Lock()
		tm.buf.Write(b[:n])
		tm.mu.Unlock()
		if err != nil {
			close(tm.done)
			return
		}
	}
}

// expect waits for s in the output and consumes everything up to and including it.
func (tm *term) expect(s string) string {
	tm.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		all := tm.buf.String()
		if i := strings.Index(all, s); i >= 0 {
			tm.buf.Reset()
			tm.buf.WriteString(all[i+len(s):])
			tm.mu.Unlock()
			return all[:i+len(s)]
		}
		tm.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("did not see %q; output so far %q", s, tm.buf.String())
	return ""
}

func (tm *term) send(s string) {
	if _, err := io.WriteString(tm.in, s); err != nil {
		tm.t.Fatal(err)
	}
}

func TestInteractiveShell(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Setenv("LANG", "en_US.UTF-8"); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	tm := &term{t: t, in: in, done: make(chan struct{})}
	go tm.pump(out)
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	const prompt = "\x1b[?2004hroot@testhost:~# "
	banner := tm.expect(prompt)
	wantBanner := "Linux testhost 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64\r\n\r\nThe programs included with the Debian GNU/Linux system are free software;\r\n"
	if !strings.HasPrefix(banner, wantBanner) || !strings.Contains(banner, "permitted by applicable law.\r\nLast login: ") || !strings.HasSuffix(banner, "\r\r\n"+prompt) {
		t.Fatalf("banner %q", banner)
	}
	size := ts.events.wait(t, event.ClientSize, nil)
	if size.Fields["width"] != 120 || size.Fields["height"] != 40 {
		t.Fatalf("size %+v", size.Fields)
	}

	tm.send("tout a b\r")
	if got := tm.expect(prompt); got != "tout a b\r\n\x1b[?2004l\rout:a b\r\n"+prompt {
		t.Fatalf("command output %q", got)
	}
	tm.send("tenv\r")
	if got := tm.expect(prompt); !strings.Contains(got, "LANG=en_US.UTF-8 FOO= TERM=xterm-256color TTY=pts/0\r\n") {
		t.Fatalf("env output %q", got)
	}
	// Ctrl-C at the prompt with a half-typed line.
	tm.send("abc")
	tm.expect("abc")
	tm.send("\x03")
	if got := tm.expect(prompt); got != "^C\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n"+prompt {
		t.Fatalf("ctrl-c at prompt %q", got)
	}
	// Ctrl-C interrupts a running command.
	tm.send("tsleep\r")
	tm.expect("\x1b[?2004l\r")
	time.Sleep(100 * time.Millisecond)
	tm.send("\x03")
	if got := tm.expect(prompt); got != "^C\r\n"+prompt {
		t.Fatalf("ctrl-c in command %q", got)
	}
	// A password prompt reads without echo.
	tm.send("tread\r")
	tm.expect("New password: ")
	tm.send("s3cret\r")
	if got := tm.expect(prompt); got != "\r\n\r\ngot \"s3cret\\n\"\r\n"+prompt {
		t.Fatalf("password read %q", got)
	}
	// Window change is accepted while the shell runs; the line editor repaints the prompt
	// (readline does too, after SIGWINCH).
	if err := s.WindowChange(50, 132); err != nil {
		t.Fatal(err)
	}
	tm.expect("\x1b[Kroot@testhost:~# ")
	tm.send("tout z\r")
	if got := tm.expect(prompt); got != "tout z\r\n\x1b[?2004l\rout:z\r\n"+prompt {
		t.Fatalf("after resize %q", got)
	}
	// Ctrl-D logs out.
	tm.send("\x04")
	if got := tm.expect("logout\r\n"); got != "\x1b[?2004l\r\r\nlogout\r\n" {
		t.Fatalf("ctrl-d %q", got)
	}
	if err := s.Wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}

	lc := ts.events.wait(t, event.LogClosed, nil)
	path := lc.Fields["ttylog"].(string)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := asciicast.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.Width != 120 || r.Header.Height != 40 || r.Header.Env["TERM"] != "xterm-256color" {
		t.Fatalf("header %+v", r.Header)
	}
	var outRec, inRec strings.Builder
	resized := false
	for {
		ev, err := r.Next()
		if err != nil {
			break
		}
		switch ev.Type {
		case "o":
			outRec.WriteString(ev.Data)
		case "i":
			inRec.WriteString(ev.Data)
		case "r":
			resized = ev.Data == "132x50"
		}
	}
	if !strings.Contains(outRec.String(), "out:a b\r\n") || !strings.HasSuffix(outRec.String(), "logout\r\n") {
		t.Fatalf("recorded output %q", outRec.String())
	}
	if !strings.Contains(inRec.String(), "tout a b\r") || !strings.Contains(inRec.String(), "s3cret\r") {
		t.Fatalf("recorded input %q", inRec.String())
	}
	if !resized {
		t.Fatal("resize not recorded")
	}
	if lc.Fields["size"].(int) <= 0 || len(lc.Fields["shasum"].(string)) != 64 {
		t.Fatalf("log.closed %+v", lc.Fields)
	}
	var inputs []string
	for _, e := range ts.events.all(event.CommandInput) {
		inputs = append(inputs, e.Fields["input"].(string))
	}
	if strings.Join(inputs, "|") != "tout a b|tenv|tsleep|tread|tout z" {
		t.Fatalf("command.input events %q", inputs)
	}
}

func TestInteractiveExit(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	s, _ := c.NewSession()
	if err := s.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	tm := &term{t: t, in: in, done: make(chan struct{})}
	go tm.pump(out)
	s.Shell()
	tm.expect("# ")
	tm.send("exit 7\r")
	if got := tm.expect("logout\r\n"); got != "exit 7\r\n\x1b[?2004l\rlogout\r\n" {
		t.Fatalf("exit output %q", got)
	}
	var ee *gossh.ExitError
	if err := s.Wait(); !errors.As(err, &ee) || ee.ExitStatus() != 7 {
		t.Fatalf("exit status %v", err)
	}
}

func TestShellWithoutPTY(t *testing.T) {
	ts := startServer(t, nil)
	c := dial(t, ts)
	s, _ := c.NewSession()
	s.Stdin = strings.NewReader("tout one\nfor i in 1 2; do\ntout $i\ndone\n")
	var stdout bytes.Buffer
	s.Stdout = &stdout
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "out:one\nout:1\nout:2\n" {
		t.Fatalf("output %q", stdout.String())
	}
}
