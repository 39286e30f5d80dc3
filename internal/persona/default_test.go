package persona

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func defaultPersonaT(t testing.TB) *Persona {
	t.Helper()
	p, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return p
}

func TestDefaultIsSharedAndUnderBudget(t *testing.T) {
	p1, p2 := defaultPersonaT(t), defaultPersonaT(t)
	if p1 != p2 {
		t.Error("Default returned two different personas; it must load once and share")
	}
	if n := len(defaultPersona); n > 8<<20 {
		t.Errorf("embedded persona is %d bytes, over the 8 MiB budget", n)
	}
}

func TestDefaultIdentity(t *testing.T) {
	p := defaultPersonaT(t)
	if p.Hostname != "web-prod-03" {
		t.Errorf("Hostname = %q", p.Hostname)
	}
	if got := readString(t, p, "/etc/hostname"); got != p.Hostname+"\n" {
		t.Errorf("/etc/hostname = %q, want the persona's host name", got)
	}
	if got := readString(t, p, "/proc/sys/kernel/hostname"); got != p.Hostname+"\n" {
		t.Errorf("/proc/sys/kernel/hostname = %q", got)
	}
	for k, want := range map[string]string{"ID": "debian", "VERSION_ID": "12", "VERSION_CODENAME": "bookworm", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)"} {
		if got := p.OSRelease(k); got != want {
			t.Errorf("OSRelease(%s) = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(readString(t, p, "/etc/os-release"), `VERSION_CODENAME=bookworm`) {
		t.Error("/etc/os-release does not say bookworm")
	}
	if p.Kernel.Sysname != "Linux" || p.Kernel.Machine != "x86_64" || !strings.HasSuffix(p.Kernel.Release, "-amd64") {
		t.Errorf("Kernel = %+v", p.Kernel)
	}
}

func TestDefaultAccounts(t *testing.T) {
	p := defaultPersonaT(t)
	root, ok := p.LookupUser("root")
	if !ok || root.UID != 0 || root.Home != "/root" || root.Shell != "/bin/bash" {
		t.Errorf("root = %+v, %v", root, ok)
	}
	u, ok := p.LookupUser("deploy")
	if !ok || u.UID != 1000 || u.GID != 1000 || u.Home != "/home/deploy" || u.Shell != "/bin/bash" {
		t.Fatalf("deploy = %+v, %v", u, ok)
	}
	if byID, ok := p.LookupUID(1000); !ok || byID.Name != "deploy" {
		t.Errorf("LookupUID(1000) = %+v, %v", byID, ok)
	}
	var names []string
	for _, g := range p.GroupsOf("deploy") {
		names = append(names, g.Name)
	}
	if got := strings.Join(names, " "); got != "deploy adm sudo" {
		t.Errorf("GroupsOf(deploy) = %q, want \"deploy adm sudo\"", got)
	}
	home, ok := p.Lstat("/home/deploy")
	if !ok || !home.Mode.IsDir() || home.UID != 1000 || home.Mode.Perm() != 0o700 {
		t.Errorf("/home/deploy = %+v, %v", home, ok)
	}
	if fi, ok := p.Info("/home/deploy/.bashrc"); !ok || fi.Owner != "deploy" || fi.Group != "deploy" {
		t.Errorf(".bashrc info = %+v, %v", fi, ok)
	}
}

func TestDefaultBinaries(t *testing.T) {
	p := defaultPersonaT(t)
	// /bin is a symlink on a merged-/usr system.
	if m, ok := p.Lstat("/bin"); !ok || m.Mode&fs.ModeSymlink == 0 || m.Target != "usr/bin" {
		t.Errorf("/bin = %+v, %v", m, ok)
	}
	fi, ok := p.Info("/usr/bin/ls")
	if !ok || !fi.Mode.IsRegular() || fi.Owner != "root" || fi.Mode.Perm() != 0o755 {
		t.Fatalf("/usr/bin/ls = %+v, %v", fi, ok)
	}
	md5, sha1, sha256hex, ok := p.Hashes("/usr/bin/ls")
	if !ok || len(md5) != 32 || len(sha1) != 40 || len(sha256hex) != 64 {
		t.Errorf("Hashes(/usr/bin/ls) = %q %q %q %v", md5, sha1, sha256hex, ok)
	}
	head, err := p.ReadFile("/bin/ls")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(head, []byte("\x7fELF\x02\x01\x01")) || len(head) != 4096 || fi.Size <= 4096 || fi.Complete {
		t.Errorf("/bin/ls: head of %d bytes (ELF: %v) of a %d-byte file, complete=%v", len(head), bytes.HasPrefix(head, []byte("\x7fELF")), fi.Size, fi.Complete)
	}
	// A text file kept whole hashes to what the persona recorded.
	text, err := p.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	_, _, want, _ := p.Hashes("/etc/passwd")
	if got := fmt.Sprintf("%x", sha256.Sum256(text)); got != want {
		t.Errorf("/etc/passwd content hashes to %s, recorded %s", got, want)
	}
	if pk, ok := p.LookupPackage("coreutils"); !ok || pk.Status != "install ok installed" || pk.Version == "" {
		t.Errorf("coreutils package = %+v, %v", pk, ok)
	}
	if len(p.Packages()) < 150 {
		t.Errorf("only %d packages", len(p.Packages()))
	}
}

// TestDefaultConsistent checks that every fact that can be read two ways reads the same.
func TestDefaultConsistent(t *testing.T) {
	p := defaultPersonaT(t)
	checkConsistent(t, p)
	pk, ok := p.LookupPackage("openssh-server")
	if !ok {
		t.Fatal("openssh-server is not installed")
	}
	if want, _ := sshBannerFor(pk.Version); p.SSHBanner != want {
		t.Errorf("SSH banner %q does not match openssh-server %s", p.SSHBanner, pk.Version)
	}
	if p.Hardware.CPUs != 4 || p.Hardware.MemTotalKB < 7<<20 || p.Hardware.MemTotalKB > 8<<20 {
		t.Errorf("Hardware = %+v, want 4 CPUs and about 8 GiB", p.Hardware)
	}
	if p.Uptime(p.BootTime.Add(time.Hour)) != time.Hour {
		t.Error("Uptime does not count from BootTime")
	}
}

// checkConsistent is shared with the capture tests.
func checkConsistent(t *testing.T, p *Persona) {
	t.Helper()
	cpu := readString(t, p, "/proc/cpuinfo")
	if n := strings.Count(cpu, "processor\t:"); n != p.Hardware.CPUs || n == 0 {
		t.Errorf("/proc/cpuinfo lists %d processors, Hardware.CPUs = %d", n, p.Hardware.CPUs)
	}
	if !strings.Contains(cpu, "model name\t: "+p.Hardware.CPUModel+"\n") {
		t.Errorf("/proc/cpuinfo does not name %q", p.Hardware.CPUModel)
	}
	if got, ok := meminfoField([]byte(readString(t, p, "/proc/meminfo")), "MemTotal"); !ok || got != p.Hardware.MemTotalKB {
		t.Errorf("/proc/meminfo MemTotal %d, Hardware %d", got, p.Hardware.MemTotalKB)
	}
	ver := readString(t, p, "/proc/version")
	if rel, v, err := parseProcVersion(ver); err != nil || rel != p.Kernel.Release || v != p.Kernel.Version {
		t.Errorf("/proc/version %q disagrees with Kernel %+v (%v)", ver, p.Kernel, err)
	}
	if got := readString(t, p, "/proc/sys/kernel/osrelease"); got != p.Kernel.Release+"\n" {
		t.Errorf("/proc/sys/kernel/osrelease = %q", got)
	}
	mounts := readString(t, p, "/proc/mounts")
	if mounts != readString(t, p, "/proc/self/mounts") {
		t.Error("/proc/mounts and /proc/self/mounts differ")
	}
	var order []string
	for _, l := range strings.Split(strings.TrimSpace(mounts), "\n") {
		f := strings.Fields(l)
		if len(f) != 6 {
			t.Fatalf("bad /proc/mounts line %q", l)
		}
		for _, d := range p.Hardware.Disks {
			if f[0] == d.Device && f[1] == d.Mount && f[2] == d.FSType {
				order = append(order, d.Mount)
			}
		}
	}
	var want []string
	for _, d := range p.Hardware.Disks {
		want = append(want, d.Mount)
		if m, ok := p.Lstat(d.Mount); !ok || !m.Mode.IsDir() {
			t.Errorf("mount point %s of %s is not a directory in the image", d.Mount, d.Device)
		}
		if strings.HasPrefix(d.Device, "/dev/") {
			if fi, ok := p.Info(d.Device); !ok || fi.Mode&fs.ModeDevice == 0 || fi.Mode&fs.ModeCharDevice != 0 {
				t.Errorf("%s is not a block device in the image", d.Device)
			}
		}
	}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("/proc/mounts mounts %v, Hardware.Disks (df) lists %v", order, want)
	}
	if len(want) == 0 {
		t.Error("no disks")
	}
	up := readString(t, p, "/proc/uptime")
	var secs, idle float64
	if _, err := fmt.Sscanf(up, "%f %f", &secs, &idle); err != nil || secs <= 0 {
		t.Errorf("/proc/uptime = %q", up)
	}
	if !strings.Contains(readString(t, p, "/proc/stat"), fmt.Sprintf("btime %d\n", p.BootTime.Unix())) {
		t.Error("/proc/stat btime disagrees with BootTime")
	}
	online := readString(t, p, "/sys/devices/system/cpu/online")
	if want := fmt.Sprintf("0-%d\n", p.Hardware.CPUs-1); p.Hardware.CPUs > 1 && online != want {
		t.Errorf("/sys/devices/system/cpu/online = %q, want %q", online, want)
	}
	for _, pr := range p.Processes {
		dir := fmt.Sprintf("/proc/%d", pr.PID)
		if m, ok := p.Lstat(dir); !ok || !m.Mode.IsDir() {
			t.Errorf("process %d has no %s", pr.PID, dir)
		}
	}
	for _, dev := range []struct {
		name         string
		major, minor uint32
	}{{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}} {
		fi, ok := p.Info(dev.name)
		if !ok || fi.Mode&fs.ModeCharDevice == 0 || fi.DevMajor != dev.major || fi.DevMinor != dev.minor || fi.Mode.Perm() != 0o666 {
			t.Errorf("%s = %+v (%v), want a 0666 char device %d,%d", dev.name, fi, ok, dev.major, dev.minor)
		}
	}
	if m, ok := p.Lstat("/dev/pts"); !ok || !m.Mode.IsDir() {
		t.Error("no /dev/pts")
	}
}

