package persona

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeRoot is a small root filesystem made in a temp dir, with the facts a capture of it
// must record.
type fakeRoot struct {
	dir      string
	hw       string // dir of the hardware fact files
	me, meG  int    // the test's uid and gid, named "tester" in the fake passwd
	isRoot   bool
	mtime    time.Time
	files    map[string][]byte // persona path -> content written
	opts     CaptureOptions
	bootTime time.Time
}

const fakeCPUInfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU @ 1.00GHz\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU @ 1.00GHz\n\n"
const fakeMemInfo = "MemTotal:        2030044 kB\nMemFree:         1500000 kB\nMemAvailable:    1800000 kB\n"
const fakeVersion = "Linux version 6.1.0-99-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1 (2030-01-02)\n"
const fakeDpkgStatus = "Package: coreutils\nStatus: install ok installed\nArchitecture: amd64\nVersion: 9.1-1\nDescription: GNU core utilities\n more text\n\n" +
	"Package: openssh-server\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:9.2p1-2+deb12u3\nDescription: secure shell (SSH) server\n\n" +
	"Package: cron\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 3.0pl1-162\nDescription: process scheduling daemon\n"

func newFakeRoot(t testing.TB) *fakeRoot {
	t.Helper()
	base := t.TempDir()
	r := &fakeRoot{
		dir: filepath.Join(base, "root"), hw: filepath.Join(base, "hw"),
		me: os.Getuid(), meG: os.Getgid(), isRoot: os.Getuid() == 0,
		mtime:    time.Date(2023, 4, 5, 6, 7, 8, 123456789, time.UTC),
		files:    map[string][]byte{},
		bootTime: time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC),
	}
	passwd := "root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001:Alice,,,:/home/alice:/bin/bash\n"
	group := "root:x:0:\nstaff:x:50:alice,bob\nalice:x:1001:\n"
	if r.me != 0 {
		passwd += fmt.Sprintf("tester:x:%d:%d::/home/tester:/bin/sh\n", r.me, r.meG)
	}
	if r.meG != 0 {
		group += fmt.Sprintf("testers:x:%d:\n", r.meG)
	}
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3, 4, 5, 6, 7}, 1500)...)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("manual page "), 2000))
	zw.Close()
	bin := append([]byte{0xde, 0xad, 0xbe, 0xef, 0}, bytes.Repeat([]byte{9, 0, 200}, 2000)...)
	// Text that does not deflate to nothing, so cutting it saves space as real text does.
	rng := rand.New(rand.NewPCG(1, 2))
	var bigText []byte
	for len(bigText) < 90000 {
		bigText = fmt.Appendf(bigText, "word%d ", rng.IntN(100000))
		if rng.IntN(10) == 0 {
			bigText = append(bigText, '\n')
		}
	}

	r.mkdir("/etc", "/usr", "/usr/bin", "/usr/share", "/usr/share/doc", "/home", "/home/alice", "/root", "/tmp",
		"/var", "/var/lib", "/var/lib/dpkg", "/proc", "/dev", "/run", "/sys")
	r.write("/etc/passwd", []byte(passwd), 0o644)
	r.write("/etc/group", []byte(group), 0o644)
	r.write("/etc/hostname", []byte("fakehost\n"), 0o644)
	r.write("/etc/os-release", []byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\nVERSION_CODENAME=bookworm\n"), 0o644)
	r.write("/etc/large.conf", append([]byte("# conf\n"), bigText...), 0o600) // over the text cap, but /etc is kept whole
	r.write("/etc/empty", nil, 0o644)
	r.write("/etc/fstab", []byte("UUID=0a1b2c3d-0000-4000-8000-123456789abc / ext4 errors=remount-ro 0 1\n"), 0o644)
	r.write("/usr/bin/prog", elf, 0o755)
	r.write("/usr/bin/su", elf[:5000], 0o4755)
	r.write("/usr/share/doc/small.txt", []byte("hello, persona\n"), 0o644)
	r.write("/usr/share/doc/big.txt", bigText, 0o644)
	r.write("/usr/share/doc/data.bin", bin, 0o644)
	r.write("/usr/share/doc/page.1.gz", gz.Bytes(), 0o644)
	r.write("/usr/share/doc/copy.txt", []byte("hello, persona\n"), 0o644) // same content as small.txt
	r.write("/var/lib/dpkg/status", []byte(fakeDpkgStatus+strings.Repeat("#\n", 40000)), 0o644)
	r.write("/proc/junk", []byte("must not be walked"), 0o644)
	r.write("/home/alice/.bashrc", []byte("# ~/.bashrc\n"), 0o644)
	if err := os.Link(r.host("/usr/bin/prog"), r.host("/usr/bin/prog-hardlink")); err != nil {
		t.Fatal(err)
	}
	r.files["/usr/bin/prog-hardlink"] = elf
	if err := os.Symlink("usr/bin", r.host("/bin")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nonexistent/target", r.host("/usr/share/doc/dangling")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(r.host("/tmp/fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(r.host("/tmp"), 0o1777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if r.isRoot {
		if err := os.Lchown(r.host("/home/alice"), 1001, 1001); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(r.host("/home/alice/.bashrc"), 1001, 50); err != nil {
			t.Fatal(err)
		}
	}
	// Fixed times, set last (children first) so nothing touches them afterwards.
	for p := range r.files {
		if err := os.Chtimes(r.host(p), r.mtime, r.mtime); err != nil {
			t.Fatal(err)
		}
	}

	if err := os.MkdirAll(r.hw, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"cpuinfo": fakeCPUInfo, "meminfo": fakeMemInfo, "version": fakeVersion} {
		if err := os.WriteFile(filepath.Join(r.hw, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r.opts = CaptureOptions{
		Root: r.dir, CPUInfo: filepath.Join(r.hw, "cpuinfo"), MemInfo: filepath.Join(r.hw, "meminfo"),
		ProcVersion: filepath.Join(r.hw, "version"), Machine: "x86_64", BootTime: r.bootTime,
		Disks: []Disk{
			{Device: "/dev/sda1", Mount: "/", FSType: "ext4", SizeKB: 20000000, UsedKB: 1500000, AvailKB: 17500000},
			{Device: "tmpfs", Mount: "/run", FSType: "tmpfs", SizeKB: 203004, UsedKB: 400},
			{Device: "udev", Mount: "/dev", FSType: "devtmpfs", SizeKB: 1000000},
		},
		TextCap: 16 << 10,
	}
	return r
}

func (r *fakeRoot) host(p string) string { return filepath.Join(r.dir, filepath.FromSlash(p)) }

func (r *fakeRoot) mkdir(ps ...string) {
	for _, p := range ps {
		if err := os.MkdirAll(r.host(p), 0o755); err != nil {
			panic(err)
		}
	}
}

func (r *fakeRoot) write(p string, data []byte, perm fs.FileMode) {
	if err := os.WriteFile(r.host(p), data, perm); err != nil {
		panic(err)
	}
	if err := os.Chmod(r.host(p), perm|permBits(perm)); err != nil {
		panic(err)
	}
	r.files[p] = data
}

func permBits(m fs.FileMode) fs.FileMode {
	var out fs.FileMode
	if m&0o4000 != 0 {
		out |= fs.ModeSetuid
	}
	if m&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}

func (r *fakeRoot) capture(t testing.TB) ([]byte, CaptureSummary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := Capture(context.Background(), &buf, r.opts)
	if err != nil {
		t.Fatalf("Capture: %v", err)
	}
	return buf.Bytes(), sum
}

func (r *fakeRoot) load(t testing.TB) *Persona {
	t.Helper()
	data, _ := r.capture(t)
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse of a fresh capture: %v", err)
	}
	return p
}

func TestCaptureRecordsMetadata(t *testing.T) {
	r := newFakeRoot(t)
	p := r.load(t)

	meName := "tester"
	if r.isRoot {
		meName = "root"
	}
	for path, content := range r.files {
		if strings.HasPrefix(path, "/proc/") {
			continue
		}
		fi, ok := p.Info(path)
		if !ok {
			t.Errorf("%s missing from the persona", path)
			continue
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(r.host(path), &st); err != nil {
			t.Fatal(err)
		}
		if fi.Size != int64(len(content)) || fi.Ino != st.Ino || fi.Nlink != uint32(st.Nlink) || fi.UID != st.Uid || fi.GID != st.Gid {
			t.Errorf("%s: size %d ino %d nlink %d uid %d gid %d; want %d %d %d %d %d", path, fi.Size, fi.Ino, fi.Nlink, fi.UID, fi.GID,
				len(content), st.Ino, st.Nlink, st.Uid, st.Gid)
		}
		if !fi.MTime.Equal(r.mtime) {
			t.Errorf("%s: mtime %v, want %v", path, fi.MTime, r.mtime)
		}
		if fi.CTime.UnixNano() != st.Ctim.Nano() || fi.ATime.UnixNano() != st.Atim.Nano() {
			t.Errorf("%s: ctime/atime %v/%v, want %v/%v", path, fi.CTime, fi.ATime, time.Unix(0, st.Ctim.Nano()), time.Unix(0, st.Atim.Nano()))
		}
		wantOwner := meName
		if path == "/home/alice/.bashrc" && r.isRoot {
			wantOwner = "alice"
		}
		if fi.Owner != wantOwner {
			t.Errorf("%s: owner %q, want %q", path, fi.Owner, wantOwner)
		}
		m5, s1, s256 := md5.Sum(content), sha1.Sum(content), sha256.Sum256(content)
		if fi.MD5 != fmt.Sprintf("%x", m5) || fi.SHA1 != fmt.Sprintf("%x", s1) || fi.SHA256 != fmt.Sprintf("%x", s256) {
			t.Errorf("%s: hashes %s %s %s do not match the content", path, fi.MD5, fi.SHA1, fi.SHA256)
		}
	}
	if r.isRoot {
		fi, _ := p.Info("/home/alice/.bashrc")
		if fi.Group != "staff" || fi.UID != 1001 || fi.GID != 50 {
			t.Errorf(".bashrc owner %d:%d %s:%s, want alice:staff", fi.UID, fi.GID, fi.Owner, fi.Group)
		}
	}

	modes := map[string]fs.FileMode{
		"/etc/large.conf":  0o600,
		"/usr/bin/prog":    0o755,
		"/usr/bin/su":      0o755 | fs.ModeSetuid,
		"/tmp":             0o777 | fs.ModeDir | fs.ModeSticky,
		"/tmp/fifo":        0o600 | fs.ModeNamedPipe,
		"/usr/share/doc":   0o755 | fs.ModeDir,
		"/bin":             0o777 | fs.ModeSymlink,
		"/dev/null":        0o666 | fs.ModeDevice | fs.ModeCharDevice,
		"/usr/share/doc/x": 0, // absent
	}
	for path, want := range modes {
		m, ok := p.Lstat(path)
		if want == 0 {
			if ok {
				t.Errorf("%s should not exist", path)
			}
			continue
		}
		if !ok || m.Mode != want {
			t.Errorf("%s: mode %v (%v), want %v", path, m.Mode, ok, want)
		}
	}
	if a, b := mustInfo(t, p, "/usr/bin/prog"), mustInfo(t, p, "/usr/bin/prog-hardlink"); a.Ino != b.Ino || a.Nlink != 2 {
		t.Errorf("hard links: ino %d/%d nlink %d", a.Ino, b.Ino, a.Nlink)
	}
	if m, _ := p.Lstat("/bin"); m.Target != "usr/bin" || m.Size != int64(len("usr/bin")) {
		t.Errorf("/bin symlink: target %q size %d", m.Target, m.Size)
	}
	if m, _ := p.Lstat("/usr/share/doc/dangling"); m.Target != "/nonexistent/target" {
		t.Errorf("dangling symlink target %q", m.Target)
	}
	if _, ok := p.Lstat("/proc/junk"); ok {
		t.Error("/proc of the tree was walked; it must be synthesized")
	}
}

func mustInfo(t *testing.T, p *Persona, path string) FileInfo {
	t.Helper()
	fi, ok := p.Info(path)
	if !ok {
		t.Fatalf("%s missing", path)
	}
	return fi
}

func TestCaptureContentPolicy(t *testing.T) {
	r := newFakeRoot(t)
	p := r.load(t)
	cases := []struct {
		path     string
		keep     int // bytes stored
		complete bool
	}{
		{"/etc/large.conf", len(r.files["/etc/large.conf"]), true}, // all of /etc, over the cap
		{"/etc/empty", 0, true},
		{"/var/lib/dpkg/status", len(r.files["/var/lib/dpkg/status"]), true},
		{"/usr/share/doc/small.txt", 15, true},
		{"/usr/share/doc/big.txt", 4096, false}, // text over the cap: its head
		{"/usr/bin/prog", 4096, false},          // ELF: first 4 KiB
		{"/usr/bin/su", 4096, false},
		{"/usr/share/doc/data.bin", 512, false}, // other binary data: its magic and a little more
		{"/usr/share/doc/page.1.gz", 64, false}, // compressed: its header
	}
	for _, c := range cases {
		got, err := p.ReadFile(c.path)
		if err != nil {
			t.Errorf("ReadFile(%s): %v", c.path, err)
			continue
		}
		if len(got) != c.keep || !bytes.Equal(got, r.files[c.path][:c.keep]) {
			t.Errorf("%s: stored %d bytes, want the first %d", c.path, len(got), c.keep)
		}
		if fi := mustInfo(t, p, c.path); fi.Complete != c.complete {
			t.Errorf("%s: Complete = %v, want %v", c.path, fi.Complete, c.complete)
		}
	}
	// Through the symlink, and a second read from the cache.
	for range 2 {
		got, err := p.ReadFile("/bin/prog")
		if err != nil || !bytes.HasPrefix(got, []byte("\x7fELF")) {
			t.Errorf("ReadFile(/bin/prog) = %d bytes, %v", len(got), err)
		}
	}
	// The returned slice is the caller's to change.
	got, _ := p.ReadFile("/usr/share/doc/small.txt")
	got[0] = 'X'
	if again, _ := p.ReadFile("/usr/share/doc/copy.txt"); string(again) != "hello, persona\n" {
		t.Errorf("a caller's change leaked into shared content: %q", again)
	}
}

func TestCaptureFacts(t *testing.T) {
	r := newFakeRoot(t)
	data, sum := r.capture(t)
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.Hostname != "fakehost" || sum.Hostname != "fakehost" {
		t.Errorf("Hostname = %q (summary %q), want the root's /etc/hostname", p.Hostname, sum.Hostname)
	}
	want := Kernel{Sysname: "Linux", Release: "6.1.0-99-amd64", Version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.999-1 (2030-01-02)", Machine: "x86_64"}
	if p.Kernel != want {
		t.Errorf("Kernel = %+v, want %+v", p.Kernel, want)
	}
	if p.SSHBanner != "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" {
		t.Errorf("SSHBanner = %q", p.SSHBanner)
	}
	if p.Hardware.CPUs != 2 || p.Hardware.CPUModel != "Test CPU @ 1.00GHz" || p.Hardware.MemTotalKB != 2030044 {
		t.Errorf("Hardware = %+v", p.Hardware)
	}
	var mounts []string
	for _, d := range p.Hardware.Disks {
		mounts = append(mounts, d.Mount)
	}
	if got := strings.Join(mounts, " "); got != "/dev /run /" {
		t.Errorf("disks in mount order: %q", got)
	}
	if !p.BootTime.Equal(r.bootTime) {
		t.Errorf("BootTime = %v", p.BootTime)
	}
	if got := readString(t, p, "/proc/cpuinfo"); got != fakeCPUInfo {
		t.Errorf("/proc/cpuinfo = %q", got)
	}
	if got := readString(t, p, "/proc/version"); got != fakeVersion {
		t.Errorf("/proc/version = %q", got)
	}
	if got := readString(t, p, "/proc/cmdline"); !strings.Contains(got, "root=UUID=0a1b2c3d-0000-4000-8000-123456789abc ro") ||
		!strings.Contains(got, "vmlinuz-6.1.0-99-amd64") {
		t.Errorf("/proc/cmdline = %q", got)
	}
	if m, ok := p.Lstat("/dev/disk/by-uuid/0a1b2c3d-0000-4000-8000-123456789abc"); !ok || m.Target != "../../sda1" {
		t.Errorf("by-uuid link = %+v, %v", m, ok)
	}
	checkConsistent(t, p)

	// Packages: cron is only config-files, so it does not run.
	var cmds []string
	for _, pr := range p.Processes {
		cmds = append(cmds, pr.Command)
	}
	all := strings.Join(cmds, "\n")
	if !strings.Contains(all, "sshd: /usr/sbin/sshd -D [listener]") || strings.Contains(all, "cron") || !strings.Contains(all, "/sbin/init") {
		t.Errorf("process list does not follow the installed packages:\n%s", all)
	}
	if !strings.Contains(all, "[ksoftirqd/1]") || strings.Contains(all, "[ksoftirqd/2]") {
		t.Error("kernel threads do not follow the CPU count")
	}
	sshd := -1
	for _, pr := range p.Processes {
		if strings.HasPrefix(pr.Command, "sshd:") {
			sshd = pr.PID
		}
	}
	if got := readString(t, p, "/run/sshd.pid"); got != fmt.Sprintf("%d\n", sshd) {
		t.Errorf("/run/sshd.pid = %q, sshd is pid %d", got, sshd)
	}
	if got := readString(t, p, fmt.Sprintf("/proc/%d/comm", sshd)); got != "sshd\n" {
		t.Errorf("sshd comm = %q", got)
	}
	if got := readString(t, p, "/proc/1/cgroup"); got != "0::/init.scope\n" {
		t.Errorf("/proc/1/cgroup = %q", got)
	}
	if pk, ok := p.LookupPackage("cron"); !ok || pk.Status != "deinstall ok config-files" {
		t.Errorf("cron = %+v", pk)
	}
	if sum.Entries == 0 || sum.Files == 0 || sum.Synthetic == 0 || sum.Packages != 3 || sum.Users == 0 || sum.OutBytes != int64(len(data)) {
		t.Errorf("summary = %+v", sum)
	}
	if sum.OS != "Debian GNU/Linux 12 (bookworm)" {
		t.Errorf("summary OS = %q", sum.OS)
	}
}

func TestCaptureHostnameFlagAndReproducible(t *testing.T) {
	r := newFakeRoot(t)
	r.opts.Hostname = "override"
	a, _ := r.capture(t)
	b, _ := r.capture(t)
	if !bytes.Equal(a, b) {
		t.Error("two captures of the same tree differ")
	}
	p, err := Parse(a)
	if err != nil {
		t.Fatal(err)
	}
	if p.Hostname != "override" {
		t.Errorf("Hostname = %q, want the option", p.Hostname)
	}
}

func TestCaptureErrors(t *testing.T) {
	r := newFakeRoot(t)
	bad := r.opts
	bad.Root = filepath.Join(r.dir, "missing")
	if _, err := Capture(context.Background(), &bytes.Buffer{}, bad); err == nil {
		t.Error("capture of a missing root succeeded")
	}
	bad = r.opts
	bad.ProcVersion = filepath.Join(r.hw, "cpuinfo")
	if _, err := Capture(context.Background(), &bytes.Buffer{}, bad); err == nil || !strings.Contains(err.Error(), "kernel version") {
		t.Errorf("capture with a bad /proc/version: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Capture(ctx, &bytes.Buffer{}, r.opts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled capture: %v", err)
	}
	os.Remove(r.host("/etc/hostname"))
	if _, err := Capture(context.Background(), &bytes.Buffer{}, r.opts); err == nil || !strings.Contains(err.Error(), "host name") {
		t.Errorf("capture without a host name: %v", err)
	}
}

func TestLoadRoundTrip(t *testing.T) {
	r := newFakeRoot(t)
	data, _ := r.capture(t)
	name := filepath.Join(t.TempDir(), "x.persona")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := readString(t, p, "/usr/share/doc/small.txt"); got != "hello, persona\n" {
		t.Errorf("content after Load = %q", got)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func TestImageSemantics(t *testing.T) {
	p := newFakeRoot(t).load(t)
	list, ok := p.ReadDir("/usr/share/doc")
	if !ok {
		t.Fatal("ReadDir failed")
	}
	var names []string
	for _, m := range list {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, " "); got != "big.txt copy.txt dangling data.bin page.1.gz small.txt" {
		t.Errorf("ReadDir = %q, want sorted names", got)
	}
	root, ok := p.Lstat("/")
	if !ok || root.Name != "" || !root.Mode.IsDir() {
		t.Errorf("Lstat(/) = %+v", root)
	}
	top, _ := p.ReadDir("/")
	for i := 1; i < len(top); i++ {
		if top[i-1].Name >= top[i].Name {
			t.Errorf("root listing not sorted: %q before %q", top[i-1].Name, top[i].Name)
		}
	}
	if _, ok := p.ReadDir("/etc/passwd"); ok {
		t.Error("ReadDir of a file succeeded")
	}
	if _, ok := p.ReadDir("/nope"); ok {
		t.Error("ReadDir of a missing path succeeded")
	}
	if m, ok := p.Lstat("/usr//share/./doc/"); !ok || m.Name != "doc" {
		t.Errorf("Lstat of an uncleaned path = %+v, %v", m, ok)
	}
	if _, ok := p.Lstat("relative/path"); ok {
		t.Error("Lstat of a relative path succeeded")
	}
	if _, err := p.ReadFile("/etc"); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("ReadFile(dir) = %v, want EISDIR", err)
	}
	if _, err := p.ReadFile("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want not-exist", err)
	}
	if _, err := p.ReadFile("/etc/passwd/x"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("ReadFile(file/x) = %v, want ENOTDIR", err)
	}
	if _, err := p.ReadFile("/usr/share/doc/dangling"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(dangling) = %v", err)
	}
	if _, err := p.ReadFile("/tmp/fifo"); err == nil {
		t.Error("ReadFile of a FIFO succeeded")
	}
	if b, err := p.ReadFile("/dev/null"); err != nil || len(b) != 0 {
		t.Errorf("ReadFile(/dev/null) = %q, %v", b, err)
	}
	// ".." after a symlink climbs from where the link leads, as in the kernel.
	if got := readString(t, p, "/bin/../../etc/hostname"); got != "fakehost\n" {
		t.Errorf("dot-dot through a symlinked dir: %q", got)
	}
	if _, err := p.ReadFile("/bin/../etc/hostname"); err == nil {
		t.Error("/bin/../etc resolved lexically; /bin/.. is /usr")
	}
	// A symlink loop is an error, not a hang.
	p2 := loopPersona(t)
	if _, err := p2.ReadFile("/a"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("symlink loop: %v", err)
	}
	// A persona without an image answers nothing, without panicking.
	var empty Persona
	if _, ok := empty.Lstat("/"); ok {
		t.Error("empty persona has a root")
	}
	if _, ok := empty.LookupUser("root"); ok || empty.OSRelease("ID") != "" || empty.Users() != nil {
		t.Error("empty persona has accounts")
	}
	if _, err := empty.ReadFile("/etc/passwd"); err == nil {
		t.Error("empty persona has files")
	}
}

func loopPersona(t testing.TB) *Persona {
	t.Helper()
	data := buildZip(t, fmt.Sprintf(`{"format":1,"facts":{},"entries":[
		{"p":"/","m":%d},{"p":"/a","m":%d,"l":"b"},{"p":"/b","m":%d,"l":"/a"}]}`, sIFDIR|0o755, sIFLNK|0o777, sIFLNK|0o777), nil)
	p, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAccounts(t *testing.T) {
	p := newFakeRoot(t).load(t)
	a, ok := p.LookupUser("alice")
	if !ok || a.UID != 1001 || a.Gecos != "Alice,,," || a.Home != "/home/alice" {
		t.Errorf("alice = %+v", a)
	}
	if _, ok := p.LookupUser("nobody-here"); ok {
		t.Error("unknown user found")
	}
	g, ok := p.LookupGroup("staff")
	if !ok || g.GID != 50 || strings.Join(g.Members, ",") != "alice,bob" {
		t.Errorf("staff = %+v", g)
	}
	if g2, ok := p.LookupGID(50); !ok || g2.Name != "staff" {
		t.Errorf("LookupGID(50) = %+v", g2)
	}
	g.Members[0] = "mallory"
	if g3, _ := p.LookupGroup("staff"); g3.Members[0] != "alice" {
		t.Error("a caller's change leaked into the group table")
	}
	var names []string
	for _, g := range p.GroupsOf("alice") {
		names = append(names, g.Name)
	}
	if got := strings.Join(names, " "); got != "alice staff" {
		t.Errorf("GroupsOf(alice) = %q", got)
	}
}

func TestDynamicFiles(t *testing.T) {
	p := newFakeRoot(t).load(t)
	now := p.BootTime.Add(3*time.Hour + 25*time.Second)
	up, ok := p.DynamicFile("/proc/uptime", now)
	if !ok || !strings.HasPrefix(string(up), "10825.00 ") {
		t.Errorf("/proc/uptime at boot+3h25s = %q", up)
	}
	la, _ := p.DynamicFile("/proc/loadavg", now)
	la2, _ := p.DynamicFile("/proc/loadavg", now.Add(10*time.Second))
	if len(strings.Fields(string(la))) != 5 || string(la) != string(la2) {
		t.Errorf("/proc/loadavg = %q then %q; want 5 fields, stable within a minute", la, la2)
	}
	st, _ := p.DynamicFile("/proc/stat", now)
	if !strings.Contains(string(st), fmt.Sprintf("btime %d\n", p.BootTime.Unix())) || strings.Count(string(st), "\ncpu") != 2 {
		t.Errorf("/proc/stat = %q", st)
	}
	if _, ok := p.DynamicFile("/proc/cpuinfo", now); ok {
		t.Error("cpuinfo is not dynamic")
	}
	if fi := mustInfo(t, p, "/proc/uptime"); fi.Size != 0 || fi.Complete {
		t.Errorf("/proc/uptime info = %+v; proc files have size 0", fi)
	}
}

func TestParseDisks(t *testing.T) {
	ds, err := ParseDisks(strings.NewReader("# comment\n\n/dev/vda1 / ext4 100 40 50\ntmpfs /run tmpfs 10 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Avail() != 50 || ds[1].Avail() != 9 || ds[1].FSType != "tmpfs" {
		t.Errorf("ParseDisks = %+v", ds)
	}
	for _, bad := range []string{"/dev/vda1 / ext4 100\n", "/dev/vda1 / ext4 x 1\n", "/dev/vda1 rel ext4 1 1\n", "a / b 1 -1\n"} {
		if _, err := ParseDisks(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseDisks(%q) succeeded", bad)
		}
	}
}

func TestHelpers(t *testing.T) {
	if b, ok := sshBannerFor("1:9.2p1-2+deb12u10"); !ok || b != "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" {
		t.Errorf("sshBannerFor = %q", b)
	}
	if _, ok := sshBannerFor("nodash"); ok {
		t.Error("sshBannerFor accepted a version without a revision")
	}
	for dev, want := range map[string]string{"vda1": "vda/1", "nvme0n1p2": "nvme0n1/2", "sda": "sda/0", "vda15": "vda/15"} {
		d, n := splitPartition(dev)
		if got := fmt.Sprintf("%s/%d", d, n); got != want && !(n == 0 && want == dev+"/0") {
			t.Errorf("splitPartition(%s) = %s, want %s", dev, got, want)
		}
	}
	for _, c := range []struct {
		major, minor uint32
	}{{1, 3}, {254, 15}, {4, 64}, {259, 300000}} {
		if ma, mi := devNumbers(mkdev(c.major, c.minor)); ma != c.major || mi != c.minor {
			t.Errorf("dev round trip %d,%d -> %d,%d", c.major, c.minor, ma, mi)
		}
	}
	if got := procComm("[kworker/0:1H-kblockd]"); got != "kworker/0:1H" {
		t.Errorf("procComm = %q", got)
	}
	if got := procComm("/usr/sbin/rsyslogd -n -iNONE"); got != "rsyslogd" {
		t.Errorf("procComm = %q", got)
	}
	if got := unescapeMount(`/mnt/a\040b`); got != "/mnt/a b" {
		t.Errorf("unescapeMount = %q", got)
	}
}

func TestCaptureMaxBytes(t *testing.T) {
	r := newFakeRoot(t)
	r.opts.TextCap = 1 << 20 // big.txt is kept whole unless the budget says otherwise
	full, _ := r.capture(t)
	p, err := Parse(full)
	if err != nil {
		t.Fatal(err)
	}
	if !mustInfo(t, p, "/usr/share/doc/big.txt").Complete {
		t.Fatal("big.txt should be whole without a budget")
	}
	r.opts.MaxBytes = int64(len(full)) - 200
	cut, sum := r.capture(t)
	if int64(len(cut)) > r.opts.MaxBytes || sum.OutBytes != int64(len(cut)) {
		t.Errorf("capture wrote %d bytes (summary %d), over the %d allowed", len(cut), sum.OutBytes, r.opts.MaxBytes)
	}
	p, err = Parse(cut)
	if err != nil {
		t.Fatal(err)
	}
	if fi := mustInfo(t, p, "/usr/share/doc/big.txt"); fi.Complete || fi.Size != int64(len(r.files["/usr/share/doc/big.txt"])) {
		t.Errorf("big.txt after the cut: %+v", fi)
	}
	if got, _ := p.ReadFile("/usr/share/doc/big.txt"); len(got) != 4096 {
		t.Errorf("big.txt keeps %d bytes, want its 4 KiB head", len(got))
	}
	if got, _ := p.ReadFile("/etc/large.conf"); len(got) != len(r.files["/etc/large.conf"]) {
		t.Error("/etc was cut to fit the budget")
	}
	r.opts.MaxBytes = 1000
	if _, err := Capture(context.Background(), &bytes.Buffer{}, r.opts); err == nil {
		t.Error("an impossible budget was met")
	}
}

// TestCaptureBootTmp checks that the directories systemd-tmpfiles makes in /tmp at boot are
// in the persona, from the tree's tmpfiles.d, with /tmp's link count counting them.
func TestCaptureBootTmp(t *testing.T) {
	r := newFakeRoot(t)
	r.mkdir("/usr/lib", "/usr/lib/tmpfiles.d")
	r.write("/usr/lib/tmpfiles.d/x11.conf", []byte("# x11\nD! /tmp/.X11-unix 1777 root root 10d\nD! /tmp/.ICE-unix 1777 root root 10d\nr! /tmp/.X[0-9]*-lock\n"), 0o644)
	r.write("/usr/lib/tmpfiles.d/tmp.conf", []byte("D /tmp 1777 root root -\nd /tmp/a/b 0755 root root -\n"), 0o644)
	p := r.load(t)
	for _, d := range []string{"/tmp/.X11-unix", "/tmp/.ICE-unix"} {
		m, ok := p.Lstat(d)
		if !ok || !m.Mode.IsDir() || m.Mode&fs.ModeSticky == 0 || m.Mode.Perm() != 0o777 || !m.MTime.After(p.BootTime) {
			t.Errorf("%s: %+v %v", d, m, ok)
		}
	}
	if _, ok := p.Lstat("/tmp/a"); ok {
		t.Error("a nested tmpfiles path was added")
	}
	if m, _ := p.Lstat("/tmp"); m.Nlink != 4 {
		t.Errorf("/tmp has %d links, want 4 (2 + two directories)", m.Nlink)
	}
}
