package vfs

import (
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// opCase runs one operation on a fresh test FS (after setup) and checks its errno.
type opCase struct {
	name  string
	setup func(f *FS) error
	op    func(f *FS) error
	want  syscall.Errno
	check func(t *testing.T, f *FS)
}

func runOpCases(t *testing.T, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newTestFS(t)
			if tc.setup != nil {
				if err := tc.setup(f); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			wantErrno(t, tc.op(f), tc.want)
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

func statErr(p string) func(f *FS) error {
	return func(f *FS) error { _, err := f.Stat(p); return err }
}

func lstatErr(p string) func(f *FS) error {
	return func(f *FS) error { _, err := f.Lstat(p); return err }
}

func TestStatAndLstat(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "file", op: statErr("/etc/passwd")},
		{name: "root", op: statErr("/")},
		{name: "dot dot above root", op: statErr("/../../etc/passwd")},
		{name: "relative taken from root", op: statErr("etc/passwd")},
		{name: "double slashes", op: statErr("//etc///passwd")},
		{name: "missing", op: statErr("/etc/nope"), want: syscall.ENOENT},
		{name: "missing parent", op: statErr("/nope/x"), want: syscall.ENOENT},
		{name: "empty path", op: statErr(""), want: syscall.ENOENT},
		{name: "file as dir", op: statErr("/etc/passwd/x"), want: syscall.ENOTDIR},
		{name: "file with slash", op: statErr("/etc/passwd/"), want: syscall.ENOTDIR},
		{name: "dot dot after file", op: statErr("/etc/passwd/.."), want: syscall.ENOTDIR},
		{name: "dir with slash", op: statErr("/etc/")},
		{name: "name too long", op: statErr("/" + strings.Repeat("a", 256)), want: syscall.ENAMETOOLONG},
		{name: "path too long", op: statErr(strings.Repeat("/a", 2048)), want: syscall.ENAMETOOLONG},
		{name: "nul byte", op: statErr("/etc/pa\x00sswd"), want: syscall.EINVAL},
		{name: "lstat symlink", op: lstatErr("/bin")},
		{name: "lstat dangling", setup: func(f *FS) error { return f.Symlink("/nowhere", "/tmp/d") }, op: lstatErr("/tmp/d")},
		{name: "stat dangling", setup: func(f *FS) error { return f.Symlink("/nowhere", "/tmp/d") }, op: statErr("/tmp/d"), want: syscall.ENOENT},
		{name: "lstat with slash follows", op: lstatErr("/bin/"), check: func(t *testing.T, f *FS) {
			m, _ := f.Lstat("/bin/")
			if !m.Mode.IsDir() {
				t.Errorf("Lstat(/bin/) mode %v, want the directory the link leads to", m.Mode)
			}
		}},
	})
}

func TestStatMetadata(t *testing.T) {
	f := newTestFS(t)
	m, err := f.Stat("/etc/passwd")
	wantErrno(t, err, 0)
	if m.Name != "passwd" || m.Mode != 0o644 || m.Size != 32 || m.Nlink != 1 || m.UID != 0 {
		t.Errorf("Stat(/etc/passwd) = %+v", m)
	}
	if !m.MTime.Equal(DefaultImageTime()) {
		t.Errorf("MTime %v, want the image's %v", m.MTime, DefaultImageTime())
	}
	sh, _ := f.Stat("/etc/shadow")
	if sh.GID != 42 || sh.Mode != 0o640 {
		t.Errorf("Stat(/etc/shadow) = %+v", sh)
	}
	root, _ := f.Stat("/")
	// / holds bin(link) dev etc home root tmp usr var: 7 directories.
	if root.Name != "" || !root.Mode.IsDir() || root.Nlink != 9 || root.Ino != 2 {
		t.Errorf("Stat(/) = %+v, want dir, nlink 9, ino 2", root)
	}
	link, _ := f.Lstat("/bin")
	if link.Mode != fs.ModeSymlink|0o777 || link.Target != "usr/bin" || link.Size != 7 {
		t.Errorf("Lstat(/bin) = %+v", link)
	}
	bin, _ := f.Stat("/bin")
	if !bin.Mode.IsDir() || bin.Name != "bin" || bin.Target != "" {
		t.Errorf("Stat(/bin) = %+v, want the directory named bin", bin)
	}
	usrbin, _ := f.Stat("/usr/bin")
	if bin.Ino != usrbin.Ino {
		t.Errorf("Stat through a link gives ino %d, the directory has %d", bin.Ino, usrbin.Ino)
	}
	pw, _ := f.Stat("/usr/bin/passwd")
	if pw.Mode != fs.ModeSetuid|0o755 {
		t.Errorf("setuid bit lost: %v", pw.Mode)
	}
	null, _ := f.Stat("/dev/null")
	if null.Mode&fs.ModeCharDevice == 0 {
		t.Errorf("/dev/null mode %v", null.Mode)
	}
}

