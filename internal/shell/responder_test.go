package shell

import (
	"io"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/shell/commands"
)

// funcResponder adapts a plain program to a Responder that reports itself as the LLM
// stage; nil stays nil so tests without it see the shell's own default.
func funcResponder(f commands.Func) Responder {
	if f == nil {
		return nil
	}
	return stagedResponder{f: f, stage: ResponderLLM}
}

type stagedResponder struct {
	f     commands.Func
	stage string
	got   *[]Query
}

func (s stagedResponder) Respond(q Query) (int, string) {
	if s.got != nil {
		*s.got = append(*s.got, q)
	}
	return s.f(q.Proc), s.stage
}

func TestResponderStageAndTranscript(t *testing.T) {
	var got []Query
	resp := stagedResponder{stage: ResponderCache, got: &got, f: func(p *commands.Proc) int {
		io.WriteString(p.Stdout, "answered "+p.Args[0]+"\n")
		return 0
	}}
	s := newTestShell(t, testOpts{})
	s.cfg.Responder = resp
	if _, _, _ = run(t, s, "echo first"); s.LastResponder() != ResponderEmulated {
		t.Errorf("emulated line reported %q", s.LastResponder())
	}
	out, _, _ := run(t, s, "X=ps; noemu   $X 'a b'; echo after")
	if out != "answered noemu\nafter\n" {
		t.Fatalf("out %q", out)
	}
	if s.LastResponder() != ResponderCache {
		t.Errorf("line answered by the responder reported %q", s.LastResponder())
	}
	if len(got) != 1 || got[0].Line != "noemu ps 'a b'" || got[0].Construct {
		t.Fatalf("queries %+v", got)
	}
	if r := got[0].Recent; len(r) != 1 || r[0].Input != "echo first" || r[0].Output != "first\n" {
		t.Errorf("recent %+v", got[0].Recent)
	}
	// the next line is emulated again, and a missing program never reaches the responder
	_, errOut, st := run(t, s, "nosuchprog")
	if st != 127 || !strings.Contains(errOut, "command not found") || len(got) != 1 {
		t.Errorf("missing program: status %d, %q, %d queries", st, errOut, len(got))
	}
	if s.LastResponder() != ResponderEmulated {
		t.Errorf("stage not reset: %q", s.LastResponder())
	}
}

func TestResponderConstruct(t *testing.T) {
	var got []Query
	resp := stagedResponder{stage: ResponderFallback, got: &got, f: func(p *commands.Proc) int { return 0 }}
	s := newTestShell(t, testOpts{})
	s.cfg.Responder = resp
	_, errOut, st := run(t, s, "exec {fd}>/tmp/x; echo $?")
	if len(got) != 1 || !got[0].Construct || !strings.Contains(got[0].Line, "{fd}>/tmp/x") || st != 0 || errOut != "" {
		t.Fatalf("construct: status %d stderr %q queries %+v", st, errOut, got)
	}
	if s.LastResponder() != ResponderFallback {
		t.Errorf("stage %q", s.LastResponder())
	}
	// without a responder the shell still reports it itself
	s.cfg.Responder = nil
	if _, errOut, _ = run(t, s, "exec {fd}>/tmp/x"); !strings.Contains(errOut, "Bad file descriptor") {
		t.Errorf("without responder: %q", errOut)
	}
}
