package benche2e

import (
	"context"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/shell"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// botLines are the commands bots send most often (the "mdrfckr" family's recon script and the
// top-command tables of public honeypot reports), each as one exec request.
var botLines = []string{
	"uname -a",
	"uname -s -v -n -r -m",
	"whoami",
	"id",
	"w",
	"cat /proc/cpuinfo | grep name | wc -l",
	"cat /proc/cpuinfo | grep name | head -n 1 | awk '{print $4,$5,$6,$7,$8,$9;}'",
	"free -m | grep Mem | awk '{print $2 ,$3, $4, $5, $6, $7}'",
	"ls -lh $(which ls)",
	"which ls",
	"crontab -l",
	"lscpu | grep Model",
	"df -h | head -n 2 | awk 'FNR == 2 {print $2;}'",
	"nproc",
	"uptime",
	"ps aux",
	"cd ~ && rm -rf .ssh && mkdir .ssh && echo \"ssh-rsa AAAAB3NzaC1yc2E mdrfckr\" >> .ssh/authorized_keys && chmod -R go= ~/.ssh && cd ~",
	"echo \"root:Xy12ab34\" | chpasswd",
	"cat /etc/os-release",
	"ls -la /tmp",
}

func newShell(b testing.TB, p *persona.Persona, reg *commands.Registry) *shell.Shell {
	root, ok := p.LookupUser("root")
	if !ok {
		b.Fatal("persona has no root user")
	}
	return shell.New(shell.Config{
		FS: vfs.NewMemFS(p.Image), Persona: p, User: root, Commands: reg,
		Session: &commands.Session{ID: "bench", SrcIP: "198.51.100.7"},
	})
}

// BenchmarkBotCommands measures the server-side time of each common bot command line through
// the real shell, registry and default persona (target: median well under 1 ms each).
// Run: go test -run '^$' -bench BotCommands ./test/bench
func BenchmarkBotCommands(b *testing.B) {
	p, err := persona.Default()
	if err != nil {
		b.Fatal(err)
	}
	reg := commands.Default()
	for _, line := range botLines {
		name := strings.Fields(line)[0] + "/" + strings.NewReplacer(" ", "_", "/", "÷").Replace(line)
		if len(name) > 60 {
			name = name[:60]
		}
		b.Run(name, func(b *testing.B) {
			sh := newShell(b, p, reg)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sh.Run(context.Background(), line, strings.NewReader(""), io.Discard, io.Discard)
			}
		})
	}
}

// TestBotCommandsMedian prints each bot line's median server time (a report, not a timed
// assertion) and checks that every line runs and prints something or succeeds.
func TestBotCommandsMedian(t *testing.T) {
	p, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.Default()
	for _, line := range botLines {
		sh := newShell(t, p, reg)
		var times []time.Duration
		var out strings.Builder
		status := 0
		for i := 0; i < 21; i++ {
			out.Reset()
			start := time.Now()
			status = sh.Run(context.Background(), line, strings.NewReader(""), &out, &out)
			times = append(times, time.Since(start))
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		t.Logf("%-60.60s median %8v", line, times[len(times)/2])
		if status != 0 && line != "crontab -l" {
			t.Errorf("%q exited %d: %q", line, status, out.String())
		}
	}
}
