// Package shell owns the bash-compatible interpreter: it parses with mvdan.cc/sh/v3/syntax
// (LangBash), expands words with mvdan.cc/sh/v3/expand, and runs everything over the virtual
// filesystem and the emulated command registry. It never touches the host.
package shell

// CONTRACT STUB: the shell helper replaces the bodies; the exported API below is the contract.

import (
	"context"
	"io"
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
	// ("bash: line 1: ").
	Interactive bool
	// Fallback answers a program that exists on the persona but has no emulation.
	// nil: the shell's own plausible default.
	Fallback commands.Func
}

// Shell is one bash process: variables, functions, cwd, history. Not safe for concurrent use.
type Shell struct{}

// New starts a shell in the user's home directory.
func New(cfg Config) *Shell { return &Shell{} }

// Run parses and runs one command line (or script) and returns its exit status.
func (s *Shell) Run(ctx context.Context, src string, stdin io.Reader, stdout, stderr io.Writer) int {
	return 0
}

// Prompt renders PS1 as Debian's default bashrc does: "root@host:~# ".
func (s *Shell) Prompt() string { return "" }

// Complete completes the word before pos in line (commands, then paths), as bash's Tab does.
// It returns the new line and cursor position.
func (s *Shell) Complete(line string, pos int) (string, int, bool) { return line, pos, false }

// Exited reports whether `exit` or `logout` ran, and with which status.
func (s *Shell) Exited() (bool, int) { return false, 0 }

// History lists the command lines run so far, oldest first.
func (s *Shell) History() []string { return nil }

// Dir is the current working directory.
func (s *Shell) Dir() string { return "/" }
