//go:build linux

package reference

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/lure-sensor/lure/internal/eval"
	"github.com/lure-sensor/lure/internal/testenv"
)

const (
	// defaultRoot is where scripts/build-default-persona.sh keeps its tree; the reference
	// reuses it unless LURE_REFERENCE_ROOT names another.
	defaultRoot = "/var/tmp/lure-bookworm-rootfs"
	// password is what scripts/reference/build-rootfs.sh gives root and the user.
	password = "lure-reference"
	// hostname is the default persona's, so the reference and lure agree on it.
	hostname = "web-prod-03"
)

// requireHost checks what the harness needs from the machine: root, and the tools that make
// namespaces, mounts and the chroot.
func requireHost(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.SkipOrFail(t, "the reference server needs root (network namespaces, mounts, chroot)")
	}
	for _, tool := range []string{"ip", "unshare", "nsenter", "chroot", "mount", "mknod", "mkfs.ext4", "truncate", "hostname", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.SkipOrFail(t, "%s is not installed (iproute2, util-linux, coreutils, e2fsprogs, hostname, Go)", tool)
		}
	}
}

// repoRoot is the repository's top directory (the test runs in test/reference).
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("cannot find the repository root from the test directory: %v", err)
	}
	return dir
}

// logWriter turns a child's output into t.Log lines, one per line, as it comes (visible live
// with go test -v), so a build of several minutes shows its progress.
type logWriter struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
	buf    []byte
	all    bytes.Buffer // everything, for error messages
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.t.Log(w.prefix + strings.TrimRight(string(w.buf[:i]), "\r"))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// flush logs a last unterminated line; call it once the child has exited.
func (w *logWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.t.Log(w.prefix + string(w.buf))
		w.buf = nil
	}
}

// referenceRoot returns a finished reference tree, building it first when needed (minutes on
// a fresh machine: debootstrap plus the pending updates).
func referenceRoot(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LURE_REFERENCE_ROOT")
	if dir == "" {
		dir = defaultRoot
	}
	dir = filepath.Clean(dir)
	if _, err := os.Stat(dir + ".lure-ready"); err == nil {
		return dir
	}
	t.Logf("building the reference root filesystem in %s with scripts/reference/build-rootfs.sh (several minutes on a fresh machine)", dir)
	script := filepath.Join(repoRoot(t), "scripts", "reference", "build-rootfs.sh")
	w := &logWriter{t: t, prefix: "rootfs: "}
	cmd := exec.Command("/bin/sh", script, dir)
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	err := cmd.Run()
	w.flush()
	if err != nil {
		t.Fatalf("building the reference root filesystem failed (%v); run %s %s by hand to see why", err, script, dir)
	}
	if _, err := os.Stat(dir + ".lure-ready"); err != nil {
		t.Fatalf("%s finished without marking %s.lure-ready", script, dir)
	}
	t.Logf("reference root filesystem ready in %s", time.Since(start).Round(time.Second))
	return dir
}

// The lure binary, built once per test binary on first use.
var (
	lureOnce sync.Once
	lureBin  string
	lureErr  error
	binDir   string // removed by TestMain
)

func lureBinary(t *testing.T) string {
	t.Helper()
	lureOnce.Do(func() {
		lureBin = filepath.Join(binDir, "lure")
		cmd := exec.Command("go", "build", "-o", lureBin, "github.com/lure-sensor/lure/cmd/lure")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			lureErr = fmt.Errorf("go build ./cmd/lure: %v\n%s", err, out)
		}
	})
	if lureErr != nil {
		t.Fatal(lureErr)
	}
	return lureBin
}

// run runs a host command and fails the test with its output when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// netns is the reference's network namespace, which the test creates and deletes. It holds
// lo and an eth0, and nothing else: no default route and no path to the host's network, so
// downloads and pings inside the reference fail at once, as on a server without a route out,
// which is what lure emulates. Nothing of it is reachable from outside but through proxy.
//
// eth0 is a TAP device whose file descriptor the test holds: an attached TAP has a carrier
// (LOWER_UP, state UP) like a plugged-in NIC, and unlike a veth it shows no "@ifN" peer or
// "link-netnsid" in `ip link`, so the reference's `ip`/`ifconfig` output has the shape of a
// virtual machine's virtio NIC. What the kernel sends out of it is queued to the descriptor
// and dropped; closing the descriptor removes the device.
type netns struct {
	name string
	tap  int // eth0's TAP descriptor
}

