package session

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// The bytes bash 5.2 writes for root's prompt on an xterm: bracketed paste on, then the
// prompt of /etc/bash.bashrc (root's own .bashrc from base-files sets no xterm title).
func ps1(host string) string {
	return pasteOn + "root@" + host + ":~# "
}

// ps2 is the continuation prompt as bash writes it after the Enter of the previous line.
const ps2 = pasteOff + pasteOn + "> "

// sessionEnv is a logged-in root session over the default persona, with its events.
type sessionEnv struct {
	t    *testing.T
	per  *persona.Persona
	fs   *vfs.FS
	host string

	mu     sync.Mutex
	events []event.Event
}

func newSessionEnv(t *testing.T) *sessionEnv {
	t.Helper()
	p, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &sessionEnv{t: t, per: p, fs: vfs.NewMemFS(p), host: p.Hostname}
}

func (e *sessionEnv) session() *Session {
	u, ok := e.per.LookupUser("root")
	if !ok {
		e.t.Fatal("no root in the persona")
	}
	ev := NewEvents(Meta{ID: NewID(), SrcIP: "198.51.100.7", Protocol: "ssh"}, event.EmitterFunc(func(ev event.Event) {
		e.mu.Lock()
		e.events = append(e.events, ev)
		e.mu.Unlock()
	}))
	return New(Config{Events: ev, Persona: e.per, User: u, FS: e.fs, Commands: commands.Default()})
}

func (e *sessionEnv) inputs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.events {
		if ev.EventID == event.CommandInput {
			out = append(out, ev.Fields["input"].(string))
		}
	}
	return out
}

// screen collects what the terminal receives.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// terminal drives Interactive through a pipe, as a client typing on a pty.
type terminal struct {
	t      *testing.T
	keys   *io.PipeWriter
	screen *screen
	mark   int // screen offset where the next expectation starts
	done   chan int
}

func (e *sessionEnv) login(opt InteractiveOptions) *terminal {
	e.t.Helper()
	if opt.PTY.Term == "" {
		opt.PTY = PTY{Term: "xterm", Width: 80, Height: 24}
	}
	r, w := io.Pipe()
	term := &terminal{t: e.t, keys: w, screen: &screen{}, done: make(chan int, 1)}
	sess := e.session()
	go func() {
		term.done <- sess.Interactive(context.Background(), struct {
			io.Reader
			io.Writer
		}{r, term.screen}, opt)
	}()
	e.t.Cleanup(func() { w.Close() })
	term.expect(ps1(e.host))
	return term
}

func (tm *terminal) typ(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.keys, s); err != nil {
		tm.t.Fatalf("typing %q: %v", s, err)
	}
}

