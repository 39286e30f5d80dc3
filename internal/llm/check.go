package llm

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/eval"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// SampleCommands are what `lure llm check` asks the model by default: commands the emulator
// answers, so the model's answers can be scored against them. They cover identity, files,
// processes, network, packages and errors, as bots ask them.
var SampleCommands = []string{
	"uname -a",
	"id",
	"whoami",
	"hostname",
	"cat /etc/os-release",
	"cat /etc/hostname",
	"ls /",
	"ls -la /root",
	"pwd",
	"uptime -p",
	"nproc",
	"df -h /",
	"free -m",
	"cat /proc/cpuinfo | grep 'model name' | head -1",
	"grep -c processor /proc/cpuinfo",
	"head -3 /etc/passwd",
	"cat /etc/issue",
	"which python3 perl wget",
	"dpkg -l openssh-server | tail -1",
	"cat /nonexistent/file",
	"ls /tmp/none",
	"nosuchcommand --help",
	"echo $SHELL",
	"crontab -l",
}

// CheckConfig is what Check needs.
type CheckConfig struct {
	Client   *Client
	Persona  *persona.Persona
	Commands []string // nil: SampleCommands
	Prompt   Prompt
	// Timeout bounds each call (default 30s: a check measures the endpoint, it does not
	// protect a session).
	Timeout time.Duration
	// Progress, when set, is called after each command.
	Progress func(i, n int, l eval.LineResult)
}

// CheckReport is what Check found.
type CheckReport struct {
	// Probe is the first call (a short prompt): connectivity, time to first token, latency.
	ProbeError      string
	ProbeFirstToken time.Duration
	ProbeTotal      time.Duration
	ProbeTokens     int
	// Lines compare the emulator (Reference) with the model alone (Target) per command,
	// scored with lure eval's metrics; Summary holds their means and latencies.
	Lines   []eval.LineResult
	Summary eval.Summary
}

// Check tests an endpoint: a probe call for connectivity and latency, then each command
// answered by the model alone (prompted as the sensor prompts it, in a fresh session of the
// persona's root user in /root) and by the emulator, scored with lure eval's metrics. It
// returns an error only when the probe fails (the endpoint is unusable); per-command
// failures are recorded in their lines.
func Check(ctx context.Context, cfg CheckConfig) (CheckReport, error) {
	var rep CheckReport
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	cmds := cfg.Commands
	if cmds == nil {
		cmds = SampleCommands
	}
	root, ok := cfg.Persona.LookupUser("root")
	if !ok {
		root = persona.User{Name: "root", Home: "/root", Shell: "/bin/bash"}
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	comp, err := cfg.Client.Complete(pctx, cfg.Prompt.Messages(Context{Persona: cfg.Persona, User: root, Cwd: root.Home, Command: "echo ready"}))
	cancel()
	if err != nil {
		rep.ProbeError = err.Error()
		return rep, err
	}
	rep.ProbeFirstToken, rep.ProbeTotal, rep.ProbeTokens = comp.FirstToken, comp.Total, comp.Tokens()

	reg := commands.Default()
	for i, cmd := range cmds {
		if ctx.Err() != nil {
			break
		}
		fsys := vfs.NewMemFS(cfg.Persona.Image)
		ref := emulate(ctx, fsys, cfg.Persona, root, reg, cmd)
		line := eval.LineResult{Index: i + 1, Line: eval.Line{No: i + 1, Command: cmd}, Reference: ref}
		c := Context{Persona: cfg.Persona, User: root, Cwd: root.Home, Command: cmd,
			Listing: Listing(fsys, cfg.Persona, NamedPaths(fsys, root.Home, root.Home, Words(cmd)))}
		msgs := cfg.Prompt.Messages(c)
		cctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		start := time.Now()
		comp, err := cfg.Client.Complete(cctx, msgs)
		cancel()
		tgt := eval.Side{LatencyMS: float64(time.Since(start).Microseconds()) / 1000, ExitStatus: -1}
		if err != nil {
			tgt.NotRun = true
			tgt.Error = err.Error()
			if errors.Is(err, context.DeadlineExceeded) {
				tgt.NotRun, tgt.TimedOut = false, true
			}
			line.Error = "model: " + err.Error()
		} else {
			ans := Clean(comp.Text, cmd, cfg.Prompt.promptLine(c))
			tgt.ExitStatus = StatusOf(ans)
			if tgt.ExitStatus != 0 {
				tgt.Stderr = ans
			} else {
				tgt.Stdout = ans
			}
			line.Scores = eval.Compare(ref.Stdout+ref.Stderr, tgt.Stdout+tgt.Stderr)
			line.Mean = line.Scores.Mean()
			line.ExitAgree = ref.ExitStatus == tgt.ExitStatus
		}
		line.Target = tgt
		rep.Lines = append(rep.Lines, line)
		if cfg.Progress != nil {
			cfg.Progress(i+1, len(cmds), line)
		}
	}
	rep.Summary = eval.Summarize(rep.Lines)
	return rep, nil
}

// emulate runs cmd in a fresh exec shell of the persona, as `ssh host CMD` would.
func emulate(ctx context.Context, fsys *vfs.FS, per *persona.Persona, u persona.User, reg *commands.Registry, cmd string) eval.Side {
	sh := shell.New(shell.Config{FS: fsys, Persona: per, User: u, Commands: reg,
		Session: &commands.Session{ID: "llm-check", SrcIP: "127.0.0.1", Sink: discardSink{}}})
	var out, errb strings.Builder
	start := time.Now()
	st := sh.Run(ctx, cmd, strings.NewReader(""), &out, &errb)
	return eval.Side{Stdout: out.String(), Stderr: errb.String(), ExitStatus: st,
		LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
}

type discardSink struct{}

func (discardSink) SaveFile(data []byte) (string, error)        { return "", nil }
func (discardSink) Event(id, msg string, fields map[string]any) {}
