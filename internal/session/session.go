package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lure-sensor/lure/internal/artifact"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// Config is what a logged-in session needs. The frontend fills it after authentication.
type Config struct {
	Events    *Events
	Persona   *persona.Persona
	User      persona.User
	FS        *vfs.FS // the source IP's filesystem; the frontend acquires and releases it
	Commands  *commands.Registry
	Artifacts *artifact.Store // nil: captured files are hashed but not stored
	Limits    shell.Limits
	Net       commands.Net
	// Responder answers programs of the persona without emulation and constructs the
	// interpreter does not support (the LLM chain). nil: the shell's own default.
	Responder shell.Responder
	// TTYDir is where interactive sessions are recorded (DATA_DIR/tty); "" disables recording.
	TTYDir string
	// MaxRecording bounds one recording; 0 means asciicast.DefaultMaxSize.
	MaxRecording int64
	// LoginTime is when authentication succeeded; zero means now.
	LoginTime time.Time
	Logger    *slog.Logger
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
}

// Session is one logged-in connection. Its channels (exec requests, shells, SFTP) share the
// user, the filesystem and the event fields. It implements commands.Sink.
type Session struct {
	cfg        Config
	log        *slog.Logger
	recordings atomic.Int32 // number of recordings started, for unique file names

	mu       sync.Mutex
	ptyCount int // pts numbers handed out

	// pidMu serialises shell creation so each channel's shell gets its own $$: the first
	// takes the pid the shell derives from the session, later ones follow it as sshd forks
	// them later.
	pidMu    sync.Mutex
	firstPID int
	shells   int
}

// New returns a session.
func New(cfg Config) *Session {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.LoginTime.IsZero() {
		cfg.LoginTime = cfg.Clock()
	}
	if cfg.Commands == nil {
		cfg.Commands = commands.NewRegistry()
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Session{cfg: cfg, log: lg.With("session", cfg.Events.Meta().ID)}
}

// Events returns the session's event publisher.
func (s *Session) Events() *Events { return s.cfg.Events }

// User is the logged-in account.
func (s *Session) User() persona.User { return s.cfg.User }

// FS is the session's filesystem.
func (s *Session) FS() *vfs.FS { return s.cfg.FS }

// Event publishes an event with the session's common fields (commands.Sink).
func (s *Session) Event(eventID, message string, fields map[string]any) {
	s.cfg.Events.Emit(eventID, message, fields)
}

// SaveFile stores captured content and returns its SHA-256 (commands.Sink). Without an
// artifact store the hash is still returned, so events stay complete.
func (s *Session) SaveFile(data []byte) (string, error) {
	if s.cfg.Artifacts == nil {
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:]), nil
	}
	return s.cfg.Artifacts.SaveFile(data)
}

// Upload stores a file the client sent and emits cowrie.session.file_upload. via names the
// transport for the message ("SFTP", "SCP"); name is the path inside the fake host. It
// returns the SHA-256.
func (s *Session) Upload(via, name string, data []byte) (string, error) {
	sum, err := s.SaveFile(data)
	if err != nil {
		s.log.Warn("session: cannot store an uploaded file", "file", name, "size", len(data), "err", err)
		return "", err
	}
	outfile := sum
	if s.cfg.Artifacts != nil {
		if p, err := s.cfg.Artifacts.Path(sum); err == nil {
			outfile = p
		}
	}
	s.Event(event.FileUpload, via+" Uploaded file \""+name+"\" to "+outfile, map[string]any{
		"filename": name,
		"outfile":  outfile,
		"shasum":   sum,
		"size":     len(data),
	})
	return sum, nil
}

// PTY describes the pseudo-terminal a client asked for.
type PTY struct {
	Term   string
	Width  int
	Height int
}

// ShellOptions select how a shell is built for one channel.
type ShellOptions struct {
	Interactive bool
	TTY         string            // "pts/0" when a pty was requested, else ""
	Env         map[string]string // client variables already filtered (LANG, LC_*), plus TERM
	// PTY is the terminal the client requested, nil without one: programs then see a
	// terminal on stdout, and its size.
	PTY *PTY
}

// NewShell builds a shell for the logged-in user over the session's filesystem.
func (s *Session) NewShell(opt ShellOptions) *shell.Shell {
	s.pidMu.Lock()
	defer s.pidMu.Unlock()
	pid := 0
	if s.firstPID > 0 {
		s.shells++
		pid = s.firstPID + 11*s.shells
	}
	cfg := shell.Config{
		FS:          s.cfg.FS,
		Persona:     s.cfg.Persona,
		User:        s.cfg.User,
		Commands:    s.cfg.Commands,
		Env:         opt.Env,
		Limits:      s.cfg.Limits,
		Interactive: opt.Interactive,
		Responder:   s.cfg.Responder,
		PID:         pid,
		Logger:      s.log,
	}
	if opt.PTY != nil {
		cfg.TTY = true
		cfg.Columns, cfg.Rows = opt.PTY.Width, opt.PTY.Height
	}
	cs := &commands.Session{
		ID:          s.cfg.Events.Meta().ID,
		SrcIP:       s.cfg.Events.Meta().SrcIP,
		SrcPort:     s.cfg.Events.Meta().SrcPort,
		DstIP:       s.cfg.Events.Meta().DstIP,
		Protocol:    s.cfg.Events.Meta().Protocol,
		TTY:         opt.TTY,
		Interactive: opt.Interactive,
		Net:         s.cfg.Net,
		Sink:        s,
		Clock:       s.cfg.Clock,
		LoginTime:   s.cfg.LoginTime,
	}
	cfg.Session = cs
	sh := shell.New(cfg)
	cs.History = sh.History
	if s.firstPID == 0 {
		s.firstPID = cs.ShellPID
	}
	return sh
}

// NextTTY hands out a pseudo-terminal name ("pts/0", "pts/1", ...) for a channel with a pty.
func (s *Session) NextTTY() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.ptyCount
	s.ptyCount++
	return "pts/" + strconv.Itoa(n)
}

// ExecOptions describe one exec request.
type ExecOptions struct {
	Command string
	Env     map[string]string
	// PTY is set when the client requested a pty before exec (ssh -t host cmd): stderr then
	// goes to the terminal with stdout, and newlines become CRLF, as a real pty does.
	PTY    *PTY
	TTY    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Exec runs one command line as `bash -c` would and returns its exit status. It emits
// cowrie.command.input with the whole line.
func (s *Session) Exec(ctx context.Context, opt ExecOptions) int {
	at := s.cfg.Events.clock()
	env := copyEnv(opt.Env)
	stdout, stderr := opt.Stdout, opt.Stderr
	if opt.PTY != nil {
		if opt.PTY.Term != "" {
			env["TERM"] = opt.PTY.Term
		}
		w := &crlfWriter{w: opt.Stdout}
		stdout, stderr = w, w
	}
	sh := s.NewShell(ShellOptions{TTY: opt.TTY, Env: env, PTY: opt.PTY})
	stdin := opt.Stdin
	if stdin == nil {
		stdin = eofReader{}
	}
	status := sh.Run(ctx, opt.Command, stdin, stdout, stderr)
	s.commandInput(at, opt.Command, sh)
	if exited, st := sh.Exited(); exited {
		status = st
	}
	return status
}

func copyEnv(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
