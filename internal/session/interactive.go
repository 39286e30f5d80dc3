package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/lure-sensor/lure/internal/asciicast"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/vfs"
)

// Bytes bash 5.2's readline writes around each prompt (bracketed paste on while editing,
// off while a command runs), and what it writes for Ctrl-C and Ctrl-D. Captured from a real
// Debian 12 login over ssh -tt.
const (
	pasteOn  = "\x1b[?2004h"
	pasteOff = "\x1b[?2004l\r"
	// At the prompt, Ctrl-C echoes ^C, leaves and re-enters paste mode, then a new line.
	ctrlCAtPrompt = "^C" + pasteOff + pasteOn + pasteOff + "\r\n"
	// Ctrl-D on an empty line: leave paste mode, new line, then bash's logout.
	ctrlDAtPrompt = pasteOff + "\r\n" + "logout\r\n"
	logoutLine    = "logout\r\n"
)

// maxInputQueue bounds typed-ahead input; beyond it bytes are dropped, as a tty's input
// queue drops them, so a client flooding a shell costs bounded memory.
const maxInputQueue = 64 << 10

// historySize is bash's default HISTSIZE.
const historySize = 500

// Size is a terminal size change.
type Size struct{ Width, Height int }

// InteractiveOptions describe an interactive (shell) channel.
type InteractiveOptions struct {
	PTY PTY
	TTY string // "pts/0"
	// Env holds the client variables already filtered (LANG, LC_*); TERM comes from PTY.
	Env map[string]string
	// Banner is written before the first prompt, as is (the frontend renders the motd and
	// the Last login line with the CRLFs a pty would produce).
	Banner []byte
	// Resize delivers window changes; it may be nil.
	Resize <-chan Size

	// resized, when set (tests), is called after a window change has been taken in.
	resized func()
}

// Interactive runs a login shell on a terminal until the client logs out, the channel
// closes or ctx ends, and returns the exit status. rw is the channel: reads are what the
// client types, writes go to its terminal. The session is recorded when a TTY directory is
// configured, and cowrie.log.closed is emitted when the recording ends. However the shell
// ends (exit, Ctrl-D, a closed channel), its history is appended to ~/.bash_history in the
// session's filesystem, as bash does, so the next login from that address finds it.
func (s *Session) Interactive(ctx context.Context, rw io.ReadWriter, opt InteractiveOptions) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := s.cfg.Clock()
	pty := opt.PTY
	if pty.Width <= 0 {
		pty.Width = 80
	}
	if pty.Height <= 0 {
		pty.Height = 24
	}

	rec, recPath, recFile := s.startRecording(opt, start, pty.Width, pty.Height)
	defer func() {
		s.finishRecording(rec, recFile, recPath, start)
	}()
	out := &ttyOut{w: rw, rec: rec}

	env := copyEnv(opt.Env)
	if pty.Term != "" {
		env["TERM"] = pty.Term
	}
	sh := s.NewShell(ShellOptions{Interactive: true, TTY: opt.TTY, Env: env, PTY: &pty})
	// A hang-up or Ctrl-D ends bash as `exit` does: it writes its history.
	defer sh.Logout()

	in := newTTYIn(out, rec)
	go in.pump(rw)
	go func() {
		<-ctx.Done()
		in.fail(ctx.Err())
	}()

	c := newConsole(s, sh, in, out, Size{pty.Width, pty.Height})
	// readline does not use bracketed paste on a dumb terminal.
	c.paste = pty.Term != "" && pty.Term != "dumb"
	c.hist.load(s.cfg.FS, s.cfg.User.Home+"/.bash_history")
	if opt.Resize != nil {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case sz, ok := <-opt.Resize:
					if !ok {
						return
					}
					c.setSize(sz)
					if rec != nil {
						rec.WriteResize(sz.Width, sz.Height)
					}
					if opt.resized != nil {
						opt.resized()
					}
				}
			}
		}()
	}

	if len(opt.Banner) > 0 {
		_, _ = out.Write(opt.Banner)
	}
	status := 0
	for ctx.Err() == nil {
		src, next, st := c.readCommand(ctx, status)
		switch next {
		case stepEnd:
			return st
		case stepPrompt:
			continue
		}
		at := s.cfg.Events.clock()
		status = c.run(ctx, src)
		if strings.TrimSpace(src) != "" {
			s.commandInput(at, src, sh)
		}
		if exited, st := sh.Exited(); exited {
			// bash's exit builtin prints "logout" itself in a login shell.
			return st
		}
	}
	return status
}