func TestInodesStable(t *testing.T) {
	f := newTestFS(t)
	g := newTestFS(t)
	a, _ := f.Stat("/etc/passwd")
	b, _ := g.Stat("/etc/passwd")
	c, _ := f.Stat("/etc/hostname")
	if a.Ino == 0 || a.Ino != b.Ino {
		t.Errorf("image inode not stable across FSes: %d vs %d", a.Ino, b.Ino)
	}
	if a.Ino == c.Ino {
		t.Errorf("two image files share inode %d", a.Ino)
	}
	img := NewMemImage()
	img.Add("/f", Meta{Mode: 0o644, Ino: 4242}, nil)
	if m, _ := NewMemFS(img).Stat("/f"); m.Ino != 4242 {
		t.Errorf("image Ino not used: %d", m.Ino)
	}
	// Metadata changes and renames keep the inode, as they do on a real disk.
	wantErrno(t, f.Chmod("/etc/passwd", 0o600), 0)
	wantErrno(t, f.Rename("/etc/passwd", "/etc/passwd.bak"), 0)
	if m, _ := f.Stat("/etc/passwd.bak"); m.Ino != a.Ino {
		t.Errorf("rename changed inode %d -> %d", a.Ino, m.Ino)
	}
	wantErrno(t, f.WriteFile("/tmp/n1", nil, 0o644), 0)
	wantErrno(t, f.WriteFile("/tmp/n2", nil, 0o644), 0)
	n1, _ := f.Stat("/tmp/n1")
	n2, _ := f.Stat("/tmp/n2")
	if n1.Ino == n2.Ino || n1.Ino == a.Ino {
		t.Errorf("new files got inodes %d, %d (image file %d)", n1.Ino, n2.Ino, a.Ino)
	}
	wantErrno(t, f.WriteFile("/tmp/n1", []byte("x"), 0o644), 0)
	if m, _ := f.Stat("/tmp/n1"); m.Ino != n1.Ino {
		t.Errorf("rewriting a file changed its inode")
	}
}

func TestReadDir(t *testing.T) {
	f := newTestFS(t)
	ents, err := f.ReadDir("/etc")
	wantErrno(t, err, 0)
	want := []string{"hostname", "motd.link", "passwd", "shadow", "ssh"}
	if !slices.Equal(names(ents), want) {
		t.Fatalf("ReadDir(/etc) = %v, want %v", names(ents), want)
	}
	if ents[1].Mode&fs.ModeSymlink == 0 {
		t.Errorf("ReadDir follows symlinks: %v", ents[1].Mode)
	}
	// Through a symlink to a directory.
	ents, err = f.ReadDir("/bin")
	wantErrno(t, err, 0)
	if !slices.Equal(names(ents), []string{"ls", "passwd"}) {
		t.Errorf("ReadDir(/bin) = %v", names(ents))
	}
	// Merged with overlay changes and sorted.
	wantErrno(t, f.WriteFile("/etc/aaa", nil, 0o644), 0)
	wantErrno(t, f.Remove("/etc/passwd"), 0)
	wantErrno(t, f.Mkdir("/etc/zzz", 0o755), 0)
	ents, _ = f.ReadDir("/etc")
	want = []string{"aaa", "hostname", "motd.link", "shadow", "ssh", "zzz"}
	if !slices.Equal(names(ents), want) {
		t.Errorf("merged ReadDir(/etc) = %v, want %v", names(ents), want)
	}
	runOpCases(t, []opCase{
		{name: "file", op: func(f *FS) error { _, err := f.ReadDir("/etc/passwd"); return err }, want: syscall.ENOTDIR},
		{name: "missing", op: func(f *FS) error { _, err := f.ReadDir("/nope"); return err }, want: syscall.ENOENT},
		{name: "empty", op: func(f *FS) error {
			ents, err := f.ReadDir("/tmp")
			if err == nil && len(ents) != 0 {
				t.Errorf("ReadDir(/tmp) = %v", names(ents))
			}
			return err
		}},
	})
}