// newNetns creates the namespace with lo up and eth0 down; t.Cleanup removes both, also when
// the test fails. configureEth0 gives eth0 its identity and brings it up.
func newNetns(t *testing.T) *netns {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	n := &netns{name: "lure-ref-" + hex.EncodeToString(b[:])}
	if out, err := exec.Command("ip", "netns", "add", n.name).CombinedOutput(); err != nil {
		testenv.SkipOrFail(t, "cannot create network namespace %s: %v: %s", n.name, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", n.name).CombinedOutput(); err != nil {
			t.Errorf("removing network namespace %s: %v: %s", n.name, err, out)
		}
	})
	run(t, "ip", "-n", n.name, "link", "set", "lo", "up")
	err := n.do(func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		ifr, err := unix.NewIfreq("eth0")
		if err != nil {
			unix.Close(fd)
			return err
		}
		ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return err
		}
		n.tap = fd
		return nil
	})
	if err != nil {
		testenv.SkipOrFail(t, "cannot make the reference's eth0 (a TAP device; needs /dev/net/tun): %v", err)
	}
	t.Cleanup(func() { unix.Close(n.tap) })
	return n
}

// path is the namespace's file, for setns.
func (n *netns) path() string { return "/run/netns/" + n.name }

// configureEth0 gives the reference's eth0 the identity lure's persona claims (MAC address,
// IPv4 address and prefix, the altname of a virtio NIC), so `ip addr`, `ifconfig` and friends
// compare output formats rather than two different network setups. The address exists only in
// this namespace. Empty values are left as the kernel made them.
func (n *netns) configureEth0(t *testing.T, mac, cidr string) {
	t.Helper()
	if mac != "" {
		run(t, "ip", "-n", n.name, "link", "set", "eth0", "address", mac)
	}
	// No duplicate address detection: the link-local address is final at once, without a
	// "tentative" flag that only a freshly booted box would show.
	run(t, "ip", "netns", "exec", n.name, "/bin/sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad")
	if cidr != "" {
		run(t, "ip", "-n", n.name, "addr", "add", cidr, "brd", "+", "dev", "eth0")
	}
	// Cosmetic: an older kernel or iproute2 may lack altnames, which only costs fidelity.
	if out, err := exec.Command("ip", "-n", n.name, "link", "property", "add", "dev", "eth0", "altname", "enp0s3").CombinedOutput(); err != nil {
		t.Logf("reference network: no altname for eth0: %v: %s (continuing)", err, bytes.TrimSpace(out))
	}
	run(t, "ip", "-n", n.name, "link", "set", "eth0", "up")
	// A TAP's carrier is on from the start, so the kernel never computes its operational state
	// and `ip link` says "state UNKNOWN". Dropping and raising the carrier makes it "state UP",
	// as a NIC shows.
	for _, on := range []int{0, 1} {
		if err := unix.IoctlSetPointerInt(n.tap, tunSetCarrier, on); err != nil {
			t.Logf("reference network: TUNSETCARRIER %d: %v (eth0 stays in state UNKNOWN)", on, err)
			return
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(run(t, "ip", "-n", n.name, "-o", "link", "show", "eth0"), " state UP ") {
		if time.Now().After(deadline) {
			t.Logf("reference network: eth0 did not reach state UP within 5s")
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tunSetCarrier is the TUNSETCARRIER ioctl, _IOW('T', 226, int) (Linux 5.0), which
// golang.org/x/sys/unix does not name.
const tunSetCarrier = 1<<30 | 4<<16 | 'T'<<8 | 226

// do runs fn on a thread inside the namespace. A socket or device belongs to the network
// namespace of the thread that creates it, so a goroutine locks itself to a thread, moves that
// thread into the namespace, runs fn, and moves the thread back. Should the way back fail, the
// thread stays locked: the runtime then discards it when the goroutine ends instead of reusing
// a thread that is in another namespace.
func (n *netns) do(fn func() error) error {
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		home, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			ch <- err
			return
		}
		defer home.Close()
		f, err := os.Open(n.path())
		if err != nil {
			runtime.UnlockOSThread()
			ch <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			ch <- fmt.Errorf("setns %s: %w", n.path(), err)
			return
		}
		err = fn()
		if unix.Setns(int(home.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- err
	}()
	return <-ch
}

// dial connects to addr from inside the namespace.
func (n *netns) dial(addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := n.do(func() (err error) {
		c, err = net.DialTimeout("tcp", addr, timeout)
		return err
	})
	return c, err
}

// startPinned starts cmd from a thread of its own that stays alive until release is called.
// Pdeathsig (set on every child here, so that no reference or lure outlives a test binary
// killed by a timeout) fires when the thread that forked the child exits, not the process,
// and the Go runtime may end a thread that some goroutine locked; pinning the fork to a
// thread kept for the child's lifetime avoids a premature SIGKILL.
func startPinned(cmd *exec.Cmd) (release func(), err error) {
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		errc <- cmd.Start()
		<-done
	}()
	if err := <-errc; err != nil {
		close(done)
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }, nil
}

// proxy listens on 127.0.0.1 and forwards every connection to addr inside the namespace.
// The eval (and any ssh client) then reaches the reference on loopback, and the reference's
// sshd sees the client coming from 127.0.0.1, as lure does: who, w, last, $SSH_CLIENT and
// $SSH_CONNECTION show the same address on both sides. Stopped by t.Cleanup.
func (n *netns) proxy(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			track(c)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				up, err := n.dial(addr, 10*time.Second)
				if err != nil {
					return
				}
				track(up)
				defer up.Close()
				done := make(chan struct{}, 2)
				pipe := func(dst, src net.Conn) {
					io.Copy(dst, src)
					if tc, ok := dst.(*net.TCPConn); ok {
						tc.CloseWrite()
					}
					done <- struct{}{}
				}
				go pipe(up, c)
				go pipe(c, up)
				<-done
				<-done
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// reference is a running reference server.
type reference struct {
	ns   *netns
	root string // the pristine tree (the overlay's lower layer)
	cmd  *exec.Cmd
	pid1 int           // host PID of the namespace's PID 1
	log  *bytes.Buffer // sshd's log (-e) and boot.sh's errors
	mu   *sync.Mutex
}

// lockedBuffer is a bytes.Buffer safe for a child's concurrent writes.
type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns the log so far.
func (r *reference) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// bootReference starts Debian's sshd from the tree in new UTS, PID and mount namespaces inside
// ns, chrooted into an overlay over the tree (scripts/reference/boot.sh has the details), and
// waits until it answers on port 22. t.Cleanup kills every process of the namespace.
func bootReference(t *testing.T, ns *netns, root string) *reference {
	t.Helper()
	work := t.TempDir() // only a mount point: boot.sh mounts a tmpfs over it in its namespace
	boot := filepath.Join(repoRoot(t), "scripts", "reference", "boot.sh")
	r := &reference{ns: ns, root: root, log: &bytes.Buffer{}, mu: &sync.Mutex{}}
	cg := newCgroup(t)
	r.cmd = exec.Command("ip", "netns", "exec", ns.name,
		"unshare", "--uts", "--pid", "--mount", "--cgroup", "--fork", "--kill-child", "--propagation", "private",
		"/bin/sh", boot, root, work, hostname)
	r.cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	r.cmd.Stdout, r.cmd.Stderr = lockedBuffer{r.mu, r.log}, lockedBuffer{r.mu, r.log}
	// ip netns exec replaces itself with unshare, whose --kill-child takes the namespace's PID 1
	// (and so every process in it) down when unshare dies; Pdeathsig makes unshare die with
	// this test binary even when a timeout panic skips the cleanups. The child starts in the
	// reference's own cgroup, which its new cgroup namespace then shows as the root: systemd,
	// the reference's PID 1, manages that subtree and nothing of the host's.
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL,
		UseCgroupFD: true, CgroupFD: cg.fd()}
	release, err := startPinned(r.cmd)
	if err != nil {
		t.Fatalf("starting the reference: %v", err)
	}
	exited := make(chan struct{})
	go func() { r.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		defer release()
		syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Errorf("the reference (pid %d) did not exit within 20s of SIGKILL", r.cmd.Process.Pid)
		}
		if r.pid1 != 0 {
			// PID 1's death kills the namespace; make sure it happened.
			deadline := time.Now().Add(10 * time.Second)
			for processAlive(r.pid1) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if processAlive(r.pid1) {
				t.Errorf("the reference's PID 1 (host pid %d) is still alive", r.pid1)
			}
		}
	})

	// Booting copies the tree (about 600 MB): seconds here, more on a slow disk.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case <-exited:
			t.Fatalf("the reference exited while booting:\n%s", r)
		default:
		}
		if c, err := ns.dial("127.0.0.1:22", time.Second); err == nil {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			banner, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if !strings.HasPrefix(banner, "SSH-2.0-OpenSSH_") {
				t.Fatalf("port 22 of the reference answered %q, not OpenSSH", banner)
			}
			t.Logf("reference sshd up: %s", strings.TrimSpace(banner))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reference's sshd did not listen within 3 minutes:\n%s", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.pid1 = childOf(r.cmd.Process.Pid)
	if r.pid1 == 0 {
		t.Fatalf("cannot find the reference's PID 1 (child of unshare, pid %d)", r.cmd.Process.Pid)
	}
	return r
}

// cgroup is a cgroup v2 directory made for one reference: boot.sh's systemd creates its
// slices and scopes under it. t.Cleanup removes the subtree once its processes are gone.
type cgroup struct {
	dir string
	f   *os.File
}

func (c *cgroup) fd() int { return int(c.f.Fd()) }

// newCgroup makes a cgroup for a reference below the test's own cgroup in the host's cgroup
// v2 hierarchy (the unified one of a hybrid host too).
func newCgroup(t *testing.T) *cgroup {
	t.Helper()
	mnt, rel, err := cgroup2Of(os.Getpid())
	if err != nil {
		testenv.SkipOrFail(t, "the reference boots systemd in a cgroup namespace, which needs a cgroup v2 hierarchy: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	dir := filepath.Join(mnt, rel, "lure-ref-"+hex.EncodeToString(b[:]))
	if err := os.Mkdir(dir, 0o755); err != nil {
		testenv.SkipOrFail(t, "cannot make a cgroup for the reference: %v", err)
	}
	f, err := os.Open(dir)
	if err != nil {
		os.Remove(dir)
		t.Fatalf("opening the reference's cgroup %s: %v", dir, err)
	}
	c := &cgroup{dir: dir, f: f}
	t.Cleanup(func() {
		f.Close()
		// The namespace's processes are dead by now (bootReference's cleanup ran first), but
		// the kernel may take a moment to empty the cgroups; remove the deepest first.
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := removeCgroupTree(dir)
			if err == nil || time.Now().After(deadline) {
				if err != nil {
					t.Errorf("removing the reference's cgroup %s: %v", dir, err)
				}
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	return c
}

// cgroup2Of finds the cgroup v2 mount point and pid's path below it.
func cgroup2Of(pid int) (mnt, rel string, err error) {
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(info), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if ok && len(f) >= 5 && len(g) >= 1 && g[0] == "cgroup2" {
			mnt = f[4]
			break
		}
	}
	if mnt == "" {
		return "", "", errors.New("no cgroup2 file system is mounted")
	}
	cg, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(cg), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return mnt, p, nil
		}
	}
	return "", "", errors.New("the process has no cgroup v2 path")
}

// removeCgroupTree removes dir and the cgroups below it, deepest first.
func removeCgroupTree(dir string) error {
	var dirs []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	var first error
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil && !os.IsNotExist(err) && first == nil {
			first = err
		}
	}
	return first
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// childOf returns the host pid of a process whose parent is ppid (0 when there is none).
func childOf(ppid int) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			return pid
		}
	}
	return 0
}

// inside runs a command in all the reference's namespaces and its chroot, with the tree's own
// programs, without logging in (so nothing shows up in the reference's login records).
func (r *reference) inside(t *testing.T, args ...string) string {
	t.Helper()
	full := append([]string{"-t", strconv.Itoa(r.pid1), "-m", "-u", "-n", "-p", "-r", "-w", "--",
		"/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}, args...)
	return run(t, "nsenter", full...)
}

// facts writes the two files of the capture that describe mounts, taken from inside the
// running reference: the disks df lists there, and its /proc/mounts. The other host facts
// (CPU, memory, kernel, boot time) are the capture's defaults, read from this host, which is
// exactly what the reference's real /proc shows.
func (r *reference) facts(t *testing.T, dir string) (disks, mounts string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# the reference's filesystems, from df inside it\n")
	lines := strings.Split(strings.TrimSpace(r.inside(t, "df", "-P", "-k", "-T")), "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 7 {
			t.Fatalf("unexpected df line in the reference: %q", l)
		}
		// device mount type size_kb used_kb avail_kb
		fmt.Fprintf(&b, "%s %s %s %s %s %s\n", f[0], f[6], f[1], f[2], f[3], f[4])
	}
	disks = filepath.Join(dir, "disks")
	mounts = filepath.Join(dir, "mounts")
	if err := os.WriteFile(disks, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mounts, []byte(r.inside(t, "cat", "/proc/mounts")), 0o644); err != nil {
		t.Fatal(err)
	}
	return disks, mounts
}

// bootTime is when the reference booted: its PID 1 (systemd) started, which is the boot
// that its wtmp, who -b, systemctl and the services' start times tell. (Its /proc/uptime is
// the shared kernel's, which the eval masks as volatile.)
func (r *reference) bootTime(t *testing.T) time.Time {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", r.pid1))
	if err != nil {
		t.Fatalf("reading the reference's PID 1: %v", err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ticks, err := strconv.ParseInt(f[19], 10, 64) // field 22, starttime, in clock ticks
	if err != nil {
		t.Fatalf("the reference's PID 1 start time %q: %v", f[19], err)
	}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(stat), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			btime, _ := strconv.ParseInt(v, 10, 64)
			const hz = 100 // USER_HZ on Linux
			return time.Unix(btime, 0).Add(time.Duration(ticks) * time.Second / hz)
		}
	}
	t.Fatal("/proc/stat has no btime line")
	return time.Time{}
}

// capturePersona runs `lure persona capture` on the reference's tree.
func capturePersona(t *testing.T, root, disks, mounts string, boot time.Time) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "reference.persona")
	w := &logWriter{t: t, prefix: "persona: "}
	cmd := exec.Command(lureBinary(t), "persona", "capture", "--root", root, "--out", out,
		"--hostname", hostname, "--disks", disks, "--mounts", mounts, "--boot-time", boot.UTC().Format(time.RFC3339))
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	err := cmd.Run()
	w.flush()
	if err != nil {
		t.Fatalf("lure persona capture --root %s: %v", root, err)
	}
	t.Logf("persona captured from %s in %s", root, time.Since(start).Round(100*time.Millisecond))
	return out
}

