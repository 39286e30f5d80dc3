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
}

// Interactive runs a login shell on a terminal until the client logs out, the channel
// closes or ctx ends, and returns the exit status. rw is the channel: reads are what the
// client types, writes go to its terminal. The session is recorded when a TTY directory is
// configured, and cowrie.log.closed is emitted when the recording ends.
func (s *Session) Interactive(ctx context.Context, rw io.ReadWriter, opt InteractiveOptions) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := s.cfg.Clock()
	w, h := opt.PTY.Width, opt.PTY.Height
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}

	rec, recPath, recFile := s.startRecording(opt, start, w, h)
	out := &ttyOut{w: rw, rec: rec}

	env := copyEnv(opt.Env)
	termName := opt.PTY.Term
	if termName != "" {
		env["TERM"] = termName
	}
	env["COLUMNS"] = strconv.Itoa(w)
	env["LINES"] = strconv.Itoa(h)
	sh := s.NewShell(ShellOptions{Interactive: true, TTY: opt.TTY, Env: env})
	// readline does not use bracketed paste on a dumb terminal.
	paste := termName != "" && termName != "dumb"

	in := newTTYIn(out, rec)
	go in.pump(rw)
	go func() {
		<-ctx.Done()
		in.fail(ctx.Err())
	}()

	var tmu sync.Mutex // guards t and size across the resize goroutine
	size := Size{w, h}
	hist := &history{}
	newTerm := func() *term.Terminal {
		t := term.NewTerminal(struct {
			io.Reader
			io.Writer
		}{in, out}, "")
		t.History = hist
		t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
			if key != '\t' {
				return "", 0, false
			}
			return sh.Complete(line, pos)
		}
		_ = t.SetSize(size.Width, size.Height)
		return t
	}
	tmu.Lock()
	t := newTerm()
	tmu.Unlock()
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
					tmu.Lock()
					size = sz
					_ = t.SetSize(sz.Width, sz.Height)
					tmu.Unlock()
					if rec != nil {
						rec.WriteResize(sz.Width, sz.Height)
					}
				}
			}
		}()
	}
	curTerm := func() *term.Terminal {
		tmu.Lock()
		defer tmu.Unlock()
		return t
	}
	resetTerm := func() {
		tmu.Lock()
		t = newTerm()
		tmu.Unlock()
	}

	if len(opt.Banner) > 0 {
		_, _ = out.Write(opt.Banner)
	}

	status := 0
	defer func() {
		s.finishRecording(rec, recFile, recPath, start)
	}()
	for ctx.Err() == nil {
		title, visible := splitTitle(sh.Prompt())
		if paste {
			title = pasteOn + title
		}
		if title != "" {
			_, _ = out.Write([]byte(title))
		}
		tt := curTerm()
		tt.SetPrompt(visible)
		hist.setEnabled(true)
		line, err := tt.ReadLine()
		if errors.Is(err, term.ErrPasteIndicator) {
			err = nil
		}
		if err != nil {
			switch in.lastKey() {
			case keyCtrlC:
				if paste {
					_, _ = out.Write([]byte(ctrlCAtPrompt))
				} else {
					_, _ = out.Write([]byte("^C\r\n"))
				}
				resetTerm()
				continue
			case keyCtrlD:
				if paste {
					_, _ = out.Write([]byte(ctrlDAtPrompt))
				} else {
					_, _ = out.Write([]byte("\r\n" + logoutLine))
				}
			}
			return status
		}
		if paste {
			_, _ = out.Write([]byte(pasteOff))
		}
		if strings.TrimSpace(line) != "" {
			s.Event(event.CommandInput, "CMD: "+line, map[string]any{"input": line})
		}
		status = s.runLine(ctx, sh, line, in, out, curTerm, hist)
		if in.takeInterrupted() {
			// The tty echoed ^C when it arrived; bash adds the newline after the child died.
			_, _ = out.Write([]byte("\r\n"))
			resetTerm()
		}
		if exited, st := sh.Exited(); exited {
			// bash's exit builtin prints "logout" itself in a login shell.
			return st
		}
	}
	return status
}

// runLine runs one command line with the terminal as stdin and stdout.
func (s *Session) runLine(ctx context.Context, sh *shell.Shell, line string, in *ttyIn, out *ttyOut, t func() *term.Terminal, hist *history) int {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stdout := &crlfWriter{w: out, track: true}
	stdin := &termStdin{term: t, hist: hist, out: stdout}
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

// Read delivers queued input, stopping after a Ctrl-C or Ctrl-D byte so the caller knows
// which key ended the line editor's read.
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
	n := len(in.buf)
	if i := bytes.IndexAny(in.buf, "\x03\x04"); i >= 0 && i+1 < n {
		n = i + 1
	}
	n = copy(p, in.buf[:n])
	in.last = in.buf[n-1]
	in.buf = in.buf[:copy(in.buf, in.buf[n:])]
	return n, nil
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

// history is the line editor's history (up/down arrows). Lines a running command reads
// from the terminal are not shell history, so adding is switched off for them.
type history struct {
	mu      sync.Mutex
	lines   []string // oldest first
	enabled bool
}

func (h *history) Add(s string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.enabled || strings.TrimSpace(s) == "" {
		return
	}
	// bash's default HISTCONTROL=ignoreboth on Debian: no consecutive duplicates, none
	// starting with a space.
	if strings.HasPrefix(s, " ") || (len(h.lines) > 0 && h.lines[len(h.lines)-1] == s) {
		return
	}
	h.lines = append(h.lines, s)
	if len(h.lines) > historySize {
		h.lines = h.lines[len(h.lines)-historySize:]
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

func (h *history) setEnabled(v bool) {
	h.mu.Lock()
	h.enabled = v
	h.mu.Unlock()
}

// termStdin gives a running command the terminal as its standard input: each read takes
// one edited line, as a tty in canonical mode does. When the command's last output asks
// for a password, the line is read without echo, as passwd and sudo switch echo off.
type termStdin struct {
	term func() *term.Terminal
	hist *history
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
		r.hist.setEnabled(false)
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
