package llm

import (
	"context"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/eval"
)

func TestCheckScoresAgainstTheEmulator(t *testing.T) {
	h := newHarness(t, harnessOpts{stream: true, script: func(r chatRequest, n int) reply {
		last := r.Messages[len(r.Messages)-1].Content
		switch {
		case strings.HasSuffix(last, "# echo ready"):
			return reply{text: "ready\n", tokens: 300}
		case strings.HasSuffix(last, "# whoami"):
			return reply{text: "```\nroot\n```"}
		case strings.HasSuffix(last, "# cat /nonexistent/file"):
			return reply{text: "cat: /nonexistent/file: No such file or directory"}
		case strings.HasSuffix(last, "# hostname"):
			return reply{status: 500}
		}
		return reply{text: "something else entirely"}
	}})
	var progress []int
	rep, err := Check(context.Background(), CheckConfig{
		Client: h.chain.cfg.Client, Persona: h.per,
		Commands: []string{"whoami", "cat /nonexistent/file", "uname -a", "hostname"},
		Progress: func(i, n int, l eval.LineResult) { progress = append(progress, i) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ProbeTotal <= 0 || rep.ProbeFirstToken <= 0 || rep.ProbeFirstToken > rep.ProbeTotal || rep.ProbeTokens != 310 {
		t.Errorf("probe: first %v total %v tokens %d", rep.ProbeFirstToken, rep.ProbeTotal, rep.ProbeTokens)
	}
	if len(rep.Lines) != 4 || len(progress) != 4 {
		t.Fatalf("%d lines, %d progress calls", len(rep.Lines), len(progress))
	}
	who, missing, uname, host := rep.Lines[0], rep.Lines[1], rep.Lines[2], rep.Lines[3]
	if !who.Exact || !who.ExitAgree || who.Reference.Stdout != "root\n" {
		t.Errorf("whoami: %+v", who)
	}
	if !missing.Exact || !missing.ExitAgree || missing.Target.ExitStatus != 1 {
		t.Errorf("missing file: %+v", missing)
	}
	if uname.Exact || uname.Mean >= 0.9 || !strings.HasPrefix(uname.Reference.Stdout, "Linux ") {
		t.Errorf("uname: %+v", uname)
	}
	if host.Error == "" || !strings.Contains(host.Error, "500") {
		t.Errorf("failed call: %+v", host)
	}
	s := rep.Summary
	if s.Lines != 4 || s.ExactMatches != 2 || s.Errors != 1 {
		t.Errorf("summary %+v", s)
	}
	// a dead endpoint fails the probe
	h.srv.srv.Close()
	if _, err := Check(context.Background(), CheckConfig{Client: h.chain.cfg.Client, Persona: h.per}); err == nil {
		t.Error("a closed endpoint passed the probe")
	}
}
