//go:build linux

// Package ips holds the IPS proofs of issue 5: real attack tools (hydra, nmap) against the real
// `lure serve` binary, and real enforcers (Debian's crowdsec-firewall-bouncer, nftables), all
// inside network namespaces the tests create and delete. Traffic never leaves those
// namespaces: they are joined by a bridge in a namespace of their own, with addresses the test
// assigns (198.18.0.0/15 and fd00:6c75:7265::/64, ranges set aside for such labs) and no route
// anywhere else.
//
// The helpers in this file are the harness every IPS test shares (NewLab, Lab.Host, Host.Dial,
// Host.Listen, Host.Command, StartLure); a test that needs root or a tool skips loudly outside
// CI and fails in CI.
package ips

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lure-sensor/lure/internal/testenv"
)

// RequireRoot checks for root and the tools the harness itself needs, plus the given extra
// tools (hydra, nmap, crowdsec-firewall-bouncer, ...); it returns the tools' paths by name.
func RequireRoot(t *testing.T, tools ...string) map[string]string {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "the IPS tests need root (network namespaces, nftables)")
	}
	paths := map[string]string{}
	for _, tool := range append([]string{"ip"}, tools...) {
		p, err := exec.LookPath(tool)
		if err != nil {
			testenv.SkipOrFail(t, "%s is not installed (make deps installs iproute2, hydra, nmap, nftables, crowdsec-firewall-bouncer)", tool)
		}
		paths[tool] = p
	}
	return paths
}

// Lab is a set of network namespaces joined by one bridge, which lives in a namespace of its
// own so that nothing of the lab touches the host's interfaces or routes.
type Lab struct {
	t      *testing.T
	prefix string // unique per lab: namespace and link names start with it
	bridge string // the bridge namespace
	mu     sync.Mutex
	next   int // host number: addresses .N and ::N
	hosts  []*Host
}

// Host is one namespace of a lab with one interface, eth0, on the lab's bridge.
type Host struct {
	Name  string // the name the test gave ("attacker", "sensor", ...)
	NS    string // the network namespace's name (ip netns)
	Addr4 string // e.g. "198.18.7.3"
	Addr6 string // e.g. "fd00:6c75:7265::3"
	lab   *Lab
}

// labNet4 and labNet6 are the lab's subnets.
const (
	labNet4 = "198.18.7."
	labNet6 = "fd00:6c75:7265::"
)