// lureServer is a running `lure serve`.
type lureServer struct {
	addr string
	log  *logWriter
}

// startLure runs `lure serve --config` with the persona on a free 127.0.0.1 port and an empty
// data directory of its own; t.Cleanup stops it (the returned stop does it earlier).
func startLure(t *testing.T, personaPath string) (*lureServer, func()) {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := fmt.Sprintf(`data_dir: %s
sensor: reference
persona: %s
ssh:
  listen: %q
  credentials:
    - {user: root, password: %q}
  auth_fail_delay: 10ms
log:
  level: warn
`, dir, personaPath, addr, password)
	cfgPath := filepath.Join(dir, "lure.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	l := &lureServer{addr: addr, log: &logWriter{t: t, prefix: "lure serve: "}}
	cmd := exec.Command(lureBinary(t), "serve", "--config", cfgPath)
	cmd.Stdout, cmd.Stderr = l.log, l.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	release, err := startPinned(cmd)
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			defer release()
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Errorf("lure serve did not stop within 20s of SIGTERM")
			}
			l.log.flush()
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("lure serve exited before listening: %v\n%s", err, l.log.all.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("lure serve did not listen on %s within 30s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return l, stop
}

// sshRun runs one command as root over SSH and returns its combined output and exit status.
func sshRun(t *testing.T, dial func() (net.Conn, error), command string) (string, int) {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	conn, chans, reqs, err := gossh.NewClientConn(c, "ssh", &gossh.ClientConfig{
		User:            "root",
		Auth:            []gossh.AuthMethod{gossh.Password(password)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // the test's own throwaway servers
		Timeout:         10 * time.Second,
	})
	if err != nil {
		c.Close()
		t.Fatalf("ssh login as root: %v", err)
	}
	client := gossh.NewClient(conn, chans, reqs)
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.CombinedOutput(command)
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitStatus()
	}
	t.Fatalf("ssh %q: %v", command, err)
	return "", 0
}

var (
	etherRE = regexp.MustCompile(`^\s+link/ether ([0-9a-f:]{17})`)
	inetRE  = regexp.MustCompile(`^\s+inet ([0-9.]+/[0-9]+)`)
	ifaceRE = regexp.MustCompile(`^[0-9]+: ([^:@ ]+)[:@]`)
)

// eth0Of returns the MAC and the first IPv4 address with prefix of eth0 in `ip addr` output.
func eth0Of(out string) (mac, cidr string) {
	in := false
	for _, l := range strings.Split(out, "\n") {
		if m := ifaceRE.FindStringSubmatch(l); m != nil {
			in = m[1] == "eth0"
			continue
		}
		if !in {
			continue
		}
		if m := etherRE.FindStringSubmatch(l); m != nil && mac == "" {
			mac = m[1]
		}
		if m := inetRE.FindStringSubmatch(l); m != nil && cidr == "" {
			cidr = m[1]
		}
	}
	return mac, cidr
}

// lureNetwork asks lure serving the persona which MAC and address its eth0 has. It uses a lure
// of its own, so the eval's lure starts untouched.
func lureNetwork(t *testing.T, personaPath string) (mac, cidr string) {
	t.Helper()
	l, stop := startLure(t, personaPath)
	defer stop()
	out, code := sshRun(t, func() (net.Conn, error) { return net.DialTimeout("tcp", l.addr, 10*time.Second) }, "ip addr")
	mac, cidr = eth0Of(out)
	if code != 0 || mac == "" || cidr == "" {
		t.Logf("lure's `ip addr` (exit %d) gave no MAC or address for eth0; the reference's eth0 keeps the kernel's:\n%s", code, out)
	}
	return mac, cidr
}

// setup is one fresh pair of servers: the reference and lure serving a persona captured from
// the reference's own tree, both never used before.
type setup struct {
	ref       *reference
	refAddr   string // the loopback proxy to the reference's port 22
	lure      *lureServer
	lureStop  func()
	rootfs    string
	personaAt string
}

func newSetup(t *testing.T) *setup {
	t.Helper()
	requireHost(t)
	root := referenceRoot(t)
	lureBinary(t)
	ns := newNetns(t)
	ref := bootReference(t, ns, root)
	disks, mounts := ref.facts(t, t.TempDir())
	p := capturePersona(t, root, disks, mounts, ref.bootTime(t))
	mac, cidr := lureNetwork(t, p)
	ns.configureEth0(t, mac, cidr)
	t.Logf("reference eth0: %s %s", mac, cidr)
	s := &setup{ref: ref, rootfs: root, personaAt: p}
	s.refAddr = ns.proxy(t, "127.0.0.1:22")
	s.lure, s.lureStop = startLure(t, p)
	return s
}

// evalRun is the outcome of one `lure eval`.
type evalRun struct {
	result eval.Result
	report string // the text report (stdout)
	json   []byte
}

// runEval runs `lure eval` on the corpus against both servers.
func (s *setup) runEval(t *testing.T, corpus string) evalRun {
	t.Helper()
	jsonPath := filepath.Join(t.TempDir(), "eval.json")
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-time.Minute))
		defer cancel()
	}
	// The reference is reached through the loopback proxy (see netns.proxy), so eval's
	// loopback-only rule holds and --allow-remote is not needed: nothing leaves this machine.
	cmd := exec.CommandContext(ctx, lureBinary(t), "eval",
		"--corpus", corpus,
		"--reference", s.refAddr,
		"--target", s.lure.addr,
		"--user", "root", "--password", password,
		"--json", jsonPath,
		"--normalize-volatile",
		"--worst", "40")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // a report of the lines run
	cmd.WaitDelay = 30 * time.Second
	var stdout bytes.Buffer
	progress := &logWriter{t: t, prefix: "eval: "}
	cmd.Stdout, cmd.Stderr = &stdout, progress
	start := time.Now()
	err := cmd.Run()
	progress.flush()
	if err != nil {
		t.Fatalf("lure eval: %v\n%s\nreference log:\n%s", err, stdout.String(), s.ref)
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var r evalRun
	if err := json.Unmarshal(b, &r.result); err != nil {
		t.Fatalf("lure eval wrote unreadable JSON: %v", err)
	}
	r.report, r.json = stdout.String(), b
	t.Logf("lure eval of %s: %d lines in %s", filepath.Base(corpus), r.result.Summary.Lines, time.Since(start).Round(time.Second))
	return r
}

