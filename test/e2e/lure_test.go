// Package e2e holds end-to-end tests that drive lure with the real OpenSSH client tools
// (ssh, sshpass, sftp, scp) and asciinema. The server runs in-process through the same
// constructor `lure serve` uses; startLure is the one place to switch to the real binary.
// A missing tool skips the test loudly outside CI and fails it in CI.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/testenv"
)

// password is the one configured credential of the test sensor.
const password = "Winter2024!"

// need returns the path of a tool, skipping (or, in CI, failing) the test without it.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		testenv.SkipOrFail(t, "%s is not installed (apt-get install openssh-client sshpass asciinema)", tool)
	}
	return p
}

// lure is a running sensor: the real `lure serve` binary.
type lure struct {
	Port    int
	DataDir string
	LogPath string // DATA_DIR/log/lure.json
	stop    func()
}

// binary is the lure binary built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lure-e2e-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lure")
	out, err := exec.Command("go", "build", "-o", binary, "github.com/lure-sensor/lure/cmd/lure").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		panic("building lure for the e2e tests: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startLure runs `lure serve --config FILE` on 127.0.0.1 with the default persona, one
// configured credential and a data directory of its own. Clients may come from any
// 127.0.0.0/8 address (ssh -b 127.0.0.2) to act as different attackers.
func startLure(t *testing.T) *lure {
	t.Helper()
	return startLureConfig(t, "")
}

// startLureConfig is startLure with more YAML appended to the config (top-level sections).
func startLureConfig(t *testing.T, extra string) *lure {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	cfg := fmt.Sprintf(`data_dir: %s
sensor: e2e
ssh:
  listen: "127.0.0.1:%d"
  credentials:
    - {user: root, password: %q}
  auth_fail_delay: 10ms
`, dir, port, password) + extra
	cfgPath := filepath.Join(dir, "lure.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve", "--config", cfgPath)
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("lure serve exited before listening: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("lure serve did not listen on %d within 30s:\n%s", port, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	l := &lure{Port: port, DataDir: dir, LogPath: filepath.Join(dir, "log", "lure.json")}
	var once sync.Once
	l.stop = func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Errorf("lure serve did not stop within 20s of SIGTERM:\n%s", stderr.String())
			}
		})
	}
	t.Cleanup(l.stop)
	return l
}

// syncBuffer is a bytes.Buffer safe for the child's concurrent writes.
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

// sshArgs are the options every client run uses.
func (l *lure) sshArgs(extra ...string) []string {
	args := []string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"}
	return append(args, extra...)
}

// events reads the JSON log.
func (l *lure) events(t *testing.T) []map[string]any {
	t.Helper()
	f, err := os.Open(l.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// waitEvent waits for an event with id whose fields match want.
func (l *lure) waitEvent(t *testing.T, id string, want map[string]any) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, e := range l.events(t) {
			if e["eventid"] != id {
				continue
			}
			ok := true
			for k, v := range want {
				if e[k] != v {
					ok = false
				}
			}
			if ok {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event with %v in the log", id, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *lure) port() string { return strconv.Itoa(l.Port) }