// step tells the interactive loop what to do after reading input.
type step int

const (
	stepRun    step = iota // run the command read
	stepPrompt             // nothing to run: show the prompt again (Ctrl-C)
	stepEnd                // the shell ends with the given status
)

// console is the terminal side of one interactive shell: the line editor, the prompts,
// continuation lines, completion and the window size.
type console struct {
	s     *Session
	sh    *shell.Shell
	in    *ttyIn
	out   *ttyOut
	paste bool
	hist  *history
	comp  *completer

	// histSeen and histLast follow the shell's history, so the line editor recalls what
	// bash would (history expansion applied, HISTCONTROL honoured).
	histSeen int
	histLast string

	mu      sync.Mutex // guards t, size and resized against the resize goroutine
	t       *term.Terminal
	size    Size
	resized bool // size changed since the shell last saw it
}

func newConsole(s *Session, sh *shell.Shell, in *ttyIn, out *ttyOut, size Size) *console {
	c := &console{s: s, sh: sh, in: in, out: out, hist: &history{}, size: size}
	c.comp = &completer{sh: sh, in: in, out: out, size: c.curSize}
	c.mu.Lock()
	c.t = c.newTerm()
	c.mu.Unlock()
	return c
}

// newTerm builds a fresh line editor (after Ctrl-C, so no half-read key survives).
// c.mu must be held.
func (c *console) newTerm() *term.Terminal {
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{c.in, c.out}, "")
	t.History = c.hist
	t.AutoCompleteCallback = c.comp.callback
	_ = t.SetSize(c.size.Width, c.size.Height)
	return t
}

func (c *console) term() *term.Terminal {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *console) resetTerm() {
	c.mu.Lock()
	c.t = c.newTerm()
	c.mu.Unlock()
}

func (c *console) curSize() Size {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// setSize takes a window change: the line editor wraps at the new width at once, the
// shell learns it before its next prompt or command (it is not safe for concurrent use).
func (c *console) setSize(sz Size) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sz.Width <= 0 || sz.Height <= 0 {
		return
	}
	c.size, c.resized = sz, true
	_ = c.t.SetSize(sz.Width, sz.Height)
}

// applySize hands a pending window change to the shell (COLUMNS, LINES, what programs
// see), as bash's checkwinsize does between commands.
func (c *console) applySize() {
	c.mu.Lock()
	sz, changed := c.size, c.resized
	c.resized = false
	c.mu.Unlock()
	if changed {
		c.sh.SetWindow(sz.Width, sz.Height)
	}
}

// readLine shows prompt and reads one edited line. On error, key tells whether Ctrl-C or
// Ctrl-D ended the read (0: the channel closed).
func (c *console) readLine(prompt string) (line string, key byte, err error) {
	title, visible := splitTitle(prompt)
	if c.paste {
		title = pasteOn + title
	}
	if title != "" {
		_, _ = c.out.Write([]byte(title))
	}
	t := c.term()
	t.SetPrompt(visible)
	c.comp.begin(prompt, visible)
	line, err = t.ReadLine()
	c.comp.end()
	if errors.Is(err, term.ErrPasteIndicator) {
		err = nil
	}
	if err != nil {
		return "", c.in.lastKey(), err
	}
	if c.paste {
		_, _ = c.out.Write([]byte(pasteOff))
	}
	return line, 0, nil
}

