package vfs

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"
	"syscall"
	"testing"
)

func TestStrerror(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{syscall.ENOENT, "No such file or directory"},
		{syscall.ENOTDIR, "Not a directory"},
		{syscall.EISDIR, "Is a directory"},
		{syscall.EEXIST, "File exists"},
		{syscall.ENOTEMPTY, "Directory not empty"},
		{syscall.EACCES, "Permission denied"},
		{syscall.EPERM, "Operation not permitted"},
		{syscall.ELOOP, "Too many levels of symbolic links"},
		{syscall.EINVAL, "Invalid argument"},
		{syscall.ENOSPC, "No space left on device"},
		{syscall.EFBIG, "File too large"},
		{syscall.EDQUOT, "Disk quota exceeded"},
		{syscall.EBUSY, "Device or resource busy"},
		{syscall.EXDEV, "Invalid cross-device link"},
		{syscall.ENAMETOOLONG, "File name too long"},
		{syscall.EROFS, "Read-only file system"},
		{syscall.Errno(41), "Unknown error 41"},
		{syscall.Errno(500), "Unknown error 500"},
		{&fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, "No such file or directory"},
		{fmt.Errorf("wrapped: %w", &fs.PathError{Op: "open", Path: "/x", Err: syscall.EISDIR}), "Is a directory"},
		{errors.New("plain"), "plain"},
		{nil, "Success"},
	}
	for _, c := range cases {
		if got := Strerror(c.err); got != c.want {
			t.Errorf("Strerror(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	// Errors from the FS also satisfy the io/fs sentinels.
	_, err := NewMemFS(testImage()).Stat("/nope")
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, syscall.ENOENT) {
		t.Errorf("%v is not ErrNotExist", err)
	}
}

func TestUnixMode(t *testing.T) {
	cases := []struct {
		m fs.FileMode
		u uint32
	}{
		{0o644, 0o100644},
		{fs.ModeDir | 0o755, 0o40755},
		{fs.ModeDir | fs.ModeSticky | 0o777, 0o41777},
		{fs.ModeSetuid | 0o755, 0o104755},
		{fs.ModeSetgid | 0o2755&0o777, 0o102755},
		{fs.ModeSymlink | 0o777, 0o120777},
		{fs.ModeDevice | fs.ModeCharDevice | 0o666, 0o20666},
		{fs.ModeDevice | 0o660, 0o60660},
		{fs.ModeNamedPipe | 0o600, 0o10600},
		{fs.ModeSocket | 0o777, 0o140777},
	}
	for _, c := range cases {
		if got := UnixMode(c.m); got != c.u {
			t.Errorf("UnixMode(%v) = %o, want %o", c.m, got, c.u)
		}
		if got := FromUnixMode(c.u); got != c.m {
			t.Errorf("FromUnixMode(%o) = %v, want %v", c.u, got, c.m)
		}
	}
	// Chmod and Mkdir accept the octal spelling of the special bits.
	f := newTestFS(t)
	wantErrno(t, f.Chmod("/usr/bin/ls", 0o4755), 0)
	if m, _ := f.Stat("/usr/bin/ls"); m.Mode != fs.ModeSetuid|0o755 {
		t.Errorf("chmod 4755 gave %v", m.Mode)
	}
	wantErrno(t, f.Mkdir("/tmp/s", 0o1777), 0)
	if m, _ := f.Stat("/tmp/s"); m.Mode != fs.ModeDir|fs.ModeSticky|0o777 {
		t.Errorf("mkdir 1777 gave %v", m.Mode)
	}
	if m, _ := f.Stat("/tmp"); m.Mode != fs.ModeDir|fs.ModeSticky|0o777 {
		t.Errorf("image AddDir 1777 gave %v", m.Mode)
	}
}

func TestMemImage(t *testing.T) {
	img := NewMemImage()
	img.AddFile("/a/b/c/file", "data", 0o600)
	img.AddDir("/a/b", 0o700) // re-adding a directory keeps its children
	img.AddSymlink("/a/link", "b/c/file")
	for _, p := range []string{"/", "/a", "/a/b", "/a/b/c"} {
		m, ok := img.Lstat(p)
		if !ok || !m.Mode.IsDir() {
			t.Errorf("parent %s not created: %+v %v", p, m, ok)
		}
	}
	if m, _ := img.Lstat("/a/b"); m.Mode != fs.ModeDir|0o700 || m.Nlink != 3 {
		t.Errorf("/a/b = %+v", m)
	}
	ents, ok := img.ReadDir("/a")
	if !ok || !slices.Equal(names(ents), []string{"b", "link"}) {
		t.Errorf("ReadDir(/a) = %v", names(ents))
	}
	if b, err := img.ReadFile("/a/b/c/file"); err != nil || string(b) != "data" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if _, err := img.ReadFile("/a"); errnoOf(err) != syscall.EISDIR {
		t.Errorf("ReadFile(dir) = %v", err)
	}
	if _, err := img.ReadFile("/zz"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v", err)
	}
	if _, ok := img.ReadDir("/a/link"); ok {
		t.Errorf("image ReadDir followed a symlink")
	}
	// Replacing a directory by a file drops its subtree.
	img.AddFile("/a/b", "now a file", 0o644)
	if _, ok := img.Lstat("/a/b/c/file"); ok {
		t.Errorf("subtree survived")
	}
	if m, _ := img.Lstat("/a"); m.Nlink != 2 {
		t.Errorf("/a nlink %d after its only subdirectory became a file", m.Nlink)
	}
	img.AddDir("/a/b", 0o755)
	if m, _ := img.Lstat("/a"); m.Nlink != 3 {
		t.Errorf("/a nlink %d after re-adding a subdirectory", m.Nlink)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("adding below a symlink did not panic")
			}
		}()
		img.AddFile("/a/link/x", "", 0o644)
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("relative path did not panic")
			}
		}()
		img.AddFile("rel", "", 0o644)
	}()
	// Sizes default from content and target.
	if m, _ := img.Lstat("/a/link"); m.Size != 8 || m.Target != "b/c/file" {
		t.Errorf("link %+v", m)
	}
}