func TestReadFile(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "image file", op: func(f *FS) error {
			if got := mustRead(t, f, "/etc/hostname"); got != "web01\n" {
				t.Errorf("got %q", got)
			}
			return nil
		}},
		{name: "dir", op: func(f *FS) error { _, err := f.ReadFile("/etc"); return err }, want: syscall.EISDIR},
		{name: "missing", op: func(f *FS) error { _, err := f.ReadFile("/etc/nope"); return err }, want: syscall.ENOENT},
		{name: "through file", op: func(f *FS) error { _, err := f.ReadFile("/etc/passwd/x"); return err }, want: syscall.ENOTDIR},
		{name: "char device reads empty", op: func(f *FS) error {
			b, err := f.ReadFile("/dev/null")
			if len(b) != 0 {
				t.Errorf("read %q from /dev/null", b)
			}
			return err
		}},
		{name: "caller owns the slice", op: func(f *FS) error {
			b, _ := f.ReadFile("/etc/hostname")
			b[0] = 'X'
			if got := mustRead(t, f, "/etc/hostname"); got != "web01\n" {
				t.Errorf("mutating a returned slice changed the file: %q", got)
			}
			wantErrno(t, f.WriteFile("/tmp/o", []byte("abc"), 0o644), 0)
			b, _ = f.ReadFile("/tmp/o")
			b[0] = 'X'
			if got := mustRead(t, f, "/tmp/o"); got != "abc" {
				t.Errorf("mutating a returned slice changed an overlay file: %q", got)
			}
			return nil
		}},
	})
}

func TestWriteFile(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "new", op: func(f *FS) error { return f.WriteFile("/tmp/a", []byte("hello"), 0o640) },
			check: func(t *testing.T, f *FS) {
				m, _ := f.Stat("/tmp/a")
				if m.Mode != 0o640 || m.Size != 5 || m.UID != 0 || m.GID != 0 || m.Nlink != 1 {
					t.Errorf("new file %+v", m)
				}
				if m.MTime.IsZero() || !m.MTime.Equal(m.ATime) || !m.MTime.Equal(m.CTime) {
					t.Errorf("new file times %v %v %v", m.MTime, m.ATime, m.CTime)
				}
				if got := mustRead(t, f, "/tmp/a"); got != "hello" {
					t.Errorf("content %q", got)
				}
			}},
		{name: "truncates image file", op: func(f *FS) error { return f.WriteFile("/etc/hostname", []byte("x\n"), 0o600) },
			check: func(t *testing.T, f *FS) {
				m, _ := f.Stat("/etc/hostname")
				if m.Mode != 0o644 || m.Size != 2 {
					t.Errorf("overwrite must keep the mode and set the size: %+v", m)
				}
				if !m.MTime.After(DefaultImageTime()) {
					t.Errorf("mtime not updated")
				}
			}},
		{name: "perm type bits dropped", op: func(f *FS) error { return f.WriteFile("/tmp/a", nil, fs.ModeDir|0o755) },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Stat("/tmp/a"); !m.Mode.IsRegular() {
					t.Errorf("mode %v", m.Mode)
				}
			}},
		{name: "dir", op: func(f *FS) error { return f.WriteFile("/etc", nil, 0o644) }, want: syscall.EISDIR},
		{name: "missing parent", op: func(f *FS) error { return f.WriteFile("/nope/a", nil, 0o644) }, want: syscall.ENOENT},
		{name: "parent is file", op: func(f *FS) error { return f.WriteFile("/etc/passwd/a", nil, 0o644) }, want: syscall.ENOTDIR},
		{name: "trailing slash new", op: func(f *FS) error { return f.WriteFile("/tmp/new/", nil, 0o644) }, want: syscall.EISDIR},
		{name: "root", op: func(f *FS) error { return f.WriteFile("/", nil, 0o644) }, want: syscall.EISDIR},
		{name: "dev null swallows", op: func(f *FS) error { return f.WriteFile("/dev/null", []byte("x"), 0o644) },
			check: func(t *testing.T, f *FS) {
				if f.Usage() != 0 {
					t.Errorf("usage %d", f.Usage())
				}
			}},
		{name: "through symlink", op: func(f *FS) error { return f.WriteFile("/etc/motd.link", []byte("new\n"), 0o644) },
			check: func(t *testing.T, f *FS) {
				if got := mustRead(t, f, "/etc/hostname"); got != "new\n" {
					t.Errorf("target content %q", got)
				}
				if m, _ := f.Lstat("/etc/motd.link"); m.Mode&fs.ModeSymlink == 0 {
					t.Errorf("link replaced")
				}
			}},
		{name: "dangling symlink creates target", setup: func(f *FS) error { return f.Symlink("made", "/tmp/l") },
			op: func(f *FS) error { return f.WriteFile("/tmp/l", []byte("x"), 0o644) },
			check: func(t *testing.T, f *FS) {
				if got := mustRead(t, f, "/tmp/made"); got != "x" {
					t.Errorf("target content %q", got)
				}
			}},
		{name: "updates parent mtime", op: func(f *FS) error { return f.WriteFile("/tmp/a", nil, 0o644) },
			check: func(t *testing.T, f *FS) {
				d, _ := f.Stat("/tmp")
				a, _ := f.Stat("/tmp/a")
				if !d.MTime.Equal(a.MTime) || !d.CTime.Equal(a.MTime) {
					t.Errorf("/tmp mtime %v ctime %v, file made at %v", d.MTime, d.CTime, a.MTime)
				}
			}},
	})
}

