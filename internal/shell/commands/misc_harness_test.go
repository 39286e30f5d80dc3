package commands

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/testenv"
	"github.com/lure-sensor/lure/internal/vfs"
)

// The harness the identity, system, net and misc tests share: a small Debian-like image,
// a persona whose facts the expected outputs are derived from, a fixed clock and a sink
// that records what commands capture.

type sinkEvent struct {
	id, msg string
	fields  map[string]any
}

type testSink struct {
	mu     sync.Mutex
	events []sinkEvent
	files  [][]byte
}

func (s *testSink) SaveFile(b []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files = append(s.files, append([]byte(nil), b...))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func (s *testSink) Event(id, msg string, f map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, sinkEvent{id, msg, f})
}

func (s *testSink) byID(id string) []sinkEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sinkEvent
	for _, e := range s.events {
		if e.id == id {
			out = append(out, e)
		}
	}
	return out
}

// testNow is the fixed time of every test session.
var testNow = time.Date(2026, time.November, 26, 5, 35, 28, 0, time.UTC)

const testPasswd = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-timesync:x:997:997:systemd Time Synchronization:/:/usr/sbin/nologin
messagebus:x:100:107::/nonexistent:/usr/sbin/nologin
sshd:x:101:65534::/run/sshd:/usr/sbin/nologin
deploy:x:1000:1000:Deploy User,,,:/home/deploy:/bin/bash
`

const testGroup = `root:x:0:
daemon:x:1:
bin:x:2:
adm:x:4:deploy
cdrom:x:24:deploy
sudo:x:27:deploy
www-data:x:33:
users:x:100:deploy
crontab:x:102:
systemd-timesync:x:997:
nogroup:x:65534:
deploy:x:1000:
`

const testHosts = "127.0.0.1\tlocalhost\n127.0.1.1\tweb-prod-03.corp.internal\tweb-prod-03\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n"

const testMeminfo = `MemTotal:        2014420 kB
MemFree:         1203544 kB
MemAvailable:    1662380 kB
Buffers:           48212 kB
Cached:           486120 kB
SwapCached:            0 kB
Shmem:              5876 kB
SReclaimable:      41220 kB
SwapTotal:        998396 kB
SwapFree:         998396 kB
CommitLimit:     2005604 kB
Committed_AS:     512344 kB
`

type tenv struct {
	t       *testing.T
	img     *vfs.MemImage
	per     *persona.Persona
	sink    *testSink
	sess    *Session
	user    persona.User
	env     map[string]string
	dir     string
	tty     bool
	cols    int
	fs      *vfs.FS
	sub     func(ctx context.Context, script string, args []string, stdin io.Reader, stdout, stderr io.Writer) int
	ctx     context.Context
	subRuns []string
}

func newTestEnv(t *testing.T) *tenv {
	t.Helper()
	img := vfs.NewMemImage()
	img.AddFile("/etc/passwd", testPasswd, 0o644)
	img.AddFile("/etc/group", testGroup, 0o644)
	img.AddFile("/etc/shadow", "root:$y$j9T$abc$def:20000:0:99999:7:::\ndeploy:$y$j9T$ghi$jkl:20000:0:99999:7:::\n", 0o640)
	img.AddFile("/etc/hosts", testHosts, 0o644)
	img.AddFile("/etc/hostname", "web-prod-03\n", 0o644)
	img.AddFile("/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n", 0o644)
	img.AddFile("/proc/meminfo", testMeminfo, 0o444)
	img.AddFile("/proc/sys/kernel/pid_max", "4194304\n", 0o644)
	img.AddFile("/proc/loadavg", "0.08 0.03 0.01 1/123 4567\n", 0o444)
	img.AddFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: Intel Xeon Processor (Cascadelake)\nstepping\t: 6\naddress sizes\t: 46 bits physical, 48 bits virtual\nbogomips\t: 4589.21\nflags\t\t: fpu vme de pse tsc hypervisor lahf_lm\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n\n", 0o444)
	img.AddFile("/sys/devices/system/cpu/vulnerabilities/meltdown", "Not affected\n", 0o444)
	img.AddFile("/sys/devices/system/cpu/vulnerabilities/spectre_v1", "Mitigation; usercopy/swapgs barriers and __user pointer sanitization\n", 0o444)
	img.AddFile("/etc/skel/.bashrc", "# ~/.bashrc\n", 0o644)
	img.AddDir("/root", 0o700)
	img.AddDir("/tmp", 0o1777)
	img.AddDir("/boot/efi", 0o700)
	img.AddDir("/home/deploy", 0o755)
	img.AddDir("/var/spool/cron/crontabs", 0o730)
	for _, b := range []string{"ls", "env", "printenv", "wget", "curl", "bash", "sleep", "id", "cat", "echo", "true"} {
		img.AddFile("/usr/bin/"+b, "\x7fELF", 0o755)
	}
	img.AddFile("/usr/sbin/sshd", "\x7fELF", 0o755)
	img.AddFile("/lib/systemd/systemd", "\x7fELF", 0o755)
	img.AddSymlink("/usr/sbin/init", "/lib/systemd/systemd")
	img.AddSymlink("/bin", "usr/bin")
	img.AddSymlink("/sbin", "usr/sbin")
	boot := testNow.Add(-(3*24*time.Hour + 4*time.Hour + 5*time.Minute + 17*time.Second))
	per := &persona.Persona{
		Hostname: "web-prod-03",
		Kernel:   persona.Kernel{Sysname: "Linux", Release: "6.1.0-28-amd64", Version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", Machine: "x86_64"},
		Hardware: persona.Hardware{CPUModel: "Intel Xeon Processor (Cascadelake)", CPUs: 2, MemTotalKB: 2014420, Disks: []persona.Disk{
			{Device: "udev", Mount: "/dev", FSType: "devtmpfs", SizeKB: 989836},
			{Device: "tmpfs", Mount: "/run", FSType: "tmpfs", SizeKB: 201444, UsedKB: 584},
			{Device: "/dev/vda1", Mount: "/", FSType: "ext4", SizeKB: 20480580, UsedKB: 2387644, AvailKB: 17027972},
			{Device: "tmpfs", Mount: "/dev/shm", FSType: "tmpfs", SizeKB: 1007208},
			{Device: "tmpfs", Mount: "/run/lock", FSType: "tmpfs", SizeKB: 5120},
			{Device: "/dev/vda15", Mount: "/boot/efi", FSType: "vfat", SizeKB: 126678, UsedKB: 10900, AvailKB: 115778},
		}},
		BootTime: boot,
		Processes: []persona.Process{
			{PID: 1, PPID: 0, User: "root", Command: "/sbin/init", TTY: "?", Start: 0, CPUTime: 3*time.Second + 120*time.Millisecond, RSSKB: 11820, VSZKB: 167780, Stat: "Ss"},
			{PID: 2, PPID: 0, User: "root", Command: "[kthreadd]", TTY: "?", Start: 0, CPUTime: 0, Stat: "S"},
			{PID: 213, PPID: 1, User: "root", Command: "/lib/systemd/systemd-journald", TTY: "?", Start: 2 * time.Second, CPUTime: 1500 * time.Millisecond, RSSKB: 15360, VSZKB: 48164, Stat: "Ss"},
			{PID: 480, PPID: 1, User: "root", Command: "/usr/sbin/cron -f", TTY: "?", Start: 5 * time.Second, CPUTime: 200 * time.Millisecond, RSSKB: 2688, VSZKB: 6608, Stat: "Ss"},
			{PID: 482, PPID: 1, User: "systemd-timesync", Command: "/lib/systemd/systemd-timesyncd", TTY: "?", Start: 5 * time.Second, CPUTime: 300 * time.Millisecond, RSSKB: 6912, VSZKB: 90364, Stat: "Ssl"},
			{PID: 512, PPID: 1, User: "root", Command: "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", TTY: "?", Start: 6 * time.Second, CPUTime: 50 * time.Millisecond, RSSKB: 9216, VSZKB: 15440, Stat: "Ss"},
			{PID: 530, PPID: 1, User: "root", Command: "/sbin/agetty -o -p -- \\u --noclear - linux", TTY: "tty1", Start: 6 * time.Second, CPUTime: 0, RSSKB: 1920, VSZKB: 5876, Stat: "Ss+"},
		},
		Image: img,
	}
	sink := &testSink{}
	sess := &Session{ID: "a1b2c3d4", SrcIP: "203.0.113.7", TTY: "pts/0", Interactive: true, Sink: sink,
		Clock: func() time.Time { return testNow }, LoginTime: testNow.Add(-2*time.Minute - 11*time.Second), ShellPID: 1042,
		History: func() []string { return []string{"cmd1", "cmd2"} }}
	e := &tenv{t: t, img: img, per: per, sink: sink, sess: sess,
		user: persona.User{Name: "root", UID: 0, GID: 0, Home: "/root", Shell: "/bin/bash"},
		env: map[string]string{"HOME": "/root", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM": "xterm-256color", "USER": "root", "LOGNAME": "root", "SHELL": "/bin/bash"},
		dir: "/root", tty: false, cols: 80}
	return e
}

// asUser switches the session to the deploy account.
func (e *tenv) asDeploy() *tenv {
	e.user = persona.User{Name: "deploy", UID: 1000, GID: 1000, Home: "/home/deploy", Shell: "/bin/bash"}
	e.env["HOME"], e.env["USER"], e.env["LOGNAME"] = "/home/deploy", "deploy", "deploy"
	e.dir = "/home/deploy"
	return e
}

func (e *tenv) vfs() *vfs.FS {
	if e.fs == nil {
		e.fs = vfs.NewMemFS(e.img)
	}
	return e.fs
}

// run runs one emulated program with empty stdin.
func (e *tenv) run(args ...string) (string, string, int) { return e.runIn("", args...) }

// runIn runs one emulated program with the given stdin.
func (e *tenv) runIn(stdin string, args ...string) (string, string, int) {
	e.t.Helper()
	f, ok := Default().Lookup(args[0])
	if !ok {
		e.t.Fatalf("%s is not registered", args[0])
	}
	var out, errb bytes.Buffer
	env := map[string]string{}
	for k, v := range e.env {
		env[k] = v
	}
	ctx := e.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	p := &Proc{Ctx: ctx, Args: args, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		StdoutTTY: e.tty, Columns: e.cols, FS: e.vfs(), Dir: e.dir, Env: env, Persona: e.per, User: e.user,
		Session: e.sess, Umask: 0o022}
	p.Sub = func(ctx context.Context, script string, a []string, in io.Reader, so, se io.Writer) int {
		e.subRuns = append(e.subRuns, script+"|"+strings.Join(a, ","))
		if e.sub != nil {
			return e.sub(ctx, script, a, in, so, se)
		}
		return 0
	}
	st := f(p)
	return out.String(), errb.String(), st
}

// expect runs args and checks stdout, stderr and status exactly.
func (e *tenv) expect(args []string, wantOut, wantErr string, wantStatus int) {
	e.t.Helper()
	out, errs, st := e.run(args...)
	if out != wantOut || errs != wantErr || st != wantStatus {
		e.t.Errorf("%q:\n stdout %q\n   want %q\n stderr %q\n   want %q\n status %d want %d", args, out, wantOut, errs, wantErr, st, wantStatus)
	}
}

// hostTool finds a real Debian program for a comparison test. Outside CI a missing tool
// skips the test loudly; in CI it fails, since .ci/run installs them.
func hostTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		testenv.SkipOrFail(t, "%s is not installed here; apt-get install it to run this comparison", name)
	}
	return p
}

// hostRun runs a real program for comparison and returns its stdout and stderr.
func hostRun(t *testing.T, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(hostTool(t, name), args...)
	cmd.Args[0] = name
	cmd.Env = env
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	st := 0
	if ee, ok := err.(*exec.ExitError); ok {
		st = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", name, err)
	}
	return out.String(), errb.String(), st
}