// readCommand reads one command: a line at PS1 and, while the shell says the command is
// incomplete (an open quote, `for` without `done`, a trailing `|` or `\`), more lines
// at PS2. The lines are joined with newlines and run as one input, as bash does. status is
// the last command's, which the shell ends with when the client hangs up.
func (c *console) readCommand(ctx context.Context, status int) (string, step, int) {
	c.applySize()
	line, key, err := c.readLine(c.sh.Prompt())
	if err != nil {
		switch key {
		case keyCtrlC:
			c.interrupted()
			return "", stepPrompt, 0
		case keyCtrlD:
			if c.paste {
				_, _ = c.out.Write([]byte(ctrlDAtPrompt))
			} else {
				_, _ = c.out.Write([]byte("\r\n" + logoutLine))
			}
		}
		return "", stepEnd, status
	}
	src := line
	for c.needsMore(src) {
		line, key, err := c.readLine(c.sh.Prompt2())
		if err != nil {
			switch key {
			case keyCtrlC:
				// bash drops the unfinished command and prompts anew.
				c.interrupted()
				return "", stepPrompt, 0
			case keyCtrlD:
				return "", stepEnd, c.eofInCommand(ctx, src, status)
			}
			return "", stepEnd, status
		}
		src += "\n" + line
	}
	return src, stepRun, 0
}

// needsMore reports whether src is an incomplete command, including a line ending in a
// backslash that continues it (outside a comment).
func (c *console) needsMore(src string) bool {
	return c.sh.NeedsMore(src) || backslashContinues(src)
}

// interrupted answers Ctrl-C at a prompt: ^C, a new line and a fresh line editor.
func (c *console) interrupted() {
	if c.paste {
		_, _ = c.out.Write([]byte(ctrlCAtPrompt))
	} else {
		_, _ = c.out.Write([]byte("^C\r\n"))
	}
	c.resetTerm()
}

// eofInCommand answers Ctrl-D on an empty continuation line: bash reads end of file in the
// middle of a command, reports it and exits. When its lexer was inside a quote or a $( ),
// it still shows PS2 once and exits after that line without running it; its parser (an
// unfinished `for` or `if`) exits at once with "logout". It returns the exit status.
func (c *console) eofInCommand(ctx context.Context, src string, status int) int {
	if c.paste {
		_, _ = c.out.Write([]byte(pasteOff))
	}
	_, _ = c.out.Write([]byte("\r\n"))
	at := c.s.cfg.Events.clock()
	st := c.run(ctx, src)
	c.s.commandInput(at, src, c.sh)
	if !lexerEOF(src) {
		_, _ = c.out.Write([]byte(logoutLine))
		return st
	}
	c.resetTerm() // the editor still counts the prompt the Ctrl-D ended as on screen
	_, key, err := c.readLine(c.sh.Prompt2())
	if err != nil && key == keyCtrlD {
		if c.paste {
			_, _ = c.out.Write([]byte(ctrlDAtPrompt))
		} else {
			_, _ = c.out.Write([]byte("\r\n" + logoutLine))
		}
	}
	return status
}

// run runs one command with the terminal as stdin and stdout, then follows the shell's
// history and a Ctrl-C that interrupted the command.
func (c *console) run(ctx context.Context, src string) int {
	c.applySize()
	status := c.s.runLine(ctx, c.sh, src, c.in, c.out, c.term)
	c.syncHistory()
	if c.in.takeInterrupted() {
		// The tty echoed ^C when it arrived; bash adds the newline after the child died.
		_, _ = c.out.Write([]byte("\r\n"))
		c.resetTerm()
	}
	return status
}

// syncHistory gives the line editor the entry the shell recorded for the last command.
func (c *console) syncHistory() {
	h := c.sh.History()
	switch {
	case len(h) == 0:
		if c.histSeen > 0 {
			c.hist.clear() // history -c
		}
	case len(h) != c.histSeen || h[len(h)-1] != c.histLast:
		c.hist.add(editorEntry(h[len(h)-1]))
		c.histLast = h[len(h)-1]
	}
	c.histSeen = len(h)
}