func TestAppendFile(t *testing.T) {
	f := newTestFS(t)
	wantErrno(t, f.AppendFile("/tmp/log", []byte("a"), 0o600), 0)
	wantErrno(t, f.AppendFile("/tmp/log", []byte("b"), 0o644), 0)
	if got := mustRead(t, f, "/tmp/log"); got != "ab" {
		t.Errorf("append = %q", got)
	}
	if m, _ := f.Stat("/tmp/log"); m.Mode != 0o600 || m.Size != 2 {
		t.Errorf("append meta %+v", m)
	}
	wantErrno(t, f.AppendFile("/etc/passwd", []byte("evil:x:0:0::/:/bin/sh\n"), 0o644), 0)
	if got := mustRead(t, f, "/etc/passwd"); got != "root:x:0:0:root:/root:/bin/bash\nevil:x:0:0::/:/bin/sh\n" {
		t.Errorf("append to image file = %q", got)
	}
	wantErrno(t, f.AppendFile("/etc", nil, 0o644), syscall.EISDIR)
	if f.Usage() != 2+32+22 {
		t.Errorf("usage %d", f.Usage())
	}
}

func TestMkdir(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "new", op: func(f *FS) error { return f.Mkdir("/tmp/d", 0o750) },
			check: func(t *testing.T, f *FS) {
				m, err := f.Stat("/tmp/d")
				wantErrno(t, err, 0)
				if m.Mode != fs.ModeDir|0o750 || m.Nlink != 2 || m.Size != 4096 {
					t.Errorf("new dir %+v", m)
				}
				p, _ := f.Stat("/tmp")
				if p.Nlink != 3 {
					t.Errorf("parent nlink %d, want 3", p.Nlink)
				}
			}},
		{name: "trailing slash", op: func(f *FS) error { return f.Mkdir("/tmp/d/", 0o755) }},
		{name: "existing dir", op: func(f *FS) error { return f.Mkdir("/etc", 0o755) }, want: syscall.EEXIST},
		{name: "existing file", op: func(f *FS) error { return f.Mkdir("/etc/passwd", 0o755) }, want: syscall.EEXIST},
		{name: "existing file slash", op: func(f *FS) error { return f.Mkdir("/etc/passwd/", 0o755) }, want: syscall.EEXIST},
		{name: "root", op: func(f *FS) error { return f.Mkdir("/", 0o755) }, want: syscall.EEXIST},
		{name: "dot", op: func(f *FS) error { return f.Mkdir("/tmp/.", 0o755) }, want: syscall.EEXIST},
		{name: "dot dot", op: func(f *FS) error { return f.Mkdir("/tmp/..", 0o755) }, want: syscall.EEXIST},
		{name: "dangling symlink", setup: func(f *FS) error { return f.Symlink("/tmp/x", "/tmp/l") },
			op: func(f *FS) error { return f.Mkdir("/tmp/l/", 0o755) }, want: syscall.EEXIST,
			check: func(t *testing.T, f *FS) {
				if _, err := f.Lstat("/tmp/x"); err == nil {
					t.Errorf("mkdir followed the dangling link")
				}
			}},
		{name: "missing parent", op: func(f *FS) error { return f.Mkdir("/nope/d", 0o755) }, want: syscall.ENOENT},
		{name: "parent file", op: func(f *FS) error { return f.Mkdir("/etc/passwd/d", 0o755) }, want: syscall.ENOTDIR},
		{name: "mkdirall", op: func(f *FS) error { return f.MkdirAll("/tmp/a/b/c", 0o755) },
			check: func(t *testing.T, f *FS) {
				if m, err := f.Stat("/tmp/a/b/c"); err != nil || !m.Mode.IsDir() {
					t.Errorf("MkdirAll result %+v %v", m, err)
				}
			}},
		{name: "mkdirall existing", op: func(f *FS) error { return f.MkdirAll("/usr/bin", 0o755) }},
		{name: "mkdirall through symlink", op: func(f *FS) error { return f.MkdirAll("/bin/sub/x", 0o755) },
			check: func(t *testing.T, f *FS) {
				if _, err := f.Stat("/usr/bin/sub/x"); err != nil {
					t.Errorf("not created under the link target: %v", err)
				}
			}},
		{name: "mkdirall over file", op: func(f *FS) error { return f.MkdirAll("/etc/passwd", 0o755) }, want: syscall.ENOTDIR},
		{name: "mkdirall under file", op: func(f *FS) error { return f.MkdirAll("/etc/passwd/x/y", 0o755) }, want: syscall.ENOTDIR},
		{name: "mkdirall relative", op: func(f *FS) error { return f.MkdirAll("tmp/r/s", 0o755) },
			check: func(t *testing.T, f *FS) {
				if _, err := f.Stat("/tmp/r/s"); err != nil {
					t.Errorf("%v", err)
				}
			}},
	})
}

