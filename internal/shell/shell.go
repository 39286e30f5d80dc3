// Package shell owns the bash-compatible interpreter: it parses with mvdan.cc/sh/v3/syntax
// (LangBash), expands words with mvdan.cc/sh/v3/expand, and runs everything over the virtual
// filesystem and the emulated command registry. It never touches the host: files come from
// the vfs, programs from the registry, users from the persona, and every loop, pipe and
// variable is bounded by Limits so a runaway command line ends while the session survives.
package shell

import (
	"context"
	"hash/fnv"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// Limits bound one command line, so a runaway loop, a fork bomb or a 1 GB `yes` is cut
// while the session survives.
type Limits struct {
	Timeout   time.Duration // wall time per command line (default 10s)
	MaxSteps  int           // statements, loop iterations and calls per command line (default 100000)
	MaxOutput int64         // bytes written to stdout+stderr per command line (default 1 MiB)
	MaxVar    int64         // bytes of all shell variables together (default 4 MiB)
	MaxDepth  int           // function and subshell nesting (default 100)
	// MaxProcs bounds the pipeline members running at once per command line (default 64);
	// beyond it the shell fails as bash does when fork(2) hits RLIMIT_NPROC.
	MaxProcs int
	// MaxMoved bounds the bytes moved through pipes, files and /dev/null per command line
	// (default 64 MiB), so `yes > /dev/null` ends before the wall-time limit.
	MaxMoved int64
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = 10 * time.Second
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = 100000
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = 1 << 20
	}
	if l.MaxVar <= 0 {
		l.MaxVar = 4 << 20
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 100
	}
	if l.MaxProcs <= 0 {
		l.MaxProcs = 64
	}
	if l.MaxMoved <= 0 {
		l.MaxMoved = 64 << 20
	}
	return l
}

// Config is what a shell needs; the session builds it.
type Config struct {
	FS       *vfs.FS
	Persona  *persona.Persona
	User     persona.User
	Commands *commands.Registry
	Session  *commands.Session
	Env      map[string]string // extra variables from the client (env requests, TERM)
	Limits   Limits
	// Interactive selects bash's interactive error prefix ("-bash: ") over the exec one
	// ("bash: line 1: "). An interactive shell is a login shell: it reads the persona's
	// /etc/profile and ~/.profile (and what they source) when it starts.
	Interactive bool
	// Responder answers a program that exists on the persona but has no emulation, and a
	// construct the interpreter does not support (the LLM chain). nil: such a program
	// prints nothing and succeeds, as malware that daemonises does.
	Responder Responder

	// TTY tells that stdout is the session's terminal (a pty was requested): programs then
	// see StdoutTTY when their output is not redirected.
	TTY bool
	// Columns and Rows are the initial terminal size (SetWindow changes it).
	Columns, Rows int
	// PID is the shell's process id ($$). Zero takes Session.ShellPID, else picks a
	// plausible one from the persona's process table and the session id.
	PID int
	// Logger receives the operator's messages (recovered panics). nil: slog.Default().
	Logger *slog.Logger
}

// Shell is one bash process: variables, functions, cwd, history. Not safe for concurrent use.
type Shell struct {
	cfg      Config
	lim      Limits
	builtins map[string]builtinFunc
	r        *runner // the top-level shell state

	history    []string // this session's command lines
	oldHistory []string // lines loaded from HISTFILE at login
	cmdNumber  int      // bash's \# counter

	exited   bool
	exitCode int
	noSave   bool // killed with SIGKILL: no history is written

	cols, rows int
	pid, ppid  int
	nextPID    atomic.Int64
	start      time.Time

	jobs []jobNote // finished background jobs to report before the next prompt

	stage  atomic.Int32 // stageRank of the responder that answered the current line
	recent []Exchange   // the last lines and their output, for the Responder

	// panicHook lets tests see panics the shell recovers from (fuzzing).
	panicHook func(any)
}

type jobNote struct {
	num    int
	status int
	text   string
}