// waitFor waits until the screen, after the mark, contains want, and moves the mark past it.
// It returns what came before want.
func (tm *terminal) waitFor(want string) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.screen.String()[tm.mark:]
		if i := strings.Index(s, want); i >= 0 {
			tm.mark += i + len(want)
			return s[:i]
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("terminal never showed %q; after the last expectation it shows %q", want, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expect checks that the screen continues with exactly want.
func (tm *terminal) expect(want string) {
	tm.t.Helper()
	if before := tm.waitFor(want); before != "" {
		tm.t.Fatalf("terminal showed %q before %q", before, want)
	}
}

func (tm *terminal) exitStatus() int {
	tm.t.Helper()
	select {
	case st := <-tm.done:
		return st
	case <-time.After(20 * time.Second):
		tm.t.Fatalf("the shell did not end; screen after the last expectation: %q", tm.screen.String()[tm.mark:])
	}
	return -1
}

func TestInteractiveMultiLineCommand(t *testing.T) {
	e := newSessionEnv(t)
	tm := e.login(InteractiveOptions{})
	// Bytes of a real bash 5.2 under tmux for the same keys.
	tm.typ("for i in 1 2\r")
	tm.expect("for i in 1 2\r\n" + ps2)
	tm.typ("do echo $i\r")
	tm.expect("do echo $i\r\n" + ps2)
	tm.typ("done\r")
	tm.expect("done\r\n" + pasteOff + "1\r\n2\r\n" + ps1(e.host))

	tm.typ("echo a \\\r")
	tm.expect("echo a \\\r\n" + ps2)
	tm.typ("b\r")
	tm.expect("b\r\n" + pasteOff + "a b\r\n" + ps1(e.host))

	tm.typ("echo 'x\r")
	tm.expect("echo 'x\r\n" + ps2)
	tm.typ("y'\r")
	tm.expect("y'\r\n" + pasteOff + "x\r\ny\r\n" + ps1(e.host))

	tm.typ("echo hi |\r")
	tm.expect("echo hi |\r\n" + ps2)
	tm.typ("tr a-z A-Z\r")
	tm.expect("tr a-z A-Z\r\n" + pasteOff + "HI\r\n" + ps1(e.host))

	// A backslash in a comment continues nothing.
	tm.typ("echo c # \\\r")
	tm.expect("echo c # \\\r\n" + pasteOff + "c\r\n" + ps1(e.host))

	// The arrows recall the whole command, on one line as bash shows it.
	tm.typ("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A")
	tm.waitFor("for i in 1 2; do echo $i; done")
	tm.typ("\r")
	tm.waitFor("1\r\n2\r\n" + ps1(e.host))

	want := []string{"for i in 1 2\ndo echo $i\ndone", "echo a \\\nb", "echo 'x\ny'", "echo hi |\ntr a-z A-Z", "echo c # \\", "for i in 1 2; do echo $i; done"}
	if got := e.inputs(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("command events %q\nwant %q", got, want)
	}
	tm.typ("exit\r")
	tm.waitFor("logout\r\n")
	if st := tm.exitStatus(); st != 0 {
		t.Fatalf("exit status %d", st)
	}
}

func TestInteractiveInterruptsAndEOFInContinuation(t *testing.T) {
	e := newSessionEnv(t)
	tm := e.login(InteractiveOptions{})
	// Ctrl-C on a continuation line drops the command, as at the prompt.
	tm.typ("for i in 1\r")
	tm.expect("for i in 1\r\n" + ps2)
	tm.typ("echo x\x03")
	tm.expect("echo x" + ctrlCAtPrompt + ps1(e.host))
	tm.typ("echo ok\r")
	tm.expect("echo ok\r\n" + pasteOff + "ok\r\n" + ps1(e.host))

	// Ctrl-D inside an unfinished compound command: bash reports it and logs out.
	tm.typ("for i in 1\r")
	tm.expect("for i in 1\r\n" + ps2)
	tm.typ("\x04")
	tm.expect(pasteOff + "\r\n-bash: syntax error: unexpected end of file\r\nlogout\r\n")
	if st := tm.exitStatus(); st != 2 {
		t.Fatalf("exit status %d, bash exits with 2", st)
	}

	// Inside a quote, bash prompts once more and ends after that line, without running it.
	tm = e.login(InteractiveOptions{})
	tm.typ("false\r")
	tm.expect("false\r\n" + pasteOff + ps1(e.host))
	tm.typ("echo 'abc\r")
	tm.expect("echo 'abc\r\n" + ps2)
	tm.typ("\x04")
	tm.expect(pasteOff + "\r\n-bash: unexpected EOF while looking for matching `''\r\n" + pasteOn + "> ")
	tm.typ("echo hi\r")
	tm.expect("echo hi\r\n" + pasteOff)
	if st := tm.exitStatus(); st != 1 {
		t.Fatalf("exit status %d, want the last command's (1)", st)
	}
	if strings.Contains(tm.screen.String()[tm.mark:], "hi") {
		t.Fatal("the line after the EOF error ran")
	}
}

func TestInteractiveWindowChange(t *testing.T) {
	e := newSessionEnv(t)
	resize := make(chan Size)
	taken := make(chan struct{}, 1)
	tm := e.login(InteractiveOptions{PTY: PTY{Term: "xterm", Width: 100, Height: 30}, Resize: resize,
		resized: func() { taken <- struct{}{} }})
	tm.typ("echo $COLUMNS $LINES; tput cols; env | grep -c -e COLUMNS -e LINES\r")
	tm.waitFor("\r\n" + pasteOff + "100 30\r\n100\r\n0\r\n" + ps1(e.host))
	resize <- Size{Width: 132, Height: 43}
	<-taken
	tm.typ("echo $COLUMNS $LINES; tput cols\r")
	tm.waitFor("\r\n" + pasteOff + "132 43\r\n132\r\n" + ps1(e.host))
}

func TestInteractiveHistoryAcrossLogins(t *testing.T) {
	e := newSessionEnv(t)
	tm := e.login(InteractiveOptions{})
	tm.typ("echo first\r")
	tm.waitFor("first\r\n" + ps1(e.host))
	tm.typ("echo $((1+1))\r")
	tm.waitFor("2\r\n" + ps1(e.host))
	tm.typ("\x04") // Ctrl-D logs out and writes the history
	tm.expect(ctrlDAtPrompt)
	tm.exitStatus()
	data, err := e.fs.ReadFile("/root/.bash_history")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(data), "echo first\n") && !strings.Contains(string(data), "echo first\n") {
		t.Fatalf("history file after Ctrl-D: %q", data)
	}

	// The next login from that address (same filesystem) recalls it, and a hang-up saves too.
	tm = e.login(InteractiveOptions{})
	tm.typ("history 3\r")
	out := tm.waitFor(ps1(e.host))
	if !strings.Contains(out, "  echo first\r\n") || !strings.Contains(out, "  echo $((1+1))\r\n") {
		t.Fatalf("history at the next login: %q", out)
	}
	tm.typ("\x1b[A\x1b[A\r") // up twice: past `history 3` to the arithmetic
	tm.waitFor("2\r\n" + ps1(e.host))
	tm.typ("echo second\r")
	tm.waitFor("second\r\n" + ps1(e.host))
	tm.keys.Close() // the client disconnects
	tm.exitStatus()
	data, _ = e.fs.ReadFile("/root/.bash_history")
	if !strings.HasSuffix(string(data), "echo second\n") {
		t.Fatalf("history file after a hang-up: %q", data)
	}
	tm = e.login(InteractiveOptions{})
	tm.typ("\x1b[A\r")
	tm.waitFor("second\r\n" + ps1(e.host))
}

func TestInteractiveCompletionListing(t *testing.T) {
	e := newSessionEnv(t)
	for _, f := range []string{"sha224sum", "sha256sum"} {
		if _, err := e.fs.Stat("/usr/bin/" + f); err != nil {
			t.Fatalf("persona lacks %s: %v", f, err)
		}
	}
	tm := e.login(InteractiveOptions{})
	// Bytes of a real bash: a bell, then on the second Tab the list and the line redrawn.
	tm.typ("ls /usr/bin/sha2")
	tm.expect("ls /usr/bin/sha2")
	tm.typ("\t")
	tm.expect(bell)
	tm.typ("\t")
	title, prompt := splitTitle(ps1(e.host)[len(pasteOn):])
	tm.expect("\r\nsha224sum  sha256sum  \r\n" + title + prompt + "ls /usr/bin/sha2")
	// The editor's idea of the line survives the redraw: typing goes on where it was.
	tm.typ("24sum\r")
	tm.waitFor("/usr/bin/sha224sum\r\n" + ps1(e.host))

	// Many candidates: bash asks first; n redraws, y lists with a pager.
	tm.typ("ls /usr/bin/\t")
	tm.waitFor(bell)
	tm.typ("\t")
	q := tm.waitFor(" possibilities? (y or n)")
	if !strings.HasPrefix(q, "\r\nDisplay all ") {
		t.Fatalf("question %q", q)
	}
	tm.typ("n")
	tm.expect("\r\n" + title + prompt + "ls /usr/bin/")
	tm.typ("\t")
	tm.waitFor("(y or n)")
	tm.typ("x") // not an answer: a bell
	tm.expect(bell)
	tm.typ("y")
	page := tm.waitFor("--More--")
	if rows := strings.Count(page, "\r\n"); rows != 24 { // the crlf after the question + 23 rows
		t.Fatalf("first page has %d line ends: %q", rows, page)
	}
	tm.typ("\r") // one line more
	one := tm.waitFor("--More--")
	if !strings.HasPrefix(one, "\r\x1b[K\r") || strings.Count(one, "\r\n") != 1 {
		t.Fatalf("Enter at --More-- showed %q", one)
	}
	tm.typ("q")
	tm.expect("\r\x1b[K\r" + title + prompt + "ls /usr/bin/")
	tm.typ("\x15echo done\r") // Ctrl-U clears the line
	tm.waitFor("done\r\n" + ps1(e.host))
}

func TestExecUmaskSumsAndEnv(t *testing.T) {
	e := newSessionEnv(t)
	sess := e.session()
	run := func(cmd string, pty *PTY) string {
		var out bytes.Buffer
		sess.Exec(context.Background(), ExecOptions{Command: cmd, Stdout: &out, Stderr: &out, PTY: pty})
		return out.String()
	}
	out := run("cd /tmp; umask 077; touch f; mkdir d; ls -ld f d; umask 0; touch g; ls -l g; umask", nil)
	lines := strings.Split(out, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "drwx------ ") || !strings.HasPrefix(lines[1], "-rw------- ") ||
		!strings.HasPrefix(lines[2], "-rw-rw-rw- ") || lines[3] != "0000" {
		t.Fatalf("umask: %q", out)
	}
	if out := run("touch /tmp/h; ls -l /tmp/h", nil); !strings.HasPrefix(out, "-rw-r--r-- ") {
		t.Fatalf("default umask: %q", out)
	}
	if out := run("umask 027; env; set; declare -p", nil); strings.Contains(out, "LURE") || strings.Contains(out, "UMASK") {
		t.Fatalf("the umask leaks into the environment: %q", out)
	}
	md5hex, _, _, ok := e.per.Hashes("/usr/bin/ls")
	if !ok {
		t.Fatal("no recorded digest for /usr/bin/ls")
	}
	if out := run("md5sum /usr/bin/ls", nil); out != md5hex+"  /usr/bin/ls\n" {
		t.Fatalf("md5sum /usr/bin/ls = %q, recorded %s", out, md5hex)
	}
	x := md5.Sum([]byte("x\n"))
	if out := run("echo x > /tmp/y; md5sum /tmp/y", nil); out != fmt.Sprintf("%x  /tmp/y\n", x) {
		t.Fatalf("md5sum /tmp/y = %q", out)
	}
	// With a pty (ssh -t), programs see a terminal of the requested width.
	if out := run("ls /", &PTY{Term: "xterm", Width: 40, Height: 10}); !strings.Contains(out, "  ") || strings.Count(out, "\r\n") < 2 {
		t.Fatalf("ls on a 40-column pty: %q", out)
	} else {
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 40 {
				t.Fatalf("line wider than the pty: %q", l)
			}
		}
	}
	if out := run("ls /", nil); strings.Contains(out, "  ") {
		t.Fatalf("ls without a pty prints columns: %q", out)
	}
}

