// Package dataset owns the fine-tuning data lure exports for LLaMA-Factory: command/response
// pairs whose responses are the emulator's own answers over the persona (the ground truth the
// LLM should learn), from a corpus of attacker command lines and from the command lines of
// captured sessions. Every record carries the system prompt and session context the live
// responder sends (internal/llm's prompt builder), so a model trained on it is asked at run
// time exactly what it was trained on. Records are written as LLaMA-Factory's OpenAI-style
// messages, ShareGPT or Alpaca, with the dataset_info.json that registers them.
package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/eval"
	"github.com/lure-sensor/lure/internal/llm"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// Record is one training example: the prompt the live responder would send for a command
// (system, earlier exchanges of the session, the command with its facts) and the emulator's
// answer.
type Record struct {
	Messages []llm.Message // system, then user/assistant pairs, then the final user message
	Output   string        // what the emulator printed (stdout and stderr as a terminal shows them)
}

// Script is one session's command lines, run in order over one filesystem, so later lines
// see what earlier ones did.
type Script struct {
	Name  string   // "corpus:mdrfckr", "session:1a2b3c4d5e6f": for messages
	User  string   // who runs it ("" is root); a user the persona lacks runs as root
	Lines []string // command lines, as typed
}

// Stats count what a run produced and what it left out.
type Stats struct {
	Lines   int // command lines run
	Records int // records produced
	// NoTruth counts lines the emulator could not answer alone (a persona program without
	// emulation, or a construct the interpreter lacks): their answer would have come from the
	// LLM or the fallback, which is no ground truth, so they are left out.
	NoTruth int
	// Empty counts lines skipped because they printed nothing and the option to keep silent
	// answers was off.
	Empty int
}

// Options configure a Builder.
type Options struct {
	Persona  *persona.Persona
	Commands *commands.Registry // nil: commands.Default()
	Prompt   llm.Prompt         // zero: the defaults the live responder uses
	Limits   shell.Limits       // per command line (zero: the shell's defaults)
	// KeepEmpty keeps commands that print nothing (cd, mkdir, a silent success): a model
	// must learn to answer them with nothing, so the default exporter keeps them.
	KeepEmpty bool
	// MaxOutput bounds one record's output in bytes (default 16 KiB); longer outputs are cut
	// and marked, as the live responder caps its answers.
	MaxOutput int
	// Clock tells the time to the emulator; nil means time.Now.
	Clock func() time.Time
}

// Builder runs scripts through the real shell over the persona and turns each line into a
// record.
type Builder struct {
	opt Options
}

// New returns a Builder.
func New(opt Options) *Builder {
	if opt.Commands == nil {
		opt.Commands = commands.Default()
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = 16 << 10
	}
	return &Builder{opt: opt}
}

// CorpusScripts groups corpus lines into scripts, one per group, in corpus order: the corpus
// is written so that lines of a group see what earlier lines of it did.
func CorpusScripts(lines []eval.Line) []Script {
	var out []Script
	for _, l := range lines {
		name := "corpus:" + l.Group
		if l.Group == "" {
			name = "corpus"
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, Script{Name: name})
		}
		out[len(out)-1].Lines = append(out[len(out)-1].Lines, l.Command)
	}
	return out
}

// quietSink is the commands.Sink of an export: captured files are hashed and dropped,
// events are dropped. Nothing of an export reaches the sensor's data.
type quietSink struct{}

func (quietSink) SaveFile(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

func (quietSink) Event(string, string, map[string]any) {}

// noTruth is the Responder of an export: it answers nothing and marks the line, so lines
// the emulator alone cannot answer are left out.
type noTruth struct{}

func (noTruth) Respond(shell.Query) (int, string) { return 0, shell.ResponderFallback }

// Run runs one script and calls emit for every record, in order. It stops at the first
// error emit returns, or when ctx ends.
func (b *Builder) Run(ctx context.Context, s Script, emit func(Record) error) (Stats, error) {
	var st Stats
	per := b.opt.Persona
	user, ok := per.LookupUser(nonEmpty(s.User, "root"))
	if !ok {
		user, _ = per.LookupUser("root")
	}
	fsys := vfs.NewMemFS(per.Image)
	newShell := func() *shell.Shell {
		return shell.New(shell.Config{
			FS: fsys, Persona: per, User: user, Commands: b.opt.Commands, Limits: b.opt.Limits,
			Interactive: true, TTY: true, Columns: 80, Rows: 24, Responder: noTruth{},
			Session: &commands.Session{ID: "dataset", SrcIP: "192.0.2.1", TTY: "pts/0", Interactive: true, Sink: quietSink{}, Clock: b.opt.Clock},
		})
	}
	sh := newShell()
	var recent []llm.Exchange
	for _, line := range s.Lines {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		st.Lines++
		cwd := sh.Dir()
		words := llm.Words(line)
		listing := llm.Listing(fsys, per, llm.NamedPaths(fsys, user.Home, cwd, words))
		var out strings.Builder
		w := &capWriter{b: &out, max: b.opt.MaxOutput}
		sh.Run(ctx, line, strings.NewReader(""), w, w)
		answer := out.String()
		if w.cut {
			answer += "\n[...]"
		}
		exited, _ := sh.Exited()
		truth := sh.LastResponder() == shell.ResponderEmulated
		if !truth {
			st.NoTruth++
		} else if answer == "" && !b.opt.KeepEmpty {
			st.Empty++
		} else {
			c := llm.Context{Persona: per, User: user, Cwd: cwd, Command: line, Listing: listing, Recent: recent}
			if err := emit(Record{Messages: b.opt.Prompt.Messages(c), Output: answer}); err != nil {
				return st, err
			}
			st.Records++
		}
		// A line without ground truth stays out of later records' context too: its recorded
		// answer (nothing) is not what the live sensor would have shown.
		if truth {
			recent = append(recent, llm.Exchange{Command: line, Output: answer})
		}
		if len(recent) > maxRecent {
			recent = recent[len(recent)-maxRecent:]
		}
		if exited {
			// The script logged out: the next line starts a new login on the same box.
			sh = newShell()
			recent = nil
		}
	}
	return st, nil
}

// maxRecent is how many earlier exchanges a record's context carries before the prompt
// builder's own token budget applies (the live shell keeps 8).
const maxRecent = 8

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// capWriter keeps the first max bytes and notes that it cut.
type capWriter struct {
	b     *strings.Builder
	max   int
	total int
	cut   bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - w.b.Len(); room > 0 {
		w.b.Write(p[:min(room, len(p))])
	}
	w.total += len(p)
	w.cut = w.total > w.max
	return len(p), nil
}
