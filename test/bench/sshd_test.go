// Package benche2e runs `lure bench ssh` against the host's real OpenSSH sshd, started on
// 127.0.0.1 with a temporary configuration, host key and local user. It needs root (useradd,
// chpasswd, sshd) and is skipped loudly outside CI when that is missing; in CI it must run.
package benche2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/bench"
	"github.com/lure-sensor/lure/internal/testenv"
)

// need returns the path of a required program, failing in CI and skipping loudly elsewhere.
func need(t *testing.T, name string, fallbacks ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range fallbacks {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	unavailable(t, name+" is not installed")
	return ""
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	testenv.SkipOrFail(t, "%s (the bench is measured against a real OpenSSH)", why)
}

// syncBuffer collects sshd's log from its output goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func run(t *testing.T, stdin string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// freePort picks a port nothing listens on. sshd cannot listen on port 0 and report the port, so a
// tiny race with another process taking it remains; sshd then fails to start and says so.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type sshd struct {
	addr     string
	user     string
	password string
	log      *syncBuffer
}

// startSSHD creates a temporary user and runs the host's sshd for it on 127.0.0.1, removing both
// when the test ends.
func startSSHD(t *testing.T) *sshd {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "not running as root (needed for useradd, chpasswd and sshd)")
	}
	sshdPath := need(t, "sshd", "/usr/sbin/sshd")
	keygen := need(t, "ssh-keygen")
	useradd := need(t, "useradd", "/usr/sbin/useradd")
	chpasswd := need(t, "chpasswd", "/usr/sbin/chpasswd")
	userdel := need(t, "userdel", "/usr/sbin/userdel")

	s := &sshd{
		user:     "lbench" + randomHex(t, 4),
		password: "Pw-" + randomHex(t, 12),
		log:      &syncBuffer{},
	}
	run(t, "", useradd, "--create-home", "--shell", "/bin/bash", "--comment", "lure bench e2e test (temporary)", s.user)
	t.Cleanup(func() {
		// -f: sshd's session processes for the user may still be exiting.
		if out, err := exec.Command(userdel, "--force", "--remove", s.user).CombinedOutput(); err != nil {
			t.Logf("userdel %s: %v: %s", s.user, err, out)
		}
		if err := exec.Command("id", s.user).Run(); err == nil {
			t.Errorf("temporary user %s still exists after userdel", s.user)
		}
	})
	run(t, s.user+":"+s.password+"\n", chpasswd)

	dir := t.TempDir()
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	run(t, "", keygen, "-q", "-t", "ed25519", "-N", "", "-C", "lure-bench-e2e", "-f", hostKey)
	port := freePort(t)
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	config := filepath.Join(dir, "sshd_config")
	// UsePAM no: password checks go straight to the shadow file, so the test does not depend on
	// the PAM session modules a container may lack (pam_loginuid).
	conf := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile none
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
AuthorizedKeysFile none
PermitRootLogin no
AllowUsers %s
MaxStartups 100
UseDNS no
PrintMotd no
PrintLastLog no
LogLevel ERROR
`, port, hostKey, s.user)
	if err := os.WriteFile(config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// sshd refuses to start without its privilege separation directory, which a service start
	// would have created.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sshdPath, "-t", "-f", config).CombinedOutput(); err != nil {
		t.Fatalf("sshd -t rejects the test configuration: %v\n%s", err, out)
	}

	cmd := exec.Command(sshdPath, "-D", "-e", "-f", config)
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sshd: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("sshd log:\n%s", s.log.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("sshd exited before listening on %s:\n%s", s.addr, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd does not listen on %s after 10s:\n%s", s.addr, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

func runBench(t *testing.T, args ...string) (*bench.Result, int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	rc := bench.Command(context.Background(), append([]string{"ssh"}, args...), &stdout, &stderr)
	var res bench.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("exit %d, stdout is not the JSON report: %v\nstdout: %s\nstderr: %s", rc, err, stdout.String(), stderr.String())
	}
	return &res, rc, stderr.String()
}

func TestBenchAgainstOpenSSH(t *testing.T) {
	s := startSSHD(t)
	// sshd runs the command on this very host, so each round trip must bring back exactly what
	// uname -a prints here.
	uname, err := exec.Command("uname", "-a").Output()
	if err != nil {
		t.Fatal(err)
	}

	res, rc, stderr := runBench(t, "--target", s.addr, "--user", s.user, "--password", s.password,
		"--conns", "4", "--duration", "2s", "--command", "uname -a", "--json")
	if rc != 0 {
		t.Fatalf("exit %d\nstderr: %s\nerrors: %v %v", rc, stderr, res.Errors, res.ErrorExamples)
	}
	if !strings.HasPrefix(res.ServerVersion, "SSH-2.0-OpenSSH_") {
		t.Errorf("server version %q is not OpenSSH's", res.ServerVersion)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors against a healthy sshd: %v %v", res.Errors, res.ErrorExamples)
	}
	for name, ph := range map[string]bench.Phase{"handshakes": res.Handshakes, "logins": res.Logins, "commands": res.Commands} {
		p := ph.LatencyMS
		if ph.Count == 0 || ph.PerSecond <= 0 {
			t.Errorf("%s: count %d, %v/s", name, ph.Count, ph.PerSecond)
		}
		if !(p.P50 > 0 && p.P50 <= p.P90 && p.P90 <= p.P99 && p.P99 <= p.Max) {
			t.Errorf("%s: percentiles not ordered: %+v", name, p)
		}
	}
	if want := res.Commands.Count * uint64(len(uname)); res.Commands.StdoutBytes != want {
		t.Errorf("stdout %d bytes for %d commands, want %d (%q each)", res.Commands.StdoutBytes, res.Commands.Count, want, uname)
	}
	t.Logf("real sshd, 4 conns, 2s (on a shared test machine, not a benchmark): handshakes %.1f/s, logins %.1f/s, commands %.1f/s, command p50 %.1fms p99 %.1fms",
		res.Handshakes.PerSecond, res.Logins.PerSecond, res.Commands.PerSecond, res.Commands.LatencyMS.P50, res.Commands.LatencyMS.P99)

	t.Run("wrong password", func(t *testing.T) {
		res, rc, stderr := runBench(t, "--target", s.addr, "--user", s.user, "--password", "not-"+s.password,
			"--conns", "2", "--duration", "1s", "--json")
		if rc != 1 || !strings.Contains(stderr, "no successful logins") {
			t.Errorf("exit %d, stderr: %s", rc, stderr)
		}
		if res.Handshakes.Count == 0 {
			t.Error("no handshakes: they need no password")
		}
		if res.Logins.Count != 0 || res.Errors[bench.KindAuth] == 0 {
			t.Errorf("logins %d, errors %v: sshd's refusals must count as auth errors", res.Logins.Count, res.Errors)
		}
	})
}