func readString(t testing.TB, p *Persona, name string) string {
	t.Helper()
	b, err := p.ReadFile(name)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", name, err)
	}
	return string(b)
}

func BenchmarkDefaultLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(defaultPersona); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLstat(b *testing.B) {
	p := defaultPersonaT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.Lstat("/usr/share/doc/coreutils/copyright"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkReadDir(b *testing.B) {
	p := defaultPersonaT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.ReadDir("/etc"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkReadFileCached(b *testing.B) {
	p := defaultPersonaT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ReadFile("/etc/passwd"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadFileCold(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		p, err := Parse(defaultPersona)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := p.ReadFile("/etc/passwd"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookupUser(b *testing.B) {
	p := defaultPersonaT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.LookupUser("deploy"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkHashes(b *testing.B) {
	p := defaultPersonaT(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, ok := p.Hashes("/usr/bin/ls"); !ok {
			b.Fatal("missing")
		}
	}
}

// TestConcurrentUse reads one persona from many goroutines, as sessions do; run with -race.
func TestConcurrentUse(t *testing.T) {
	p, err := Parse(defaultPersona) // a fresh one, so the lazy tables and cache start cold
	if err != nil {
		t.Fatal(err)
	}
	want := readString(t, p, "/etc/os-release")
	done := make(chan string, 8)
	for g := range 8 {
		go func() {
			for i := range 50 {
				paths := []string{"/etc/os-release", "/etc/passwd", "/usr/bin/ls", "/proc/uptime", "/var/lib/dpkg/status"}
				b, err := p.ReadFile(paths[(g+i)%len(paths)])
				if err != nil {
					done <- err.Error()
					return
				}
				if (g+i)%len(paths) == 0 && string(b) != want {
					done <- "os-release changed under concurrent reads"
					return
				}
				if _, ok := p.LookupUser("deploy"); !ok {
					done <- "LookupUser failed"
					return
				}
				p.ReadDir("/etc")
				p.Lstat("/usr/bin/ls")
				p.OSRelease("ID")
			}
			done <- ""
		}()
	}
	for range 8 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