// runLine runs one command line with the terminal as stdin and stdout.
func (s *Session) runLine(ctx context.Context, sh *shell.Shell, line string, in *ttyIn, out *ttyOut, t func() *term.Terminal) int {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stdout := &crlfWriter{w: out, track: true}
	stdin := &termStdin{term: t, out: stdout}
	in.setRunning(cancel)
	defer in.setIdle()
	return sh.Run(cctx, line, stdin, stdout, stdout)
}

// splitTitle splits a rendered prompt into leading OSC sequences (the xterm title that
// Debian's bashrc sets) and the visible rest. The line editor measures the prompt to place
// the cursor, and it only understands CSI sequences, so the title is written separately.
func splitTitle(p string) (title, visible string) {
	for strings.HasPrefix(p, "\x1b]") {
		end := strings.IndexByte(p, '\a')
		if end < 0 {
			break
		}
		title += p[:end+1]
		p = p[end+1:]
	}
	return title, p
}

func (s *Session) startRecording(opt InteractiveOptions, start time.Time, w, h int) (*asciicast.Writer, string, *os.File) {
	if s.cfg.TTYDir == "" {
		return nil, "", nil
	}
	if err := os.MkdirAll(s.cfg.TTYDir, 0o750); err != nil {
		s.log.Error("session: cannot create the recording directory; session not recorded", "dir", s.cfg.TTYDir, "err", err)
		return nil, "", nil
	}
	name := s.cfg.Events.Meta().ID
	if n := s.recordings.Add(1); n > 1 {
		name += "-" + strconv.Itoa(int(n))
	}
	path := filepath.Join(s.cfg.TTYDir, name+".cast")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		s.log.Error("session: cannot create a recording; session not recorded", "path", path, "err", err)
		return nil, "", nil
	}
	termName := opt.PTY.Term
	if termName == "" {
		termName = "xterm"
	}
	shellPath := s.cfg.User.Shell
	if shellPath == "" {
		shellPath = "/bin/bash"
	}
	rec, err := asciicast.NewWriter(f, asciicast.Header{
		Width: w, Height: h,
		Env: map[string]string{"TERM": termName, "SHELL": shellPath},
	}, start, s.cfg.MaxRecording)
	if err != nil {
		f.Close()
		s.log.Error("session: cannot start a recording", "path", path, "err", err)
		return nil, "", nil
	}
	rec.SetClock(s.cfg.Clock)
	return rec, path, f
}

