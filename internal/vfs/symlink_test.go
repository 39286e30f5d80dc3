package vfs

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
)

func TestSymlinkResolution(t *testing.T) {
	img := testImage()
	img.AddSymlink("/loop1", "/loop2")
	img.AddSymlink("/loop2", "loop1")
	img.AddSymlink("/self", "self")
	img.AddSymlink("/etc/rel", "../root/.bashrc")
	img.AddSymlink("/etc/reldir", "ssh")
	img.AddSymlink("/etc/dotdot", "..")
	img.AddSymlink("/etc/up3", "../../../etc/passwd")
	img.AddSymlink("/etc/chain", "/etc/reldir")
	img.AddSymlink("/etc/slashdir", "ssh/")
	img.AddSymlink("/etc/slashfile", "passwd/")
	// A chain of exactly 40 links resolves; 41 does not (Linux's MAXSYMLINKS).
	for i := 0; i < 41; i++ {
		img.AddSymlink(fmt.Sprintf("/c/%d", i), fmt.Sprintf("/c/%d", i+1))
	}
	img.AddFile("/c/41", "end\n", 0o644)
	f := NewMemFS(img)

	cases := []struct {
		path string
		want string // content, or "" when err is set
		err  syscall.Errno
	}{
		{"/bin/ls", "\x7fELF", 0},
		{"/etc/rel", "# ~/.bashrc\n", 0},
		{"/etc/reldir/sshd_config", "Port 22\n", 0},
		{"/etc/chain/sshd_config", "Port 22\n", 0},
		{"/etc/dotdot/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0},
		{"/etc/up3", "root:x:0:0:root:/root:/bin/bash\n", 0},
		{"/etc/slashdir/sshd_config", "Port 22\n", 0},
		{"/etc/slashfile", "", syscall.ENOTDIR},
		{"/loop1", "", syscall.ELOOP},
		{"/self", "", syscall.ELOOP},
		{"/loop1/x", "", syscall.ELOOP},
		{"/c/1", "end\n", 0},
		{"/c/0", "", syscall.ELOOP},
		{"/etc/motd.link", "web01\n", 0},
	}
	for _, c := range cases {
		b, err := f.ReadFile(c.path)
		if c.err != 0 {
			wantErrno(t, err, c.err)
			continue
		}
		wantErrno(t, err, 0)
		if string(b) != c.want {
			t.Errorf("ReadFile(%q) = %q, want %q", c.path, b, c.want)
		}
	}
	// Lstat never follows the final link, even a looping one.
	if _, err := f.Lstat("/loop1"); err != nil {
		t.Errorf("Lstat(/loop1): %v", err)
	}
	_, err := f.Lstat("/loop1/")
	wantErrno(t, err, syscall.ELOOP)
	if got := Strerror(err); got != "Too many levels of symbolic links" {
		t.Errorf("Strerror(ELOOP) = %q", got)
	}
}

func TestSymlinksStayVirtual(t *testing.T) {
	// An attacker's link to a host path resolves in the virtual tree: the image's
	// /etc/shadow, or nothing at all.
	host := t.TempDir()
	canary := host + "/canary"
	f := newTestFS(t)
	wantErrno(t, f.Symlink("/etc/shadow", "/tmp/s"), 0)
	if got := mustRead(t, f, "/tmp/s"); got != "root:*:19000:0:99999:7:::\n" {
		t.Errorf("link to /etc/shadow read %q, want the image's", got)
	}
	wantErrno(t, f.Symlink(canary, "/tmp/c"), 0)
	_, err := f.ReadFile("/tmp/c")
	wantErrno(t, err, syscall.ENOENT)
	wantErrno(t, f.Symlink("../../../../../../"+strings.TrimPrefix(host, "/"), "/tmp/h"), 0)
	_, err = f.ReadDir("/tmp/h")
	wantErrno(t, err, syscall.ENOENT)
	wantErrno(t, f.Symlink("/proc/self/root/etc/passwd", "/tmp/p"), 0)
	_, err = f.ReadFile("/tmp/p")
	wantErrno(t, err, syscall.ENOENT)
	// Writing through such a link creates a virtual file; the host stays untouched.
	wantErrno(t, f.WriteFile("/tmp/c", []byte("x"), 0o644), syscall.ENOENT)
	wantErrno(t, f.MkdirAll(host, 0o755), 0)
	wantErrno(t, f.WriteFile("/tmp/c", []byte("x"), 0o644), 0)
	if got := mustRead(t, f, canary); got != "x" {
		t.Errorf("virtual canary %q", got)
	}
	assertHostDirEmpty(t, host)
}

func TestSymlinksIntoOverlayAndImage(t *testing.T) {
	f := newTestFS(t)
	// Overlay link into the image, image link into an overlay directory, links in links.
	wantErrno(t, f.MkdirAll("/tmp/work/sub", 0o755), 0)
	wantErrno(t, f.WriteFile("/tmp/work/sub/payload", []byte("p"), 0o755), 0)
	wantErrno(t, f.Symlink("work/sub", "/tmp/w"), 0)
	wantErrno(t, f.Symlink("/tmp/w/payload", "/root/run"), 0)
	if got := mustRead(t, f, "/root/run"); got != "p" {
		t.Errorf("got %q", got)
	}
	// Replace an image directory by a link: paths through it now go elsewhere.
	wantErrno(t, f.RemoveAll("/var/log"), 0)
	wantErrno(t, f.Symlink("/tmp/work", "/var/log"), 0)
	if got := mustRead(t, f, "/var/log/sub/payload"); got != "p" {
		t.Errorf("got %q", got)
	}
	rp, err := f.Realpath("/var/log/sub/../sub/payload")
	wantErrno(t, err, 0)
	if rp != "/tmp/work/sub/payload" {
		t.Errorf("Realpath = %q", rp)
	}
	// A link loop made by the attacker.
	wantErrno(t, f.Symlink("b", "/tmp/a"), 0)
	wantErrno(t, f.Symlink("a", "/tmp/b"), 0)
	_, err = f.Stat("/tmp/a")
	wantErrno(t, err, syscall.ELOOP)
	wantErrno(t, f.WriteFile("/tmp/a", nil, 0o644), syscall.ELOOP)
	wantErrno(t, f.Remove("/tmp/a"), 0)
	_, err = f.Stat("/tmp/b")
	wantErrno(t, err, syscall.ENOENT)
}