func TestRemove(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "image file", op: func(f *FS) error { return f.Remove("/etc/passwd") },
			check: func(t *testing.T, f *FS) {
				_, err := f.Stat("/etc/passwd")
				wantErrno(t, err, syscall.ENOENT)
			}},
		{name: "overlay file", setup: func(f *FS) error { return f.WriteFile("/tmp/a", []byte("12345"), 0o644) },
			op: func(f *FS) error { return f.Remove("/tmp/a") },
			check: func(t *testing.T, f *FS) {
				if f.Usage() != 0 {
					t.Errorf("usage after remove %d", f.Usage())
				}
			}},
		{name: "empty image dir", op: func(f *FS) error { return f.Remove("/tmp") }},
		{name: "non-empty dir", op: func(f *FS) error { return f.Remove("/etc") }, want: syscall.ENOTEMPTY},
		{name: "dir emptied in overlay", setup: func(f *FS) error { return f.Remove("/etc/ssh/sshd_config") },
			op: func(f *FS) error { return f.Remove("/etc/ssh") }},
		{name: "missing", op: func(f *FS) error { return f.Remove("/etc/nope") }, want: syscall.ENOENT},
		{name: "root", op: func(f *FS) error { return f.Remove("/") }, want: syscall.EBUSY},
		{name: "dot", op: func(f *FS) error { return f.Remove("/tmp/.") }, want: syscall.EINVAL},
		{name: "dot dot", op: func(f *FS) error { return f.Remove("/tmp/..") }, want: syscall.ENOTEMPTY},
		{name: "file with slash", op: func(f *FS) error { return f.Remove("/etc/passwd/") }, want: syscall.ENOTDIR},
		{name: "symlink not followed", op: func(f *FS) error { return f.Remove("/bin") },
			check: func(t *testing.T, f *FS) {
				if _, err := f.Stat("/usr/bin/ls"); err != nil {
					t.Errorf("removing a link removed its target: %v", err)
				}
			}},
		{name: "symlink to dir with slash", op: func(f *FS) error { return f.Remove("/bin/") }, want: syscall.ENOTDIR},
		{name: "removeall image tree", op: func(f *FS) error { return f.RemoveAll("/etc") },
			check: func(t *testing.T, f *FS) {
				_, err := f.Stat("/etc/ssh/sshd_config")
				wantErrno(t, err, syscall.ENOENT)
			}},
		{name: "removeall missing", op: func(f *FS) error { return f.RemoveAll("/nope/x") }},
		{name: "removeall through file", op: func(f *FS) error { return f.RemoveAll("/etc/passwd/x") }, want: syscall.ENOTDIR},
		{name: "removeall symlink keeps target", op: func(f *FS) error { return f.RemoveAll("/bin") },
			check: func(t *testing.T, f *FS) {
				if _, err := f.Stat("/usr/bin/ls"); err != nil {
					t.Errorf("%v", err)
				}
			}},
		{name: "removeall root", op: func(f *FS) error { return f.RemoveAll("/") },
			check: func(t *testing.T, f *FS) {
				ents, err := f.ReadDir("/")
				if err != nil || len(ents) != 0 {
					t.Errorf("root after RemoveAll: %v %v", names(ents), err)
				}
			}},
		{name: "removeall frees usage", setup: func(f *FS) error {
			if err := f.MkdirAll("/tmp/a/b", 0o755); err != nil {
				return err
			}
			return f.WriteFile("/tmp/a/b/c", []byte("1234"), 0o644)
		}, op: func(f *FS) error { return f.RemoveAll("/tmp/a") },
			check: func(t *testing.T, f *FS) {
				if f.Usage() != 0 || f.ov.entries > 2 {
					t.Errorf("usage %d entries %d after RemoveAll", f.Usage(), f.ov.entries)
				}
			}},
	})
}

