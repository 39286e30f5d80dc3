package vfs

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"testing"
	"time"
)

// FuzzPath runs scripts of operations with arbitrary paths. One line per operation:
// an op letter, then fields separated by "|". Whatever the paths, the FS must not panic,
// must return *fs.PathError with an errno, must resolve only inside the virtual tree, must
// keep its bookkeeping exact and must leave the image untouched.
func FuzzPath(f *testing.F) {
	seeds := []string{
		"w|/tmp/a|hello\nr|/tmp/a",
		"s|/etc/shadow|/tmp/l\nw|/tmp/l|x\nn|/tmp/l|/root/l",
		"s|../../../../etc/passwd|/tmp/up\nS|/tmp/up\nR|/tmp/up/",
		"s|b|/tmp/a\ns|a|/tmp/b\nS|/tmp/a\nw|/tmp/a|x",
		"M|/tmp/x/y/z\nn|/tmp/x|/tmp/x/y/z/w\nn|/tmp/x/y|/tmp/q\nR|/tmp",
		"n|/etc|/etc2\nm|/etc\nw|/etc/passwd|me\nn|/etc2/ssh|/etc/ssh\nR|/etc2",
		"R|/\nm|/etc\nS|/etc/passwd",
		"c|/etc/passwd|4755\no|/etc|5\nt|/tmp\nS|/etc/passwd/..",
		"s|/|/tmp/root\nS|/tmp/root/tmp/root/tmp/root/etc/passwd\nn|/tmp/root|/tmp/r2",
		"s|.|/tmp/dot\nS|/tmp/dot/dot/dot/./..\nr|/tmp/dot/",
		"a|/etc/passwd|more\na|/etc/passwd|more\nn|/etc/passwd|/bin\nS|/bin",
		"m|/tmp/" + strings.Repeat("n", 300) + "\nS|" + strings.Repeat("/..", 100),
		"w|\x00|x\nS|/\x00\nm|//tmp//a//\nr|/tmp/a/.\nr|/tmp/a/..",
		"s|/tmp/d/|/tmp/l\nm|/tmp/l/\nw|/tmp/l|x\nM|/tmp/l/x",
		"n|/bin|/usr/bin/x\nn|/usr|/bin\nS|/bin/bin/ls",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		img := testImage()
		before := imageState(t, img)
		fsys := NewMemFSQuotas(img, Quotas{PerIP: 1 << 16, PerFile: 1 << 12, Entries: 512})
		fsys.ov.now = fixedClock()
		lines := strings.Split(script, "\n")
		if len(lines) > 64 {
			lines = lines[:64]
		}
		for _, line := range lines {
			if line == "" {
				continue
			}
			fields := strings.Split(line[1:], "|")
			arg := func(i int) string {
				if i+1 < len(fields) {
					return fields[i+1]
				}
				return ""
			}
			p, q := arg(0), arg(1)
			var err error
			switch line[0] {
			case 'w':
				err = fsys.WriteFile(p, []byte(q), 0o644)
			case 'a':
				err = fsys.AppendFile(p, []byte(q), 0o600)
			case 'm':
				err = fsys.Mkdir(p, 0o755)
			case 'M':
				err = fsys.MkdirAll(p, 0o700)
			case 'r':
				err = fsys.Remove(p)
			case 'R':
				err = fsys.RemoveAll(p)
			case 'n':
				err = fsys.Rename(p, q)
			case 's':
				err = fsys.Symlink(p, q)
			case 'c':
				err = fsys.Chmod(p, fs.FileMode(len(q)*0o111)&0o7777)
			case 'o':
				err = fsys.Chown(p, uint32(len(q)), uint32(len(q)))
			case 't':
				err = fsys.Chtimes(p, time.Unix(int64(len(q)), 0), time.Unix(int64(len(q)), 0))
			case 'S':
				_, err = fsys.Stat(p)
			default:
				_, err = fsys.ReadFile(p)
			}
			checkErr(t, err)
			for _, x := range []string{p, q} {
				checkPath(t, fsys, x)
			}
			checkBookkeeping(t, fsys)
		}
		checkTree(t, fsys, "/", 0)
		if got := imageState(t, img); !mapsEqual(got, before) {
			t.Fatalf("image changed")
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *fs.PathError
	var errno syscall.Errno
	if !errors.As(err, &pe) || !errors.As(err, &errno) {
		t.Fatalf("error %v (%T) is not a PathError with an errno", err, err)
	}
}

// checkPath checks that what p resolves to is a clean virtual path that resolves to the
// same entry again and is listed by its parent.
func checkPath(t *testing.T, f *FS, p string) {
	t.Helper()
	st, err := f.Stat(p)
	checkErr(t, err)
	rp, rerr := f.Realpath(p)
	checkErr(t, rerr)
	if (err == nil) != (rerr == nil) {
		t.Fatalf("Stat(%q) err %v but Realpath err %v", p, err, rerr)
	}
	if err != nil {
		return
	}
	if !strings.HasPrefix(rp, "/") || path.Clean(rp) != rp {
		t.Fatalf("Realpath(%q) = %q escapes or is not clean", p, rp)
	}
	lst, err := f.Lstat(rp)
	if err != nil || lst.Mode&fs.ModeSymlink != 0 || lst.Ino != st.Ino || lst.Mode != st.Mode {
		t.Fatalf("Realpath(%q) = %q: Lstat %+v %v; Stat %+v", p, rp, lst, err, st)
	}
	if rp2, _ := f.Realpath(rp); rp2 != rp {
		t.Fatalf("Realpath not idempotent: %q -> %q", rp, rp2)
	}
	if rp != "/" {
		ents, err := f.ReadDir(path.Dir(rp))
		if err != nil {
			t.Fatalf("parent of %q: %v", rp, err)
		}
		found := false
		for _, e := range ents {
			if e.Name == path.Base(rp) {
				found = e.Ino == st.Ino
			}
		}
		if !found {
			t.Fatalf("%q not listed by its parent", rp)
		}
	}
}

// checkBookkeeping recomputes usage and entry count from the overlay tree.
func checkBookkeeping(t *testing.T, f *FS) {
	t.Helper()
	f.ov.mu.RLock()
	defer f.ov.mu.RUnlock()
	e, b := subtree(f.ov.root)
	e-- // the root is not counted
	if e != f.ov.entries || b != f.ov.usage {
		t.Fatalf("bookkeeping: entries %d (tree %d), usage %d (tree %d)", f.ov.entries, e, f.ov.usage, b)
	}
	if f.ov.usage > f.ov.q.PerIP || f.ov.usage < 0 {
		t.Fatalf("usage %d outside [0, %d]", f.ov.usage, f.ov.q.PerIP)
	}
}

// checkTree walks the whole visible tree: every listed entry can be looked up, and
// directories cannot contain themselves.
func checkTree(t *testing.T, f *FS, dir string, depth int) {
	t.Helper()
	if depth > 64 {
		t.Fatalf("tree deeper than 64 at %s: a directory cycle?", dir)
	}
	ents, err := f.ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir(%q): %v", dir, err)
	}
	for _, e := range ents {
		p := joinPath(dir, e.Name)
		m, err := f.Lstat(p)
		if err != nil || m.Ino != e.Ino || m.Mode != e.Mode {
			t.Fatalf("listed %q: Lstat %+v %v, listing %+v", p, m, err, e)
		}
		if m.Mode.IsDir() {
			checkTree(t, f, p, depth+1)
		}
	}
}