// New starts a shell in the user's home directory.
func New(cfg Config) *Shell {
	s := &Shell{cfg: cfg, lim: cfg.Limits.withDefaults()}
	s.start = s.now()
	s.cols, s.rows = cfg.Columns, cfg.Rows
	if s.cols <= 0 {
		s.cols = 80
	}
	if s.rows <= 0 {
		s.rows = 24
	}
	s.builtins = newBuiltins()
	s.pid, s.ppid = s.pickPIDs()
	if cfg.Session != nil && cfg.Session.ShellPID == 0 {
		// programs (ps, top) show the same $$
		cfg.Session.ShellPID = s.pid
	}
	s.nextPID.Store(int64(s.pid))
	s.r = newRunner(s)
	s.initEnv()
	if cfg.Interactive {
		s.login()
	}
	return s
}

// pickPIDs chooses $$ and $PPID: above every pid of the persona's process table, varied by
// session so two sessions do not share a pid, and stable for the life of the shell.
func (s *Shell) pickPIDs() (int, int) {
	if s.cfg.PID <= 0 && s.cfg.Session != nil && s.cfg.Session.ShellPID > 0 {
		s.cfg.PID = s.cfg.Session.ShellPID
	}
	if s.cfg.PID > 0 {
		return s.cfg.PID, s.cfg.PID - 7
	}
	base := 1000
	if s.cfg.Persona != nil {
		for _, p := range s.cfg.Persona.Processes {
			if p.PID >= base {
				base = p.PID + 1
			}
		}
	}
	seed := "lure"
	if s.cfg.Session != nil {
		seed = s.cfg.Session.ID + s.cfg.Session.SrcIP
	}
	h := fnv.New32a()
	h.Write([]byte(seed))
	off := int(h.Sum32()%4000) * 2
	pid := base + 40 + off
	return pid, pid - 7 // sshd's session child forks the shell shortly before
}

func (s *Shell) newPID() int { return int(s.nextPID.Add(int64(1 + s.nextPID.Load()%3))) }

func (s *Shell) log() *slog.Logger {
	if s.cfg.Logger != nil {
		return s.cfg.Logger
	}
	return slog.Default()
}

// SetWindow records a terminal size change (window-change request): COLUMNS, LINES and the
// width programs see.
func (s *Shell) SetWindow(cols, rows int) {
	if cols > 0 {
		s.cols = cols
	}
	if rows > 0 {
		s.rows = rows
	}
	if s.cfg.Interactive {
		s.r.setVarQuiet("COLUMNS", itoa(s.cols))
		s.r.setVarQuiet("LINES", itoa(s.rows))
	}
}