func TestRename(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "image file", op: func(f *FS) error { return f.Rename("/etc/passwd", "/tmp/pw") },
			check: func(t *testing.T, f *FS) {
				if got := mustRead(t, f, "/tmp/pw"); !strings.HasPrefix(got, "root:x") {
					t.Errorf("moved content %q", got)
				}
				_, err := f.Stat("/etc/passwd")
				wantErrno(t, err, syscall.ENOENT)
				if f.Usage() != 0 {
					t.Errorf("renaming an image file copied its content: usage %d", f.Usage())
				}
			}},
		{name: "image dir with children", op: func(f *FS) error { return f.Rename("/etc", "/etc2") },
			check: func(t *testing.T, f *FS) {
				if got := mustRead(t, f, "/etc2/ssh/sshd_config"); got != "Port 22\n" {
					t.Errorf("content under moved dir %q", got)
				}
				_, err := f.Stat("/etc/ssh")
				wantErrno(t, err, syscall.ENOENT)
				// The moved directory keeps working: write, remove, and move within it.
				wantErrno(t, f.WriteFile("/etc2/new", []byte("n"), 0o644), 0)
				wantErrno(t, f.Remove("/etc2/passwd"), 0)
				wantErrno(t, f.Rename("/etc2/ssh", "/ssh"), 0)
				ents, _ := f.ReadDir("/etc2")
				if !slices.Equal(names(ents), []string{"hostname", "motd.link", "new", "shadow"}) {
					t.Errorf("moved dir lists %v", names(ents))
				}
				if _, err := f.Stat("/ssh/sshd_config"); err != nil {
					t.Errorf("%v", err)
				}
			}},
		{name: "overlay dir with children", setup: func(f *FS) error {
			if err := f.MkdirAll("/tmp/a/b", 0o755); err != nil {
				return err
			}
			return f.WriteFile("/tmp/a/b/c", []byte("abc"), 0o644)
		}, op: func(f *FS) error { return f.Rename("/tmp/a", "/root/a") },
			check: func(t *testing.T, f *FS) {
				if got := mustRead(t, f, "/root/a/b/c"); got != "abc" {
					t.Errorf("content %q", got)
				}
				if f.Usage() != 3 {
					t.Errorf("usage %d", f.Usage())
				}
			}},
		{name: "replace file", op: func(f *FS) error { return f.Rename("/etc/hostname", "/etc/passwd") },
			check: func(t *testing.T, f *FS) {
				if got := mustRead(t, f, "/etc/passwd"); got != "web01\n" {
					t.Errorf("content %q", got)
				}
			}},
		{name: "replace overlay file frees", setup: func(f *FS) error { return f.WriteFile("/tmp/big", []byte("0123456789"), 0o644) },
			op: func(f *FS) error { return f.Rename("/etc/hostname", "/tmp/big") },
			check: func(t *testing.T, f *FS) {
				if f.Usage() != 0 {
					t.Errorf("usage %d", f.Usage())
				}
			}},
		{name: "dir over empty dir", setup: func(f *FS) error { return f.Mkdir("/tmp/e", 0o755) },
			op: func(f *FS) error { return f.Rename("/etc/ssh", "/tmp/e") },
			check: func(t *testing.T, f *FS) {
				if _, err := f.Stat("/tmp/e/sshd_config"); err != nil {
					t.Errorf("%v", err)
				}
			}},
		{name: "dir over non-empty dir", op: func(f *FS) error { return f.Rename("/etc/ssh", "/var/log") }, want: syscall.ENOTEMPTY},
		{name: "dir over file", op: func(f *FS) error { return f.Rename("/etc/ssh", "/etc/passwd") }, want: syscall.ENOTDIR},
		{name: "file over dir", op: func(f *FS) error { return f.Rename("/etc/passwd", "/tmp") }, want: syscall.EISDIR},
		{name: "dir into itself", op: func(f *FS) error { return f.Rename("/etc", "/etc/ssh/etc") }, want: syscall.EINVAL},
		{name: "dir onto its child", op: func(f *FS) error { return f.Rename("/etc", "/etc/ssh") }, want: syscall.EINVAL},
		{name: "dir onto its parent", op: func(f *FS) error { return f.Rename("/etc/ssh", "/etc") }, want: syscall.ENOTEMPTY},
		{name: "dir into itself via symlink", setup: func(f *FS) error { return f.Symlink("/etc/ssh", "/tmp/s") },
			op: func(f *FS) error { return f.Rename("/etc", "/tmp/s/x") }, want: syscall.EINVAL},
		{name: "same file", op: func(f *FS) error { return f.Rename("/etc/passwd", "/etc/../etc/passwd") },
			check: func(t *testing.T, f *FS) {
				if _, err := f.Stat("/etc/passwd"); err != nil {
					t.Errorf("%v", err)
				}
			}},
		{name: "missing", op: func(f *FS) error { return f.Rename("/nope", "/tmp/x") }, want: syscall.ENOENT},
		{name: "missing target dir", op: func(f *FS) error { return f.Rename("/etc/passwd", "/nope/x") }, want: syscall.ENOENT},
		{name: "root", op: func(f *FS) error { return f.Rename("/", "/tmp/x") }, want: syscall.EBUSY},
		{name: "dot", op: func(f *FS) error { return f.Rename("/etc/.", "/tmp/x") }, want: syscall.EBUSY},
		{name: "onto dot dot", op: func(f *FS) error { return f.Rename("/etc/passwd", "/tmp/..") }, want: syscall.EBUSY},
		{name: "file to slash name", op: func(f *FS) error { return f.Rename("/etc/passwd", "/tmp/x/") }, want: syscall.ENOTDIR},
		{name: "symlink moved not target", op: func(f *FS) error { return f.Rename("/bin", "/tmp/bin") },
			check: func(t *testing.T, f *FS) {
				m, _ := f.Lstat("/tmp/bin")
				if m.Mode&fs.ModeSymlink == 0 || m.Target != "usr/bin" {
					t.Errorf("moved link %+v", m)
				}
				// Its relative target now resolves from /tmp.
				_, err := f.Stat("/tmp/bin")
				wantErrno(t, err, syscall.ENOENT)
			}},
		{name: "file over symlink to dir", op: func(f *FS) error { return f.Rename("/etc/passwd", "/bin") },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Lstat("/bin"); !m.Mode.IsRegular() {
					t.Errorf("/bin is %v", m.Mode)
				}
			}},
		{name: "rename back restores", op: func(f *FS) error {
			if err := f.Rename("/etc/passwd", "/tmp/pw"); err != nil {
				return err
			}
			return f.Rename("/tmp/pw", "/etc/passwd")
		}, check: func(t *testing.T, f *FS) {
			if got := mustRead(t, f, "/etc/passwd"); !strings.HasPrefix(got, "root:x") {
				t.Errorf("content %q", got)
			}
			ents, _ := f.ReadDir("/tmp")
			if len(ents) != 0 {
				t.Errorf("/tmp lists %v", names(ents))
			}
		}},
	})
}

