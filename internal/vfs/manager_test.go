package vfs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func newTestManager(t *testing.T, dir string, q Quotas) *Manager {
	t.Helper()
	m, err := NewManager(testImage(), dir, q)
	if err != nil {
		t.Fatal(err)
	}
	m.SetLogger(slog.New(slog.DiscardHandler))
	return m
}

// attackerWork makes one change of every kind.
func attackerWork(t *testing.T, f *FS) {
	t.Helper()
	wantErrno(t, f.MkdirAll("/root/.ssh", 0o700), 0)
	wantErrno(t, f.WriteFile("/root/.ssh/authorized_keys", []byte("ssh-rsa AAAA attacker\n"), 0o600), 0)
	wantErrno(t, f.AppendFile("/etc/passwd", []byte("toor:x:0:0::/root:/bin/bash\n"), 0o644), 0)
	wantErrno(t, f.Remove("/var/log/syslog"), 0)
	wantErrno(t, f.RemoveAll("/home/admin"), 0)
	wantErrno(t, f.Symlink("/dev/null", "/root/.bash_history"), 0)
	wantErrno(t, f.Chmod("/tmp", 0o777), 0)
	wantErrno(t, f.Chown("/etc/hostname", 1000, 1000), 0)
	wantErrno(t, f.Chtimes("/etc/shadow", time.Unix(1e9, 0), time.Unix(1e9, 5)), 0)
	wantErrno(t, f.Rename("/etc/ssh", "/etc/ssh.bak"), 0)
	wantErrno(t, f.WriteFile("/etc/ssh.bak/new", []byte("n"), 0o644), 0)
	wantErrno(t, f.WriteFile("/tmp/.x/../bot", []byte("bin"), 0o755), syscall.ENOENT)
	wantErrno(t, f.MkdirAll("/tmp/.x", 0o755), 0)
	wantErrno(t, f.WriteFile("/tmp/.x/bot", []byte("\x7fELF..."), 0o755), 0)
}

var digestPaths = []string{"/", "/root", "/root/.ssh", "/root/.ssh/authorized_keys", "/etc", "/etc/passwd",
	"/var/log", "/var/log/syslog", "/home", "/root/.bash_history", "/tmp", "/etc/hostname",
	"/etc/shadow", "/etc/ssh", "/etc/ssh.bak", "/etc/ssh.bak/new", "/tmp/.x", "/tmp/.x/bot"}

func TestPersistenceRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := newTestManager(t, dir, Quotas{})
	f, err := m.Acquire("203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	attackerWork(t, f)
	want := f.Digest(digestPaths...)
	wantUsage := f.Usage()
	wantIno, _ := f.Stat("/tmp/.x/bot")
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// The file is named by the hash of the IP, private, and alone.
	sum := sha256.Sum256([]byte("203.0.113.7"))
	file := filepath.Join(dir, hex.EncodeToString(sum[:])+".ovl")
	info, err := os.Stat(file)
	if err != nil {
		t.Fatalf("overlay file: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("overlay file mode %v", info.Mode())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("overlay dir holds %d entries", len(ents))
	}

	// A new manager (a sensor restart) gives the same IP the same state.
	m2 := newTestManager(t, dir, Quotas{})
	if m2.TotalUsage() != wantUsage {
		t.Errorf("restarted manager counts %d bytes, want %d", m2.TotalUsage(), wantUsage)
	}
	g, err := m2.Acquire("203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Digest(digestPaths...); got != want {
		t.Errorf("state differs after reload")
		for _, p := range digestPaths {
			a, _ := g.Lstat(p)
			t.Logf("%s: %+v", p, a)
		}
	}
	if g.Usage() != wantUsage {
		t.Errorf("usage %d, want %d", g.Usage(), wantUsage)
	}
	if got := mustRead(t, g, "/root/.ssh/authorized_keys"); got != "ssh-rsa AAAA attacker\n" {
		t.Errorf("authorized_keys %q", got)
	}
	if m, _ := g.Stat("/tmp/.x/bot"); m.Ino != wantIno.Ino {
		t.Errorf("inode changed across restart: %d vs %d", m.Ino, wantIno.Ino)
	}
	// New entries after a reload do not reuse inode numbers.
	wantErrno(t, g.WriteFile("/tmp/after", nil, 0o644), 0)
	if m, _ := g.Stat("/tmp/after"); m.Ino <= wantIno.Ino {
		t.Errorf("new inode %d not above %d", m.Ino, wantIno.Ino)
	}
	// Another IP sees the pristine image.
	h, _ := m2.Acquire("198.51.100.1")
	if _, err := h.Stat("/var/log/syslog"); err != nil {
		t.Errorf("other IP: %v", err)
	}
	h.Release()
	g.Release()
	// An IP that changed nothing leaves no file behind.
	if _, err := os.Stat(m2.file(fileKey("198.51.100.1"))); !os.IsNotExist(err) {
		t.Errorf("idle IP got an overlay file: %v", err)
	}
}

func TestMappedIPv4SharesOverlay(t *testing.T) {
	if fileKey("::ffff:192.0.2.1") != fileKey("192.0.2.1") {
		t.Errorf("IPv4-mapped address gets a different overlay")
	}
	if fileKey("192.0.2.1") == fileKey("192.0.2.2") {
		t.Errorf("two IPs share a key")
	}
}

func TestRefcountAndSharing(t *testing.T) {
	dir := t.TempDir()
	m := newTestManager(t, dir, Quotas{})
	a, _ := m.Acquire("192.0.2.1")
	b, _ := m.Acquire("192.0.2.1")
	wantErrno(t, a.WriteFile("/tmp/shared", []byte("s"), 0o644), 0)
	if got := mustRead(t, b, "/tmp/shared"); got != "s" {
		t.Errorf("second session sees %q", got)
	}
	file := m.file(fileKey("192.0.2.1"))
	wantErrno(t, a.Release(), 0)
	wantErrno(t, a.Release(), 0) // a second Release must not drop b's reference
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("persisted while a session is still in use")
	}
	wantErrno(t, b.WriteFile("/tmp/later", []byte("l"), 0o644), 0)
	wantErrno(t, b.Release(), 0)
	if _, err := os.Stat(file); err != nil {
		t.Errorf("not persisted on the last Release: %v", err)
	}
	c, _ := m.Acquire("192.0.2.1")
	if got := mustRead(t, c, "/tmp/later"); got != "l" {
		t.Errorf("reconnect sees %q", got)
	}
	// Close persists overlays still in use, and refuses new sessions.
	wantErrno(t, c.WriteFile("/tmp/at-close", []byte("c"), 0o644), 0)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Acquire("192.0.2.9"); err == nil {
		t.Errorf("Acquire after Close succeeded")
	}
	m2 := newTestManager(t, dir, Quotas{})
	d, _ := m2.Acquire("192.0.2.1")
	if got := mustRead(t, d, "/tmp/at-close"); got != "c" {
		t.Errorf("after Close+restart %q", got)
	}
	d.Release()
	c.Release()
}