// save writes the JSON and the text report under $LURE_EVAL_OUT, when set.
func (r evalRun) save(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("LURE_EVAL_OUT")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for ext, b := range map[string][]byte{".json": r.json, ".txt": []byte(r.report + "\n" + r.byCommand())} {
		p := filepath.Join(dir, name+ext)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", p)
	}
}

// commandWord names the program a corpus line starts with, for grouping the gaps: the first
// word after any variable assignments and opening braces or parentheses. Keywords stay as
// they are ("for": the line is shell syntax), and so do wrappers such as sudo and nohup,
// which are commands lure emulates too.
func commandWord(line string) string {
	for _, w := range strings.Fields(line) {
		switch {
		case strings.Contains(w, "=") && !strings.HasPrefix(w, "="):
			continue
		case w == "!" || w == "{" || w == "(":
			continue
		}
		w = strings.TrimLeft(w, "({")
		if w == "" {
			continue
		}
		return strings.TrimRight(w, ";")
	}
	return "(empty)"
}

// byCommand summarises the imperfect lines by the command they start with, worst first: how
// many lines, how many differ, their mean similarity, and exit-status disagreements.
func (r evalRun) byCommand() string {
	type agg struct {
		name                  string
		lines, imperfect, bad int
		sum                   float64
	}
	m := map[string]*agg{}
	for _, l := range r.result.Lines {
		w := commandWord(l.Command)
		a := m[w]
		if a == nil {
			a = &agg{name: w}
			m[w] = a
		}
		a.lines++
		if !(l.Exact && l.ExitAgree) {
			a.imperfect++
			a.sum += l.Mean
			if !l.ExitAgree {
				a.bad++
			}
		}
	}
	var list []*agg
	for _, a := range m {
		if a.imperfect > 0 {
			list = append(list, a)
		}
	}
	// Most lost first: the sum of (1 - mean) over the command's imperfect lines.
	loss := func(a *agg) float64 { return float64(a.imperfect) - a.sum }
	sort.Slice(list, func(i, j int) bool {
		if li, lj := loss(list[i]), loss(list[j]); li != lj {
			return li > lj
		}
		return list[i].name < list[j].name
	})
	var b strings.Builder
	fmt.Fprintf(&b, "Imperfect lines by command (most similarity lost first):\n")
	fmt.Fprintf(&b, "  %-16s %5s %9s %8s %10s\n", "command", "lines", "imperfect", "mean", "exit diff")
	for _, a := range list {
		fmt.Fprintf(&b, "  %-16s %5d %9d %8.3f %10d\n", a.name, a.lines, a.imperfect, a.sum/float64(a.imperfect), a.bad)
	}
	return b.String()
}

// interrupted delivers Ctrl-C (or SIGTERM) instead of letting it kill the test binary, so a
// held test returns and its cleanups remove the namespaces.
func interrupted() <-chan os.Signal {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c
}