func TestSymlinkAndReadlink(t *testing.T) {
	runOpCases(t, []opCase{
		{name: "new", op: func(f *FS) error { return f.Symlink("../etc/passwd", "/tmp/pw") },
			check: func(t *testing.T, f *FS) {
				got, err := f.Readlink("/tmp/pw")
				wantErrno(t, err, 0)
				if got != "../etc/passwd" {
					t.Errorf("Readlink = %q", got)
				}
				if c := mustRead(t, f, "/tmp/pw"); !strings.HasPrefix(c, "root:x") {
					t.Errorf("read through link %q", c)
				}
				if f.Usage() != int64(len("../etc/passwd")) {
					t.Errorf("usage %d", f.Usage())
				}
			}},
		{name: "exists", op: func(f *FS) error { return f.Symlink("x", "/etc/passwd") }, want: syscall.EEXIST},
		{name: "exists as dangling link", setup: func(f *FS) error { return f.Symlink("x", "/tmp/l") },
			op: func(f *FS) error { return f.Symlink("y", "/tmp/l") }, want: syscall.EEXIST},
		{name: "empty target", op: func(f *FS) error { return f.Symlink("", "/tmp/l") }, want: syscall.ENOENT},
		{name: "slash name", op: func(f *FS) error { return f.Symlink("x", "/tmp/l/") }, want: syscall.ENOENT},
		{name: "missing parent", op: func(f *FS) error { return f.Symlink("x", "/nope/l") }, want: syscall.ENOENT},
		{name: "readlink file", op: func(f *FS) error { _, err := f.Readlink("/etc/passwd"); return err }, want: syscall.EINVAL},
		{name: "readlink missing", op: func(f *FS) error { _, err := f.Readlink("/nope"); return err }, want: syscall.ENOENT},
		{name: "readlink image", op: func(f *FS) error {
			got, err := f.Readlink("/bin")
			if got != "usr/bin" {
				t.Errorf("Readlink(/bin) = %q", got)
			}
			return err
		}},
	})
}