// NewLab creates the bridge namespace; it and every host are deleted when the test ends.
func NewLab(t *testing.T) *Lab {
	t.Helper()
	RequireRoot(t)
	b := make([]byte, 3)
	rand.Read(b)
	l := &Lab{t: t, prefix: "li" + hex.EncodeToString(b), next: 1}
	l.bridge = l.prefix + "-br"
	mustRun(t, "ip", "netns", "add", l.bridge)
	t.Cleanup(func() {
		for _, h := range l.hosts {
			exec.Command("ip", "netns", "del", h.NS).Run()
		}
		exec.Command("ip", "netns", "del", l.bridge).Run()
	})
	l.in(l.bridge, "ip", "link", "add", "br0", "type", "bridge")
	l.in(l.bridge, "ip", "link", "set", "br0", "up")
	l.in(l.bridge, "ip", "link", "set", "lo", "up")
	// IPv6 duplicate address detection would delay the addresses by a second or more.
	l.in(l.bridge, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	return l
}

func (l *Lab) in(ns string, args ...string) string {
	l.t.Helper()
	return mustRun(l.t, "ip", append([]string{"netns", "exec", ns}, args...)...)
}

// Host adds a namespace named after name with an address of its own on the bridge.
func (l *Lab) Host(name string) *Host {
	l.t.Helper()
	l.mu.Lock()
	n := l.next
	l.next++
	l.mu.Unlock()
	h := &Host{Name: name, NS: fmt.Sprintf("%s-%d", l.prefix, n), Addr4: fmt.Sprintf("%s%d", labNet4, n), Addr6: fmt.Sprintf("%s%d", labNet6, n), lab: l}
	mustRun(l.t, "ip", "netns", "add", h.NS)
	l.mu.Lock()
	l.hosts = append(l.hosts, h)
	l.mu.Unlock()
	peer := fmt.Sprintf("%sp%d", l.prefix, n) // at most 15 bytes: "li" + 6 hex + "p" + n
	mustRun(l.t, "ip", "link", "add", peer, "netns", l.bridge, "type", "veth", "peer", "name", "eth0", "netns", h.NS)
	l.in(l.bridge, "ip", "link", "set", peer, "master", "br0", "up")
	l.in(h.NS, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.eth0.accept_dad=0")
	l.in(h.NS, "ip", "link", "set", "lo", "up")
	l.in(h.NS, "ip", "addr", "add", h.Addr4+"/24", "dev", "eth0")
	l.in(h.NS, "ip", "addr", "add", h.Addr6+"/64", "dev", "eth0", "nodad")
	l.in(h.NS, "ip", "link", "set", "eth0", "up")
	return h
}

// Command returns a command that runs in the host's namespace (through ip netns exec). It is
// killed when ctx ends.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}

// Run runs a command in the namespace and fails the test when it fails.
func (h *Host) Run(t *testing.T, name string, args ...string) string {
	t.Helper()
	return h.lab.in(h.NS, append([]string{name}, args...)...)
}

// Do runs f on an OS thread that has entered the host's namespace, so the sockets f opens
// belong to it (they stay there after f returns). The thread is never handed back to other
// goroutines: it exits with f's goroutine.
func (h *Host) Do(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
		fd, err := unix.Open("/run/netns/"+h.NS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("opening namespace %s: %w", h.NS, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("entering namespace %s: %w", h.NS, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// NetNSFd opens the namespace for APIs that take one (nftables.WithNetNSFd); the caller
// closes it.
func (h *Host) NetNSFd() (int, error) {
	return unix.Open("/run/netns/"+h.NS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
}

// Dial connects from the host's namespace.
func (h *Host) Dial(network, addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := h.Do(func() error {
		var err error
		c, err = net.DialTimeout(network, addr, timeout)
		return err
	})
	return c, err
}

// Listen listens in the host's namespace; the listener is closed when the test ends.
func (h *Host) Listen(t *testing.T, network, addr string) net.Listener {
	t.Helper()
	var ln net.Listener
	if err := h.Do(func() error {
		var err error
		ln, err = net.Listen(network, addr)
		return err
	}); err != nil {
		t.Fatalf("listening on %s in %s: %v", addr, h.Name, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// Serve listens on addr in the host's namespace and accepts and closes connections until the
// test ends: a target for reachability checks.
func (h *Host) Serve(t *testing.T, addr string) {
	t.Helper()
	ln := h.Listen(t, "tcp", addr)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello\n"))
			c.Close()
		}
	}()
}

// Reaches tells whether a TCP connection from h to addr completes within timeout. A dropped
// SYN times out; a refused one fails fast: both count as not reached.
func (h *Host) Reaches(addr string, timeout time.Duration) bool {
	c, err := h.Dial("tcp", addr, timeout)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// WaitReach polls Reaches until it gives want or the deadline passes; it returns how long that
// took and whether it happened.
func (h *Host) WaitReach(addr string, want bool, within time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < within {
		if h.Reaches(addr, 300*time.Millisecond) == want {
			return time.Since(start), true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start), false
}

// HostPort joins an address (IPv4 or IPv6) and a port.
func HostPort(addr string, port int) string { return net.JoinHostPort(addr, fmt.Sprint(port)) }

func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// The lure binary, built once per test binary on first use.
var (
	lureOnce sync.Once
	lureBin  string
	lureErr  error
)

// LureBinary builds cmd/lure into a temporary directory once and returns its path.
func LureBinary(t *testing.T) string {
	t.Helper()
	lureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lure-ips-bin")
		if err != nil {
			lureErr = err
			return
		}
		lureBin = filepath.Join(dir, "lure")
		cmd := exec.Command("go", "build", "-o", lureBin, "github.com/lure-sensor/lure/cmd/lure")
		if out, err := cmd.CombinedOutput(); err != nil {
			lureErr = fmt.Errorf("go build ./cmd/lure: %v\n%s", err, out)
		}
	})
	if lureErr != nil {
		t.Fatal(lureErr)
	}
	return lureBin
}

// Lure is a running `lure serve` in a lab host.
type Lure struct {
	Host    *Host
	DataDir string
	LogPath string // DATA_DIR/log/lure.json
	SSHPort int
	stderr  *SyncBuffer
	stop    func()
}

// StartLure runs the real `lure serve --config FILE` in h's namespace. configYAML is the whole
// config except data_dir and sensor, which StartLure sets; sshPort is the port configYAML's
// ssh.listen uses, which StartLure waits for. The sensor is stopped with SIGTERM when the
// test ends.
func StartLure(t *testing.T, h *Host, configYAML string, sshPort int) *Lure {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("data_dir: %s\nsensor: ips-test\n%s", dir, configYAML)
	if err := os.WriteFile(filepath.Join(dir, "lure.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return startLure(t, h, dir, sshPort)
}

// StartLureWithout is StartLure with the given capabilities (such as "net_admin") dropped from
// lure's bounding set, so that root's lure runs as an unprivileged deployment would.
func StartLureWithout(t *testing.T, h *Host, configYAML string, sshPort int, caps ...string) *Lure {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf("data_dir: %s\nsensor: ips-test\n%s", dir, configYAML)
	if err := os.WriteFile(filepath.Join(dir, "lure.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var drop []string
	for _, c := range caps {
		drop = append(drop, "-"+c)
	}
	return startLure(t, h, dir, sshPort, "setpriv", "--bounding-set", strings.Join(drop, ","))
}

// Restart stops the sensor and starts it again on the same data directory and config.
func (l *Lure) Restart(t *testing.T) *Lure {
	t.Helper()
	l.Stop()
	return startLure(t, l.Host, l.DataDir, l.SSHPort)
}

// Lure runs `lure ARGS...` on the host side (operator commands such as `lure decisions`) and
// returns its output and exit error.
func (l *Lure) Lure(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(LureBinary(t), args...).CombinedOutput()
	return string(out), err
}

func startLure(t *testing.T, h *Host, dir string, sshPort int, wrapper ...string) *Lure {
	t.Helper()
	bin := LureBinary(t)
	cfgPath := filepath.Join(dir, "lure.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	argv := append(append(wrapper, bin), "serve", "--config", cfgPath)
	cmd := h.Command(ctx, argv[0], argv[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 20 * time.Second
	stderr := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	l := &Lure{Host: h, DataDir: dir, LogPath: filepath.Join(dir, "log", "lure.json"), SSHPort: sshPort, stderr: stderr}
	var once sync.Once
	l.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-exited:
			case <-time.After(25 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				t.Errorf("lure serve did not stop within 25s of SIGTERM:\n%s", stderr.String())
			}
		})
	}
	t.Cleanup(func() {
		l.stop()
		if t.Failed() {
			t.Logf("lure serve's log:\n%s", stderr.String())
		}
	})
	addr := HostPort(h.Addr4, sshPort)
	deadline := time.Now().Add(30 * time.Second)
	for !h.Reaches(addr, time.Second) {
		select {
		case err := <-exited:
			t.Fatalf("lure serve exited before listening: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("lure serve did not listen on %s within 30s:\n%s", addr, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return l
}

// Stop stops the sensor (SIGTERM) and waits for it; the test's cleanup does it too.
func (l *Lure) Stop() { l.stop() }

// Stderr is what lure serve logged so far.
func (l *Lure) Stderr() string { return l.stderr.String() }

// Events reads the JSON event log written so far, one map per event.
func (l *Lure) Events(t *testing.T) []map[string]any {
	t.Helper()
	f, err := os.Open(l.LogPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// WaitEvent polls the event log until an event with the given eventid satisfies match (nil:
// any), and returns it; it fails the test after within.
func (l *Lure) WaitEvent(t *testing.T, eventid string, match func(map[string]any) bool, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, e := range l.Events(t) {
			if e["eventid"] == eventid && (match == nil || match(e)) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event within %s; lure's log:\n%s", eventid, within, l.Stderr())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// SyncBuffer is a bytes.Buffer safe for a child's concurrent writes.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func closeFd(fd int) { unix.Close(fd) }