func (s *Session) finishRecording(rec *asciicast.Writer, f *os.File, path string, start time.Time) {
	if rec == nil {
		return
	}
	if err := rec.Close(); err != nil {
		s.log.Warn("session: recording incomplete", "path", path, "err", err)
	}
	if err := f.Close(); err != nil {
		s.log.Warn("session: closing recording", "path", path, "err", err)
	}
	if rec.Truncated() {
		s.log.Warn("session: recording reached its size limit and was cut", "path", path, "size", rec.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		s.log.Warn("session: cannot hash recording", "path", path, "err", err)
	}
	sum := sha256.Sum256(data)
	dur := s.cfg.Clock().Sub(start).Seconds()
	s.Event(event.LogClosed, fmt.Sprintf("Closing TTY Log: %s after %d seconds", path, int(dur)), map[string]any{
		"ttylog":    path,
		"size":      len(data),
		"shasum":    hex.EncodeToString(sum[:]),
		"duration":  round1(dur),
		"truncated": rec.Truncated(),
	})
}

func round1(f float64) float64 {
	return float64(int64(f*10+0.5)) / 10
}

// ttyOut is the terminal side of the channel: every byte is recorded. Writes are
// serialized because the input pump echoes ^C while a command may be writing.
type ttyOut struct {
	mu  sync.Mutex
	w   io.Writer
	rec *asciicast.Writer
}

func (o *ttyOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.rec != nil {
		o.rec.WriteOutput(p)
	}
	return o.w.Write(p)
}

const (
	keyCtrlC = 3
	keyCtrlD = 4
)

var errInterrupted = errors.New("interrupted")

// ttyIn queues what the client types. It stands between the channel and the line editor
// for two reasons: x/term returns the same io.EOF for Ctrl-C, Ctrl-D and a closed channel
// (ttyIn remembers which key ended a read), and a running command must be interruptible
// by Ctrl-C even when it does not read its input (ttyIn watches for it, as a tty's ISIG does).
type ttyIn struct {
	out *ttyOut
	rec *asciicast.Writer

	mu          sync.Mutex
	cond        *sync.Cond
	buf         []byte
	err         error
	last        byte
	running     bool
	cancel      context.CancelFunc
	interrupted bool
}

func newTTYIn(out *ttyOut, rec *asciicast.Writer) *ttyIn {
	in := &ttyIn{out: out, rec: rec}
	in.cond = sync.NewCond(&in.mu)
	return in
}

func (in *ttyIn) pump(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		if n > 0 {
			if in.rec != nil {
				in.rec.WriteInput(b[:n])
			}
			in.add(b[:n])
		}
		if err != nil {
			in.fail(err)
			return
		}
	}
}

func (in *ttyIn) add(data []byte) {
	in.mu.Lock()
	var echo bool
	if in.running && !in.interrupted {
		if i := bytes.IndexByte(data, keyCtrlC); i >= 0 {
			// ISIG: flush the input queue, signal the foreground command.
			in.buf = in.buf[:0]
			data = data[i+1:]
			in.interrupted = true
			if in.cancel != nil {
				in.cancel()
			}
			echo = true
		}
	}
	room := maxInputQueue - len(in.buf)
	if room < len(data) {
		if room < 0 {
			room = 0
		}
		data = data[:room]
	}
	in.buf = append(in.buf, data...)
	in.cond.Broadcast()
	in.mu.Unlock()
	if echo {
		_, _ = in.out.Write([]byte("^C"))
	}
}

func (in *ttyIn) fail(err error) {
	in.mu.Lock()
	if in.err == nil {
		in.err = err
	}
	in.cond.Broadcast()
	in.mu.Unlock()
}

// Read delivers queued input; a Ctrl-C or Ctrl-D byte comes alone, so lastKey tells which
// key ended the line editor's read.
func (in *ttyIn) Read(p []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.buf) == 0 && in.err == nil && !(in.running && in.interrupted) {
		in.cond.Wait()
	}
	if in.running && in.interrupted {
		return 0, errInterrupted
	}
	if len(in.buf) == 0 {
		return 0, in.err
	}
	// Ctrl-C, Ctrl-D and Tab come in a read of their own. The line editor writes the echo
	// of the keys of one read only after handling all of them, and it returns at once on
	// Ctrl-C or Ctrl-D (the echo would be lost); a completion listing is written directly,
	// so the echo of the keys before the Tab must be out first.
	n := len(in.buf)
	if i := bytes.IndexAny(in.buf, "\x03\x04\t"); i == 0 {
		n = 1
	} else if i > 0 {
		n = i
	}
	n = copy(p, in.buf[:n])
	in.last = in.buf[n-1]
	in.buf = in.buf[:copy(in.buf, in.buf[n:])]
	return n, nil
}

// readKey takes one byte of input, for the questions completion asks ("Display all 120
// possibilities? (y or n)", --More--) while the line editor waits for its callback.
func (in *ttyIn) readKey() (byte, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.buf) == 0 && in.err == nil {
		in.cond.Wait()
	}
	if len(in.buf) == 0 {
		return 0, in.err
	}
	b := in.buf[0]
	in.buf = in.buf[:copy(in.buf, in.buf[1:])]
	return b, nil
}