// Run parses and runs one command line (or script) and returns its exit status.
func (s *Shell) Run(ctx context.Context, src string, stdin io.Reader, stdout, stderr io.Writer) int {
	if s.exited {
		if s.cfg.Interactive {
			return s.exitCode
		}
		// Each exec-mode Run is its own `bash -c`: an earlier exit does not stop this one.
		s.exited = false
		s.r.exit = false
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	b := newBudget(ctx, s.lim)
	defer b.done()
	s.stage.Store(0)
	var capture *lineCapture
	if s.cfg.Responder != nil {
		capture = &lineCapture{}
		stdout, stderr = io.MultiWriter(stdout, capture), io.MultiWriter(stderr, capture)
	}
	var mu sync.Mutex
	out := &termWriter{mu: &mu, w: stdout, b: b}
	errw := &termWriter{mu: &mu, w: stderr, b: b}
	r := s.r
	r.b = b
	r.fd[0] = &ofile{r: &ctxReader{r: stdin, b: b}, term: s.cfg.TTY}
	r.fd[1] = &ofile{w: out, term: true}
	r.fd[2] = &ofile{w: errw, term: true}
	for i := 3; i < len(r.fd); i++ {
		r.fd[i] = nil
	}
	r.inTTY = s.cfg.Interactive && s.cfg.TTY
	r.outTerm, r.errTerm = out, errw
	r.brk, r.cont, r.ret, r.discard = 0, 0, false, false
	if s.cfg.Interactive {
		if r.opts.histexpand {
			exp, changed, bad := s.histExpand(src)
			if bad != "" {
				io.WriteString(errw, r.arg0+": "+bad+": event not found\n")
				return r.status
			}
			if changed {
				// bash shows the expanded line before running it
				io.WriteString(errw, strings.TrimRight(exp, "\n")+"\n")
				src = exp
			}
		}
		s.addHistory(src)
		s.cmdNumber++
	} else {
		// ps shows an exec request's shell as "bash -c LINE"
		s.history = append(s.history, src)
		if len(s.history) > 100 {
			s.history = s.history[len(s.history)-100:]
		}
	}
	dir := r.dir
	status := s.runProtected(r, src)
	s.remember(dir, src, capture)
	r.closeExecFiles()
	if r.exit {
		s.exited = true
		s.exitCode = r.status
		status = r.status
		if s.cfg.Interactive && !s.noSave {
			s.saveHistory()
		}
		r.runExitTrap()
	} else if !s.cfg.Interactive {
		// bash -c ends after the string: the shell exits with the last status.
		r.runExitTrap()
	}
	if cause := b.cause(); cause != nil && !r.exit {
		status = limitStatus(cause, status)
	}
	if s.cfg.Interactive && len(s.jobs) > 0 && !s.exited {
		s.reportJobs(errw)
	}
	r.status = status
	return status
}

// runProtected runs a command line; a bug that panics costs this line, never the sensor.
func (s *Shell) runProtected(r *runner, src string) (status int) {
	defer func() {
		if p := recover(); p != nil {
			if s.panicHook != nil {
				s.panicHook(p)
			}
			s.log().Error("shell: interpreter panic", "panic", p, "input", src, "stack", string(debug.Stack()))
			status = 2
			r.status = 2
		}
	}()
	return r.runSource(src, "", srcTop)
}

// NeedsMore reports whether src is an incomplete command (an open quote, `if` without
// `fi`, a trailing `|`): an interactive session then prints PS2 and reads another line.
func (s *Shell) NeedsMore(src string) (more bool) {
	defer s.guard(func() { more = false })
	_, err := parse(src, "")
	return err != nil && isIncomplete(err)
}

// Prompt renders PS1 as Debian's default bashrc does: "root@host:~# ".
func (s *Shell) Prompt() (p string) {
	defer s.guard(func() { p = "$ " })
	return s.r.renderPrompt("PS1")
}

// Prompt2 renders PS2, the continuation prompt ("> ").
func (s *Shell) Prompt2() (p string) {
	defer s.guard(func() { p = "> " })
	return s.r.renderPrompt("PS2")
}

// Complete completes the word before pos in line (commands, then paths), as bash's Tab does.
// It returns the new line and cursor position.
func (s *Shell) Complete(line string, pos int) (nl string, np int, ok bool) {
	defer s.guard(func() { nl, np, ok = line, pos, false })
	return s.r.complete(line, pos)
}

// Completions lists the candidates for the word before pos, as bash shows them on a second
// Tab when the completion is ambiguous.
func (s *Shell) Completions(line string, pos int) (c []string) {
	defer s.guard(func() { c = nil })
	_, _, cands := s.r.candidates(line, pos)
	return cands
}

// guard turns a panic into a harmless answer (set by fallback), logged for the operator.
func (s *Shell) guard(fallback func()) {
	if p := recover(); p != nil {
		if s.panicHook != nil {
			s.panicHook(p)
		}
		s.log().Error("shell: panic", "panic", p, "stack", string(debug.Stack()))
		fallback()
	}
}

// Exited reports whether `exit` or `logout` ran, and with which status.
func (s *Shell) Exited() (bool, int) { return s.exited, s.exitCode }

// History lists the command lines run so far, oldest first.
func (s *Shell) History() []string { return append([]string(nil), s.history...) }

// Dir is the current working directory.
func (s *Shell) Dir() string { return s.r.dir }

// Logout ends the shell as a hang-up or Ctrl-D does: the history is appended to HISTFILE
// in the virtual filesystem, as bash does when an interactive shell exits.
func (s *Shell) Logout() {
	if !s.exited {
		s.exited = true
		if s.cfg.Interactive {
			s.saveHistory()
		}
	}
}

func (s *Shell) reportJobs(w io.Writer) {
	for i, j := range s.jobs {
		mark := '-'
		if i == len(s.jobs)-1 {
			mark = '+'
		} else if i < len(s.jobs)-2 {
			mark = ' '
		}
		state := "Done"
		if j.status != 0 {
			state = "Exit " + itoa(j.status)
		}
		io.WriteString(w, "["+itoa(j.num)+"]"+string(mark)+"  "+padRight(state, 24)+j.text+"\n")
	}
	s.jobs = nil
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}

// addHistory records a command line as bash's history does, honouring HISTCONTROL.
func (s *Shell) addHistory(src string) {
	line := strings.TrimRight(src, "\n")
	if strings.TrimSpace(line) == "" {
		return
	}
	ctl := s.r.getVar("HISTCONTROL")
	ignSpace := strings.Contains(ctl, "ignorespace") || strings.Contains(ctl, "ignoreboth")
	ignDups := strings.Contains(ctl, "ignoredups") || strings.Contains(ctl, "ignoreboth")
	if ignSpace && strings.HasPrefix(line, " ") {
		return
	}
	all := s.allHistory()
	if ignDups && len(all) > 0 && all[len(all)-1] == line {
		return
	}
	s.history = append(s.history, line)
	// HISTSIZE bounds what the shell keeps in memory.
	if max := atoiDefault(s.r.getVar("HISTSIZE"), 500); max >= 0 && len(s.oldHistory)+len(s.history) > max {
		drop := len(s.oldHistory) + len(s.history) - max
		if drop <= len(s.oldHistory) {
			s.oldHistory = s.oldHistory[drop:]
		} else {
			s.history = s.history[drop-len(s.oldHistory):]
			s.oldHistory = nil
		}
	}
}

func (s *Shell) allHistory() []string {
	out := make([]string, 0, len(s.oldHistory)+len(s.history))
	out = append(out, s.oldHistory...)
	return append(out, s.history...)
}

// saveHistory appends this session's lines to HISTFILE in the vfs, as bash does on exit
// (histappend) so the next login shows them: a real box keeps what attackers typed.
func (s *Shell) saveHistory() {
	if s.cfg.FS == nil || len(s.history) == 0 {
		return
	}
	file := s.r.getVar("HISTFILE")
	if file == "" || !strings.HasPrefix(file, "/") {
		return
	}
	var b strings.Builder
	for _, l := range s.history {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if err := s.cfg.FS.AppendFile(file, []byte(b.String()), 0o600); err == nil {
		if uid := s.cfg.User.UID; uid != 0 {
			_ = s.cfg.FS.Chown(file, uint32(uid), uint32(s.cfg.User.GID))
		}
	}
	s.history = nil
}

// budget is the bounded world of one command line: deadline, steps, output, pipes.
type budget struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   func() bool
	lim    Limits
	steps  atomic.Int64
	out    atomic.Int64
	moved  atomic.Int64
	procs  atomic.Int64
	forked atomic.Bool // pipelines spawned members this line

	mu        sync.Mutex
	closers   []io.Closer
	said      map[string]*sync.Once
	timer     *time.Timer
	deadline  time.Time     // when the wall-time limit fires (while not waiting for input)
	remaining time.Duration // wall time left when the clock was stopped
	waiting   int           // readers blocked on the client's input
}

func newBudget(parent context.Context, lim Limits) *budget {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancelCause(parent)
	b := &budget{ctx: ctx, cancel: cancel, lim: lim, said: map[string]*sync.Once{}}
	b.remaining = lim.Timeout
	b.deadline = time.Now().Add(lim.Timeout)
	b.timer = time.AfterFunc(lim.Timeout, func() { cancel(errTimeout) })
	// When the line is cut, every pipe is closed so blocked readers and writers return.
	b.stop = context.AfterFunc(ctx, b.closeAll)
	return b
}

func (b *budget) done() {
	b.stop()
	b.timer.Stop()
	b.cancel(nil)
	b.closeAll()
}

// waitInput stops the wall-time clock while the line waits for the client's input (a
// human typing at `read` or passwd is not a runaway loop); the returned func restarts it.
func (b *budget) waitInput() func() {
	b.mu.Lock()
	b.waiting++
	if b.waiting == 1 && b.timer.Stop() {
		b.remaining = time.Until(b.deadline)
	}
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		b.waiting--
		if b.waiting == 0 && b.ctx.Err() == nil {
			if b.remaining <= 0 {
				b.remaining = time.Millisecond
			}
			b.deadline = time.Now().Add(b.remaining)
			b.timer.Reset(b.remaining)
		}
		b.mu.Unlock()
	}
}