func TestShellsOfOneSessionHaveTheirOwnPID(t *testing.T) {
	e := newSessionEnv(t)
	sess := e.session()
	pids := map[string]bool{}
	for i := 0; i < 3; i++ {
		var out bytes.Buffer
		sess.Exec(context.Background(), ExecOptions{Command: "echo $$", Stdout: &out, Stderr: &out})
		pids[out.String()] = true
	}
	if len(pids) != 3 {
		t.Fatalf("three channels share pids: %v", pids)
	}
}

func TestScriptJoinsBackslashContinuation(t *testing.T) {
	e := newSessionEnv(t)
	var out bytes.Buffer
	e.session().Script(context.Background(), strings.NewReader("echo a \\\nb\necho c # \\\necho d\n"), &out, &out, nil)
	if out.String() != "a b\nc\nd\n" {
		t.Fatalf("script output %q", out.String())
	}
}

func TestListRowsAsReadline(t *testing.T) {
	// `ls d/` Tab Tab in a 40-column real bash over these names.
	var items []listItem
	for _, n := range []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
		"lambda", "mu", "nu", "xi", "omicron-long-name", "pi", "rho", "subdir/", "other/"} {
		items = append(items, listItem{name: strings.TrimSuffix(n, "/"), dir: strings.HasSuffix(n, "/")})
	}
	items = displayNames(namesOf(items))
	want := []string{
		"alpha              nu",
		"beta               omicron-long-name",
		"delta              other/",
		"epsilon            pi",
		"eta                rho",
		"gamma              subdir/",
		"iota               theta",
		"kappa              xi",
		"lambda             zeta",
		"mu                 ",
	}
	if got := listRows(items, 40); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("rows\n%q\nwant\n%q", got, want)
	}
	// One row when everything fits; every entry padded but the limit column.
	five := displayNames([]string{"/usr/bin/tabs", "/usr/bin/tac", "/usr/bin/tail", "/usr/bin/tar", "/usr/bin/taskset"})
	if got := listRows(five, 80); len(got) != 1 || got[0] != "tabs     tac      tail     tar      taskset  " {
		t.Fatalf("rows %q", got)
	}
	// Escaped names are shown as they are.
	if got := displayNames([]string{`/tmp/a\ b`, `/tmp/a\ b`}); len(got) != 1 || got[0].name != "a b" {
		t.Fatalf("names %+v", got)
	}
}