func TestDigest(t *testing.T) {
	f := newTestFS(t)
	g := newTestFS(t)
	paths := []string{"/etc", "/etc/passwd", "/bin", "/nope"}
	d0 := f.Digest(paths...)
	if d0 != g.Digest(paths...) {
		t.Errorf("same state, different digests")
	}
	if f.Digest("/etc/passwd", "/etc") == d0 {
		t.Errorf("digest ignores paths")
	}
	changes := []struct {
		name string
		fn   func(f *FS) error
	}{
		{"content", func(f *FS) error { return f.WriteFile("/etc/passwd", []byte("x"), 0o644) }},
		{"same-size content", func(f *FS) error {
			b, _ := f.ReadFile("/etc/passwd")
			b[0] = 'R'
			return f.WriteFile("/etc/passwd", b, 0o644)
		}},
		{"mode", func(f *FS) error { return f.Chmod("/etc/passwd", 0o600) }},
		{"owner", func(f *FS) error { return f.Chown("/etc/passwd", 1, 1) }},
		{"listing", func(f *FS) error { return f.WriteFile("/etc/new", nil, 0o644) }},
		{"removal", func(f *FS) error { return f.Remove("/etc/hostname") }},
		{"link target content", func(f *FS) error { return f.WriteFile("/usr/bin/new", nil, 0o644) }},
		{"missing appears", func(f *FS) error { return f.Mkdir("/nope", 0o755) }},
	}
	for _, c := range changes {
		h := newTestFS(t)
		if err := c.fn(h); err != nil {
			t.Fatal(err)
		}
		if h.Digest(paths...) == d0 {
			t.Errorf("digest misses a change of %s", c.name)
		}
	}
	// Reading does not change the digest.
	_, _ = f.ReadFile("/etc/passwd")
	_, _ = f.ReadDir("/etc")
	if f.Digest(paths...) != d0 {
		t.Errorf("reads changed the digest")
	}
}

func TestHashInoMatchesFNV(t *testing.T) {
	// hashIno is FNV-1a; persisted overlays and captured personas rely on it not changing.
	h := fnv.New64a()
	h.Write([]byte("/etc/passwd"))
	if got, want := hashIno("/etc/passwd"), uint64(hashInoBase)+h.Sum64()%hashInoSpan; got != want {
		t.Errorf("hashIno = %d, want %d", got, want)
	}
}

func TestPermissionSeam(t *testing.T) {
	// Root is never refused, whatever the mode.
	f := newTestFS(t)
	wantErrno(t, f.Chmod("/root", 0), 0)
	if got := mustRead(t, f, "/root/.bashrc"); got == "" {
		t.Errorf("root refused")
	}
	// A non-root credential gets the kernel's owner/group/other checks.
	g := newTestFS(t)
	g.cred = cred{uid: 1000, gid: 1000}
	_, err := g.ReadDir("/root") // 0700 root
	wantErrno(t, err, syscall.EACCES)
	_, err = g.ReadFile("/etc/shadow") // 0640 root:42
	wantErrno(t, err, syscall.EACCES)
	if got := mustRead(t, g, "/etc/passwd"); got == "" {
		t.Errorf("world-readable file refused")
	}
	wantErrno(t, g.WriteFile("/etc/x", nil, 0o644), syscall.EACCES)
	wantErrno(t, g.WriteFile("/tmp/mine", nil, 0o644), 0)
	if m, _ := g.Stat("/tmp/mine"); m.UID != 1000 || m.GID != 1000 {
		t.Errorf("new file owned by %d:%d", m.UID, m.GID)
	}
	wantErrno(t, g.Chmod("/etc/passwd", 0o777), syscall.EPERM)
	wantErrno(t, g.Chmod("/tmp/mine", 0o600), 0)
	h := newTestFS(t)
	h.cred = cred{uid: 1000, gid: 42}
	if got := mustRead(t, h, "/etc/shadow"); got == "" {
		t.Errorf("group-readable file refused to the group")
	}
}