// cause returns the limit that cut the command line, or nil.
func (b *budget) cause() error {
	if b.ctx.Err() == nil {
		return nil
	}
	return context.Cause(b.ctx)
}

func (b *budget) fail(err error) { b.cancel(err) }

func (b *budget) track(c io.Closer) {
	b.mu.Lock()
	b.closers = append(b.closers, c)
	b.mu.Unlock()
}

func (b *budget) closeAll() {
	b.mu.Lock()
	cs := b.closers
	b.closers = nil
	b.mu.Unlock()
	for _, c := range cs {
		c.Close()
	}
}

// step counts one unit of work and reports the limit error once the line must stop.
func (b *budget) step() error {
	if b.ctx.Err() != nil {
		return context.Cause(b.ctx)
	}
	if b.steps.Add(1) > int64(b.lim.MaxSteps) {
		b.fail(errSteps)
		return errSteps
	}
	return nil
}

// sayOnce runs say for the first caller with key k this line. Later callers wait until it
// has run: they go on to cut the line, and a cut line's terminal refuses writes, so without
// the wait a second pipeline member could drop the first one's message.
func (b *budget) sayOnce(k string, say func()) {
	b.mu.Lock()
	o := b.said[k]
	if o == nil {
		o = new(sync.Once)
		b.said[k] = o
	}
	b.mu.Unlock()
	o.Do(say)
}

