package vfs

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
	"time"
)

// testImage is a small Debian-like tree shared by the tests.
func testImage() *MemImage {
	img := NewMemImage()
	img.AddDir("/etc", 0o755)
	img.AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0o644)
	img.Add("/etc/shadow", Meta{Mode: 0o640, GID: 42}, []byte("root:*:19000:0:99999:7:::\n"))
	img.AddFile("/etc/hostname", "web01\n", 0o644)
	img.AddDir("/etc/ssh", 0o755)
	img.AddFile("/etc/ssh/sshd_config", "Port 22\n", 0o644)
	img.AddDir("/root", 0o700)
	img.AddFile("/root/.bashrc", "# ~/.bashrc\n", 0o644)
	img.AddDir("/tmp", 0o1777)
	img.AddDir("/home/admin", 0o755)
	img.AddDir("/usr/bin", 0o755)
	img.AddFile("/usr/bin/ls", "\x7fELF", 0o755)
	img.AddFile("/usr/bin/passwd", "\x7fELF", 0o4755)
	img.AddSymlink("/bin", "usr/bin")
	img.AddDir("/var/log", 0o755)
	img.AddFile("/var/log/syslog", "boot\n", 0o640)
	img.AddSymlink("/etc/motd.link", "/etc/hostname")
	img.AddDir("/dev", 0o755)
	img.Add("/dev/null", Meta{Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666}, nil)
	return img
}

// fixedClock makes times in tests predictable; each call advances one second.
func fixedClock() func() time.Time {
	t := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func newTestFS(t testing.TB) *FS {
	t.Helper()
	f := NewMemFS(testImage())
	f.ov.now = fixedClock()
	return f
}

func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func wantErrno(t testing.TB, err error, want syscall.Errno) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error; want %v", want)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *fs.PathError; want %v", err, err, want)
	}
	if got := errnoOf(err); got != want {
		t.Fatalf("error %v (errno %d); want errno %d (%v)", err, int(got), int(want), want)
	}
}

func mustRead(t testing.TB, f *FS, p string) string {
	t.Helper()
	b, err := f.ReadFile(p)
	if err != nil {
		t.Fatalf("ReadFile(%q): %v", p, err)
	}
	return string(b)
}

func names(ms []Meta) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}
