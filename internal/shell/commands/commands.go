// Package commands owns the emulated programs: a registry of Go functions, one file per
// family (fileutils, textutils, identity, system, net, ...). A program runs only if its file
// exists on the persona's filesystem; the registry says how it behaves.
package commands

import (
	"context"
	"io"
	"io/fs"
	"sort"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// Proc is one running emulated program: its arguments, streams and the session state it may
// read or change. It is the only thing a command sees; it never reaches the host.
type Proc struct {
	Ctx    context.Context
	Args   []string // Args[0] is the name as invoked
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StdoutTTY is true when stdout is the session's terminal (not a pipe or file): ls
	// prints columns, grep/ls colour only then. Columns is the terminal width.
	StdoutTTY bool
	Columns   int

	FS      *vfs.FS
	Dir     string            // working directory, absolute
	Env     map[string]string // exported variables (a copy: changes do not reach the shell)
	Persona *persona.Persona
	User    persona.User // who is logged in
	Session *Session
	// Umask is the calling shell's file creation mask (its `umask` builtin state). The
	// shell always sets it; 0 is a valid mask, so there is no "unset" value.
	Umask fs.FileMode

	// Sub runs a script in a subshell of the calling shell (for bash -c, sh script.sh,
	// eval-like programs, xargs, find -exec, watch). Returns the exit status.
	Sub func(ctx context.Context, script string, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// Session is what a command may know about the session around it.
type Session struct {
	ID          string
	SrcIP       string
	SrcPort     int    // the client's port; 0 when unknown
	DstIP       string // the local address the client connected to (the sensor's socket)
	Protocol    string // "ssh", "telnet", ...: sshd alone sets SSH_CLIENT and SSH_CONNECTION
	TTY         string // "pts/0" when a pty was requested, "" for exec without pty
	Interactive bool
	Net         Net  // nil: the box has no outbound network (the default)
	Sink        Sink // where captured files and events go; never nil in a session
	History     func() []string

	// Clock tells the time; nil means time.Now. Tests fix it so date, w, uptime and wget's
	// log lines are exact.
	Clock func() time.Time
	// LoginTime is when the session logged in (w, who, last and the start time of its
	// processes in ps); zero means "now".
	LoginTime time.Time
	// ShellPID is the process id of the session's login shell ($$); its sshd processes sit
	// just below it in ps. Zero: derived from ID so it stays stable within a session.
	ShellPID int
}

// Net fetches URLs for wget/curl when an operator enabled downloads. Implementations apply
// the operator's size and rate limits.
type Net interface {
	Fetch(ctx context.Context, url string) (body []byte, err error)
}

// Sink receives what commands capture: files and events.
type Sink interface {
	// SaveFile stores captured content (downloads, uploads, written scripts) and returns its SHA-256.
	SaveFile(data []byte) (sha256hex string, err error)
	// Event publishes an event with the session's common fields filled in.
	Event(eventID, message string, fields map[string]any)
}

// Func is an emulated program. It returns the exit status.
type Func func(p *Proc) int

// Registry maps program base names to emulations.
type Registry struct {
	m map[string]Func
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]Func{}} }

// Register adds or replaces the program name.
func (r *Registry) Register(name string, f Func) { r.m[name] = f }

// Lookup returns the emulation for a program base name.
func (r *Registry) Lookup(name string) (Func, bool) {
	f, ok := r.m[name]
	return f, ok
}

// Names lists the registered programs, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Default returns the registry with every emulated family.
func Default() *Registry {
	r := NewRegistry()
	registerFileutils(r)
	registerTextutils(r)
	registerIdentity(r)
	registerSystem(r)
	registerNet(r)
	registerMisc(r)
	registerFileinfo(r)
	registerDump(r)
	registerArchive(r)
	registerNetstat(r)
	registerInterp(r)
	registerExtra(r)
	return r
}
