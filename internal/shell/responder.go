package shell

import (
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"

	"github.com/lure-sensor/lure/internal/shell/commands"
)

// Stages of the responder chain: which one answered a command line is written in the
// "responder" field of its cowrie.command.input event.
const (
	ResponderEmulated = "emulated" // emulated programs and builtins only
	ResponderCache    = "cache"    // a cached answer of the LLM
	ResponderLLM      = "llm"      // the LLM answered now
	ResponderFallback = "fallback" // the deterministic fallback
)

// stageRank orders the stages so a line reports its least emulated one: a line that ran an
// emulated program and then needed the LLM was answered by the LLM.
func stageRank(s string) int32 {
	switch s {
	case ResponderCache:
		return 1
	case ResponderLLM:
		return 2
	case ResponderFallback:
		return 3
	}
	return 0
}

var stageNames = [...]string{ResponderEmulated, ResponderCache, ResponderLLM, ResponderFallback}

// Responder answers what the interpreter cannot: a program that exists on the persona but
// has no emulation, or a construct the interpreter does not support. A program absent from
// the persona never reaches it (bash's "command not found" answers that).
type Responder interface {
	// Respond writes the answer to q.Proc's stdout/stderr and returns the exit status and
	// the stage that answered (one of the Responder* constants). It must return within its
	// own timeout whatever the endpoint behind it does.
	Respond(q Query) (status int, stage string)
}

// Query is one thing the shell asks its Responder.
type Query struct {
	// Proc is the program's process: arguments, stdio, filesystem, cwd, user, persona and
	// session, as an emulated program gets them. For a construct, Args is ["bash"].
	Proc *commands.Proc
	// Line is what to answer: the program's expanded arguments quoted as bash would print
	// them ("docker ps -a"), or the construct's source text.
	Line string
	// Construct is true for a construct the interpreter does not support.
	Construct bool
	// Recent are this shell's last command lines with the start of their output, oldest first.
	Recent []Exchange
}

// Exchange is one earlier command line of a shell and the first bytes it printed.
type Exchange struct {
	Dir    string // the working directory when the line started
	Input  string
	Output string
}

// Transcript bounds: how many earlier lines a Query carries and how much of each output.
const (
	maxRecent       = 8
	maxRecentOutput = 2048
)

// LastResponder returns the stage that answered the last command line Run ran:
// ResponderEmulated unless the Responder answered part of it.
func (s *Shell) LastResponder() string { return stageNames[s.stage.Load()] }

// noteStage records that stage answered part of the current line; the least emulated wins.
func (s *Shell) noteStage(stage string) {
	r := stageRank(stage)
	for {
		cur := s.stage.Load()
		if r <= cur || s.stage.CompareAndSwap(cur, r) {
			return
		}
	}
}

// lineCapture keeps the first bytes a command line prints, for the next Queries' Recent.
type lineCapture struct {
	mu  sync.Mutex
	buf []byte
}

func (c *lineCapture) Write(p []byte) (int, error) {
	c.mu.Lock()
	if room := maxRecentOutput - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	c.mu.Unlock()
	return len(p), nil
}

// remember appends a finished line to the transcript the Responder sees.
func (s *Shell) remember(dir, src string, c *lineCapture) {
	if c == nil || strings.TrimSpace(src) == "" {
		return
	}
	c.mu.Lock()
	out := string(c.buf)
	c.mu.Unlock()
	s.recent = append(s.recent, Exchange{Dir: dir, Input: strings.TrimRight(src, "\n"), Output: out})
	if len(s.recent) > maxRecent {
		s.recent = s.recent[len(s.recent)-maxRecent:]
	}
}

// respond hands a program run (fields, at abs) or an unsupported construct (line, with
// construct set) to the Responder, through runFunc so it gets the same stdio, limits and
// panic protection as an emulated program.
func (r *runner) respond(abs string, fields []string, line string, construct bool) {
	resp := r.sh.cfg.Responder
	if line == "" {
		q := make([]string, len(fields))
		for i, f := range fields {
			q[i] = shellQuote(f)
		}
		line = strings.Join(q, " ")
	}
	recent := append([]Exchange(nil), r.sh.recent...)
	r.runFunc(func(p *commands.Proc) int {
		st, stage := resp.Respond(Query{Proc: p, Line: line, Construct: construct, Recent: recent})
		r.sh.noteStage(stage)
		return st
	}, abs, fields)
}

// respondConstruct hands a construct the interpreter does not support to the Responder. It
// reports false when there is none (the caller then reports the construct itself).
func (r *runner) respondConstruct(n syntax.Node) bool {
	if r.sh.cfg.Responder == nil || r.startup {
		return false
	}
	// a statement's text includes its separator ("exec {fd}>x;"), which is not part of the question
	r.respond("/usr/bin/bash", []string{"bash"}, strings.TrimRight(r.nodeText(n), "; \t\n"), true)
	return true
}

// varFDRedirect reports a {var}>file redirection, which bash supports (it allocates a
// descriptor above 9) and this interpreter does not.
func varFDRedirect(rds []*syntax.Redirect) bool {
	for _, rd := range rds {
		if rd.N != nil && strings.HasPrefix(rd.N.Value, "{") {
			return true
		}
	}
	return false
}