func namesOf(items []listItem) []string {
	var out []string
	for _, it := range items {
		n := "d/" + it.name
		if it.dir {
			n += "/"
		}
		out = append(out, n)
	}
	return out
}

func TestEditorEntryJoinsAsBash(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"for i in 1 2\ndo echo $i\ndone", "for i in 1 2; do echo $i; done"},
		{"echo a \\\nb", "echo a b"},
		{"echo 'x\ny'", "echo 'x\ny'"},
		{"ls |\ncat", "ls | cat"},
		{"if true\nthen echo t\nfi", "if true; then echo t; fi"},
		{"ls &&\nid", "ls && id"},
		{"f() {\necho\n}", "f() { echo; }"},
		{"cat <<EOF\nhi\nEOF", "cat <<EOF\nhi\nEOF"},
		{"ls", "ls"},
	} {
		if got := editorEntry(c.in); got != c.want {
			t.Errorf("editorEntry(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBackslashContinuesAndLexerEOF(t *testing.T) {
	for src, want := range map[string]bool{
		`echo a \`: true, `echo a \\`: false, `echo a # c \`: false, `echo a`: false, `echo "a \`: false,
	} {
		if got := backslashContinues(src); got != want {
			t.Errorf("backslashContinues(%q) = %v", src, got)
		}
	}
	for src, want := range map[string]bool{
		"echo 'a": true, `echo "a`: true, "echo $(ls": true, "for i in 1": false, "if true": false, "echo": false,
	} {
		if got := lexerEOF(src); got != want {
			t.Errorf("lexerEOF(%q) = %v", src, got)
		}
	}
}