func TestChmodChownChtimes(t *testing.T) {
	mt := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	at := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	runOpCases(t, []opCase{
		{name: "chmod keeps type", op: func(f *FS) error { return f.Chmod("/etc", 0o700) },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Stat("/etc"); m.Mode != fs.ModeDir|0o700 {
					t.Errorf("mode %v", m.Mode)
				}
				if m, _ := f.Stat("/etc/passwd"); m.Mode != 0o644 {
					t.Errorf("children changed: %v", m.Mode)
				}
			}},
		{name: "chmod ignores type bits", op: func(f *FS) error { return f.Chmod("/etc/passwd", fs.ModeDir|fs.ModeSetuid|0o755) },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Stat("/etc/passwd"); m.Mode != fs.ModeSetuid|0o755 {
					t.Errorf("mode %v", m.Mode)
				}
			}},
		{name: "chmod follows symlink", op: func(f *FS) error { return f.Chmod("/etc/motd.link", 0o600) },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Stat("/etc/hostname"); m.Mode != 0o600 {
					t.Errorf("target mode %v", m.Mode)
				}
				if m, _ := f.Lstat("/etc/motd.link"); m.Mode != fs.ModeSymlink|0o777 {
					t.Errorf("link mode %v", m.Mode)
				}
			}},
		{name: "chmod sets ctime not mtime", op: func(f *FS) error { return f.Chmod("/etc/passwd", 0o600) },
			check: func(t *testing.T, f *FS) {
				m, _ := f.Stat("/etc/passwd")
				if !m.MTime.Equal(DefaultImageTime()) || !m.CTime.After(DefaultImageTime()) {
					t.Errorf("mtime %v ctime %v", m.MTime, m.CTime)
				}
				if mustRead(t, f, "/etc/passwd") == "" || f.Usage() != 0 {
					t.Errorf("chmod copied content up: usage %d", f.Usage())
				}
			}},
		{name: "chmod missing", op: func(f *FS) error { return f.Chmod("/nope", 0o600) }, want: syscall.ENOENT},
		{name: "chmod dangling", setup: func(f *FS) error { return f.Symlink("/nowhere", "/tmp/l") },
			op: func(f *FS) error { return f.Chmod("/tmp/l", 0o600) }, want: syscall.ENOENT},
		{name: "chown", op: func(f *FS) error { return f.Chown("/etc/passwd", 1000, 1001) },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Stat("/etc/passwd"); m.UID != 1000 || m.GID != 1001 {
					t.Errorf("owner %d:%d", m.UID, m.GID)
				}
			}},
		{name: "chown keeps -1", op: func(f *FS) error { return f.Chown("/etc/shadow", 7, ^uint32(0)) },
			check: func(t *testing.T, f *FS) {
				if m, _ := f.Stat("/etc/shadow"); m.UID != 7 || m.GID != 42 {
					t.Errorf("owner %d:%d", m.UID, m.GID)
				}
			}},
		{name: "chown missing", op: func(f *FS) error { return f.Chown("/nope", 1, 1) }, want: syscall.ENOENT},
		{name: "chtimes", op: func(f *FS) error { return f.Chtimes("/etc/passwd", at, mt) },
			check: func(t *testing.T, f *FS) {
				m, _ := f.Stat("/etc/passwd")
				if !m.MTime.Equal(mt) || !m.ATime.Equal(at) {
					t.Errorf("times %v %v", m.ATime, m.MTime)
				}
			}},
		{name: "chtimes zero keeps", op: func(f *FS) error { return f.Chtimes("/etc/passwd", time.Time{}, mt) },
			check: func(t *testing.T, f *FS) {
				m, _ := f.Stat("/etc/passwd")
				if !m.MTime.Equal(mt) || !m.ATime.Equal(DefaultImageTime()) {
					t.Errorf("times %v %v", m.ATime, m.MTime)
				}
			}},
		{name: "chtimes missing", op: func(f *FS) error { return f.Chtimes("/nope", at, mt) }, want: syscall.ENOENT},
	})
}

func TestRealpath(t *testing.T) {
	f := newTestFS(t)
	wantErrno(t, f.Symlink("../usr/bin/ls", "/tmp/rel"), 0)
	wantErrno(t, f.Symlink("/bin/", "/tmp/abs"), 0)
	cases := []struct {
		in, want string
		err      syscall.Errno
	}{
		{"/", "/", 0},
		{"/bin", "/usr/bin", 0},
		{"/bin/ls", "/usr/bin/ls", 0},
		{"/bin/../etc", "/usr/etc", syscall.ENOENT}, // ".." is physical: /usr/bin/.. is /usr
		{"/bin/..", "/usr", 0},
		{"/tmp/rel", "/usr/bin/ls", 0},
		{"/tmp/abs/passwd", "/usr/bin/passwd", 0},
		{"/etc/./ssh/../passwd", "/etc/passwd", 0},
		{"/../../..", "/", 0},
		{"/etc/motd.link", "/etc/hostname", 0},
		{"/nope", "", syscall.ENOENT},
	}
	for _, c := range cases {
		got, err := f.Realpath(c.in)
		if c.err != 0 {
			wantErrno(t, err, c.err)
			continue
		}
		wantErrno(t, err, 0)
		if got != c.want {
			t.Errorf("Realpath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReleasedFSRefuses(t *testing.T) {
	f := newTestFS(t)
	wantErrno(t, f.Release(), 0)
	wantErrno(t, f.Release(), 0)
	_, err := f.Stat("/etc")
	wantErrno(t, err, syscall.EBADF)
	wantErrno(t, f.WriteFile("/tmp/x", nil, 0o644), syscall.EBADF)
}