// unread puts b back in front of the queue.
func (in *ttyIn) unread(b byte) {
	in.mu.Lock()
	in.buf = append(in.buf, 0)
	copy(in.buf[1:], in.buf)
	in.buf[0] = b
	in.cond.Broadcast()
	in.mu.Unlock()
}

// lastKey is the last byte delivered if it was Ctrl-C or Ctrl-D, else 0.
func (in *ttyIn) lastKey() byte {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.err != nil && len(in.buf) == 0 && in.last != keyCtrlC && in.last != keyCtrlD {
		return 0
	}
	if in.last == keyCtrlC || in.last == keyCtrlD {
		k := in.last
		in.last = 0
		return k
	}
	return 0
}

func (in *ttyIn) setRunning(cancel context.CancelFunc) {
	in.mu.Lock()
	in.running, in.cancel, in.interrupted = true, cancel, false
	in.mu.Unlock()
}

func (in *ttyIn) setIdle() {
	in.mu.Lock()
	in.running, in.cancel = false, nil
	in.mu.Unlock()
}

func (in *ttyIn) takeInterrupted() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	v := in.interrupted
	in.interrupted = false
	return v
}

// history is the line editor's history (up/down arrows). It holds what the shell's
// history holds: the session adds the shell's entry after each command, and the lines the
// editor reads (a program's input, continuation lines) are not added on their own.
type history struct {
	mu    sync.Mutex
	lines []string // oldest first
}

// Add is called by the line editor for every line it reads; the shell decides what is
// history, so it does nothing.
func (h *history) Add(string) {}

func (h *history) add(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, s)
	if len(h.lines) > historySize {
		h.lines = h.lines[len(h.lines)-historySize:]
	}
}

func (h *history) clear() {
	h.mu.Lock()
	h.lines = nil
	h.mu.Unlock()
}

// load reads the history file the shell loaded at login, so the arrows recall the lines of
// earlier sessions.
func (h *history) load(fsys *vfs.FS, file string) {
	if fsys == nil {
		return
	}
	data, err := fsys.ReadFile(file)
	if err != nil {
		return
	}
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if l != "" {
			h.add(l)
		}
	}
}

func (h *history) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

func (h *history) At(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lines[len(h.lines)-1-i]
}

// termStdin gives a running command the terminal as its standard input: each read takes
// one edited line, as a tty in canonical mode does. When the command's last output asks
// for a password, the line is read without echo, as passwd and sudo switch echo off.
type termStdin struct {
	term func() *term.Terminal
	out  *crlfWriter
	buf  []byte
	eof  bool
}

func (r *termStdin) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		t := r.term()
		var line string
		var err error
		if r.out.wantsPassword() {
			line, err = t.ReadPassword("")
		} else {
			t.SetPrompt("")
			line, err = t.ReadLine()
			if errors.Is(err, term.ErrPasteIndicator) {
				err = nil
			}
		}
		if err != nil {
			r.eof = true
			return 0, io.EOF
		}
		r.buf = append(r.buf[:0], line...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// crlfWriter turns \n into \r\n, as a pty's ONLCR does.
type crlfWriter struct {
	w     io.Writer
	track bool // remember the current output line (for password prompts)
	mu    sync.Mutex
	tail  []byte
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.track {
		if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
			c.tail = append(c.tail[:0], p[i+1:]...)
		} else {
			c.tail = append(c.tail, p...)
		}
		if len(c.tail) > 256 {
			c.tail = c.tail[len(c.tail)-256:]
		}
	}
	if bytes.IndexByte(p, '\n') < 0 {
		if _, err := c.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	out := make([]byte, 0, len(p)+16)
	for _, b := range p {
		if b == '\n' {
			out = append(out, '\r')
		}
		out = append(out, b)
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *crlfWriter) wantsPassword() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := strings.ToLower(string(c.tail))
	return strings.Contains(t, "password") && strings.HasSuffix(strings.TrimRight(t, " "), ":")
}
