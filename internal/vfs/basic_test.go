package vfs

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

// testImage is a small Debian-like tree shared by the tests.
func testImage() *MemImage {
	img := NewMemImage()
	img.AddDir("/etc", 0o755)
	img.AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0o644)
	img.AddFile("/etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640)
	img.AddFile("/etc/hostname", "web01\n", 0o644)
	img.AddDir("/root", 0o700)
	img.AddFile("/root/.bashrc", "# ~/.bashrc\n", 0o644)
	img.AddDir("/tmp", 0o1777)
	img.AddDir("/usr/bin", 0o755)
	img.AddFile("/usr/bin/ls", "\x7fELF", 0o755)
	img.AddSymlink("/bin", "usr/bin")
	img.AddDir("/var/log", 0o755)
	img.AddFile("/var/log/syslog", "boot\n", 0o640)
	img.AddSymlink("/etc/motd.link", "/etc/hostname")
	return img
}

func wantErrno(t *testing.T, err error, want syscall.Errno) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *fs.PathError; want %v", err, err, want)
	}
	var got syscall.Errno
	if !errors.As(err, &got) || got != want {
		t.Fatalf("error %v; want errno %v", err, want)
	}
}

func TestBasicSmoke(t *testing.T) {
	f := NewMemFS(testImage())
	m, err := f.Stat("/etc/passwd")
	wantErrno(t, err, 0)
	if m.Name != "passwd" || !m.Mode.IsRegular() || m.Size != 32 || m.Ino == 0 || m.Nlink != 1 {
		t.Fatalf("Stat = %+v", m)
	}
	data, err := f.ReadFile("/bin/ls")
	wantErrno(t, err, 0)
	if string(data) != "\x7fELF" {
		t.Fatalf("ReadFile via symlink = %q", data)
	}
	wantErrno(t, f.WriteFile("/tmp/x", []byte("hi"), 0o644), 0)
	wantErrno(t, f.Mkdir("/tmp/d", 0o755), 0)
	ents, err := f.ReadDir("/tmp")
	wantErrno(t, err, 0)
	if len(ents) != 2 || ents[0].Name != "d" || ents[1].Name != "x" {
		t.Fatalf("ReadDir = %+v", ents)
	}
	wantErrno(t, f.Remove("/etc/passwd"), 0)
	_, err = f.Stat("/etc/passwd")
	wantErrno(t, err, syscall.ENOENT)
}
