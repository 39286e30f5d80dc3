// Package e2e holds end-to-end tests that drive lure with the real OpenSSH client tools
// (ssh, sshpass, sftp, scp) and asciinema. The server runs in-process through the same
// constructor `lure serve` uses; startLure is the one place to switch to the real binary.
// A missing tool skips the test loudly outside CI and fails it in CI.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/artifact"
	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/proto/ssh"
	"github.com/lure-sensor/lure/internal/shell/commands"
	"github.com/lure-sensor/lure/internal/vfs"
)

// password is the one configured credential of the test sensor.
const password = "Winter2024!"

// need returns the path of a tool, skipping (or, in CI, failing) the test without it.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; the e2e tests need it in CI", tool)
		}
		t.Skipf("SKIPPED LOUDLY: %s is not installed (apt-get install openssh-client sshpass asciinema); this test runs in CI", tool)
	}
	return p
}

// jsonLog is an event.Emitter writing JSON lines, as the integrator's JSON sink does.
type jsonLog struct {
	mu sync.Mutex
	f  *os.File
}

func (j *jsonLog) Emit(e event.Event) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.f.Write(append(b, '\n'))
}

// lure is a running sensor.
type lure struct {
	Port    int
	DataDir string
	LogPath string // DATA_DIR/log/lure.json
	stop    func()
}

// startLure runs a sensor on 127.0.0.1 (any port) with the default persona and a data
// directory of its own, listening on all of 127.0.0.0/8 so that clients can come from
// different loopback addresses.
func startLure(t *testing.T) *lure {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "log", "lure.json")
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := persona.Default()
	if err != nil || p == nil {
		t.Fatalf("default persona: %v", err)
	}
	mgr, err := vfs.NewManager(p.Image, filepath.Join(dir, "overlay"), vfs.Quotas{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := artifact.New(filepath.Join(dir, "downloads"), 0)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ssh.New(ssh.Options{
		Config: config.SSH{
			Credentials:   []config.Credential{{User: "root", Password: password}},
			AuthFailDelay: config.Duration(10 * time.Millisecond),
		},
		Sensor:    "e2e",
		DataDir:   dir,
		Persona:   p,
		Overlays:  mgr,
		Commands:  commands.Default(),
		Events:    &jsonLog{f: f},
		Artifacts: store,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, ln)
	}()
	l := &lure{Port: ln.Addr().(*net.TCPAddr).Port, DataDir: dir, LogPath: logPath}
	l.stop = func() {
		cancel()
		<-done
		_ = mgr.Close()
		f.Close()
	}
	t.Cleanup(l.stop)
	return l
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