// addMoved counts bytes moved through pipes and files.
func (b *budget) addMoved(n int) error {
	if b.moved.Add(int64(n)) > b.lim.MaxMoved {
		b.fail(errMoved)
		return errMoved
	}
	return nil
}

type limitError string

func (e limitError) Error() string { return string(e) }

const (
	errTimeout limitError = "time limit reached"
	errSteps   limitError = "step limit reached"
	errOutput  limitError = "output limit reached"
	errMoved   limitError = "data limit reached"
	errFork    limitError = "process limit reached"
	errDepth   limitError = "nesting limit reached"
	errVarMem  limitError = "variable memory limit reached"
)

// limitStatus maps a cut command line to the status bash would leave: 130 for an
// interrupt from the session (Ctrl-C), 1 otherwise.
func limitStatus(cause error, status int) int {
	if cause == context.Canceled {
		return 130
	}
	if cause == errDepth {
		return 139
	}
	if status == 0 {
		return 1
	}
	return status
}

// termWriter is the session's stdout or stderr: serialised between pipeline members and
// capped by MaxOutput.
type termWriter struct {
	mu *sync.Mutex
	w  io.Writer
	b  *budget
}

func (t *termWriter) Write(p []byte) (int, error) {
	if t.b.ctx.Err() != nil {
		return 0, context.Cause(t.b.ctx)
	}
	n := len(p)
	total := t.b.out.Add(int64(n))
	cut := false
	if total > t.b.lim.MaxOutput {
		over := total - t.b.lim.MaxOutput
		if over >= int64(n) {
			t.b.fail(errOutput)
			return 0, errOutput
		}
		p = p[:int64(n)-over]
		cut = true
	}
	t.mu.Lock()
	w, err := t.w.Write(p)
	t.mu.Unlock()
	if cut {
		t.b.fail(errOutput)
		return w, errOutput
	}
	if err != nil {
		return w, err
	}
	return n, nil
}

// ctxReader stops reading the session's stdin once the command line is cut.
type ctxReader struct {
	r io.Reader
	b *budget
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.b.ctx.Err() != nil {
		return 0, io.EOF
	}
	resume := c.b.waitInput()
	defer resume()
	return c.r.Read(p)
}