func TestCorruptOverlayStartsFresh(t *testing.T) {
	dir := t.TempDir()
	m := newTestManager(t, dir, Quotas{})
	f, _ := m.Acquire("192.0.2.5")
	wantErrno(t, f.WriteFile("/tmp/x", []byte("x"), 0o644), 0)
	f.Release()
	file := m.file(fileKey("192.0.2.5"))
	b, _ := os.ReadFile(file)
	b = append(b[:headerSize], []byte("garbage, not gzip")...)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// Junk files and leftovers in the directory are ignored or cleaned.
	os.WriteFile(filepath.Join(dir, "README"), []byte("hi"), 0o600)
	os.WriteFile(filepath.Join(dir, tempPrefix+"123"), []byte("partial"), 0o600)
	m2 := newTestManager(t, dir, Quotas{})
	if _, err := os.Stat(filepath.Join(dir, tempPrefix+"123")); !os.IsNotExist(err) {
		t.Errorf("temp file left behind")
	}
	g, err := m2.Acquire("192.0.2.5")
	if err != nil {
		t.Fatalf("corrupt overlay refused the session: %v", err)
	}
	if _, err := g.Stat("/tmp/x"); err == nil {
		t.Errorf("corrupt overlay partly loaded")
	}
	if g.Usage() != 0 || m2.TotalUsage() != 0 {
		t.Errorf("usage %d total %d after discarding", g.Usage(), m2.TotalUsage())
	}
	g.Release()
}

func TestRestoreRejectsMalformedState(t *testing.T) {
	bad := []diskState{
		{Version: 99},
		{Version: stateVersion, Nodes: []diskNode{{Path: "/tmp/x", Meta: &Meta{}}}},
		{Version: stateVersion, Nodes: []diskNode{{Path: "/", Src: "/"}, {Path: "/a/b", Meta: &Meta{}}}},
		{Version: stateVersion, Nodes: []diskNode{{Path: "/", Src: "/"}, {Path: "/a/../b", Meta: &Meta{}}}},
		{Version: stateVersion, Nodes: []diskNode{{Path: "/", Src: "/"}, {Path: "/a"}}},
		{Version: stateVersion, Nodes: []diskNode{{Path: "/", Src: "/"}, {Path: "/a", White: true}, {Path: "/a/b", Meta: &Meta{}}}},
		{Version: stateVersion, Nodes: []diskNode{{Path: "/", Src: "/"}, {Path: "/a", Src: "relative"}}},
	}
	for i, st := range bad {
		if err := newOverlay(testImage(), Quotas{}).restore(st); err == nil {
			t.Errorf("state %d accepted", i)
		}
	}
}

func TestConcurrentSessions(t *testing.T) {
	dir := t.TempDir()
	m := newTestManager(t, dir, Quotas{Total: 1 << 20})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ip := fmt.Sprintf("192.0.2.%d", g%3) // sessions of one IP overlap
			for i := 0; i < 30; i++ {
				f, err := m.Acquire(ip)
				if err != nil {
					t.Error(err)
					return
				}
				p := fmt.Sprintf("/tmp/g%d-%d", g, i)
				if err := f.WriteFile(p, []byte(p), 0o644); err != nil {
					t.Error(err)
				}
				_ = f.MkdirAll(fmt.Sprintf("/tmp/d%d/x", g), 0o755)
				_ = f.Rename(p, p+".moved")
				_, _ = f.ReadDir("/tmp")
				_ = f.Digest("/tmp", "/etc/passwd")
				_, _ = f.ReadFile("/etc/passwd")
				_ = f.Chmod("/etc/hostname", 0o600)
				if i%3 == 0 {
					_ = f.Remove(p + ".moved")
				}
				if err := f.Release(); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// Every surviving file is there after a restart, and the accounting agrees.
	m2 := newTestManager(t, dir, Quotas{})
	var sum int64
	for ipn := 0; ipn < 3; ipn++ {
		f, _ := m2.Acquire(fmt.Sprintf("192.0.2.%d", ipn))
		for g := ipn; g < 8; g += 3 {
			for i := 0; i < 30; i++ {
				p := fmt.Sprintf("/tmp/g%d-%d.moved", g, i)
				_, err := f.Stat(p)
				if (i%3 == 0) != (err != nil) {
					t.Errorf("%s: %v", p, err)
				}
			}
		}
		sum += f.Usage()
		f.Release()
	}
	if m2.TotalUsage() != sum {
		t.Errorf("total %d, sum of overlays %d", m2.TotalUsage(), sum)
	}
}
