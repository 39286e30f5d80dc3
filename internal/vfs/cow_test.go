package vfs

import (
	"slices"
	"syscall"
	"testing"
)

// imageState lists every path of an image with its metadata and content, to prove that
// overlays never change it.
func imageState(t *testing.T, img Image) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(p string)
	walk = func(p string) {
		m, ok := img.Lstat(p)
		if !ok {
			t.Fatalf("image lost %s", p)
		}
		s := m.Mode.String() + " " + m.MTime.String() + " " + m.Target
		if m.Mode.IsRegular() {
			b, _ := img.ReadFile(p)
			s += " " + string(b)
		}
		out[p] = s
		if m.Mode.IsDir() {
			ents, _ := img.ReadDir(p)
			for _, e := range ents {
				walk(joinPath(p, e.Name))
			}
		}
	}
	walk("/")
	return out
}

func TestCopyOnWriteLeavesImageAlone(t *testing.T) {
	img := testImage()
	before := imageState(t, img)
	f := NewMemFS(img)
	g := NewMemFS(img)
	wantErrno(t, f.WriteFile("/etc/passwd", []byte("changed"), 0o644), 0)
	wantErrno(t, f.AppendFile("/etc/hostname", []byte("more"), 0o644), 0)
	wantErrno(t, f.Chmod("/etc/shadow", 0o777), 0)
	wantErrno(t, f.Chown("/root", 5, 5), 0)
	wantErrno(t, f.Remove("/root/.bashrc"), 0)
	wantErrno(t, f.RemoveAll("/var"), 0)
	wantErrno(t, f.Rename("/usr/bin", "/usr/sbin"), 0)
	wantErrno(t, f.Mkdir("/etc/new", 0o755), 0)
	wantErrno(t, f.Symlink("/x", "/etc/ssh/l"), 0)
	if got := imageState(t, img); !mapsEqual(got, before) {
		t.Fatalf("image changed by overlay writes")
	}
	// Another overlay on the same image sees none of it.
	if got := mustRead(t, g, "/etc/passwd"); got != "root:x:0:0:root:/root:/bin/bash\n" {
		t.Errorf("second FS sees %q", got)
	}
	if _, err := g.Stat("/var/log/syslog"); err != nil {
		t.Errorf("second FS: %v", err)
	}
	if _, err := g.Stat("/etc/new"); err == nil {
		t.Errorf("second FS sees the first one's directory")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestWhiteoutsAndRecreate(t *testing.T) {
	f := newTestFS(t)
	// Delete an image file, then make a new one of the same name: fresh metadata.
	old, _ := f.Stat("/etc/passwd")
	wantErrno(t, f.Remove("/etc/passwd"), 0)
	_, err := f.Stat("/etc/passwd")
	wantErrno(t, err, syscall.ENOENT)
	wantErrno(t, f.WriteFile("/etc/passwd", []byte("new\n"), 0o600), 0)
	m, _ := f.Stat("/etc/passwd")
	if m.Mode != 0o600 || m.Ino == old.Ino || m.Size != 4 {
		t.Errorf("re-created file %+v (old ino %d)", m, old.Ino)
	}
	// Delete an image directory tree, re-create the directory: the old children stay gone.
	wantErrno(t, f.RemoveAll("/etc/ssh"), 0)
	wantErrno(t, f.Mkdir("/etc/ssh", 0o700), 0)
	ents, err := f.ReadDir("/etc/ssh")
	wantErrno(t, err, 0)
	if len(ents) != 0 {
		t.Errorf("re-created dir shows image children %v", names(ents))
	}
	_, err = f.Stat("/etc/ssh/sshd_config")
	wantErrno(t, err, syscall.ENOENT)
	// Replace a directory by a file and back.
	wantErrno(t, f.RemoveAll("/home"), 0)
	wantErrno(t, f.WriteFile("/home", []byte("f"), 0o644), 0)
	_, err = f.Stat("/home/admin")
	wantErrno(t, err, syscall.ENOTDIR)
	wantErrno(t, f.Remove("/home"), 0)
	wantErrno(t, f.Mkdir("/home", 0o755), 0)
	_, err = f.Stat("/home/admin")
	wantErrno(t, err, syscall.ENOENT)
	// Listing of / is consistent with all that.
	ents, _ = f.ReadDir("/")
	want := []string{"bin", "dev", "etc", "home", "root", "tmp", "usr", "var"}
	if !slices.Equal(names(ents), want) {
		t.Errorf("ReadDir(/) = %v", names(ents))
	}
	// A file made and removed in the overlay leaves nothing behind.
	wantErrno(t, f.WriteFile("/tmp/t", []byte("x"), 0o644), 0)
	wantErrno(t, f.Remove("/tmp/t"), 0)
	if k := f.ov.root.kids["tmp"]; k != nil {
		if _, ok := k.kids["t"]; ok {
			t.Errorf("removed overlay-only file left a node (whiteout where none is needed)")
		}
	}
}

func TestRenameThenRecreateOriginal(t *testing.T) {
	f := newTestFS(t)
	wantErrno(t, f.Rename("/etc", "/etc.old"), 0)
	wantErrno(t, f.Mkdir("/etc", 0o755), 0)
	wantErrno(t, f.WriteFile("/etc/passwd", []byte("mine"), 0o644), 0)
	if got := mustRead(t, f, "/etc.old/passwd"); got != "root:x:0:0:root:/root:/bin/bash\n" {
		t.Errorf("moved tree %q", got)
	}
	if got := mustRead(t, f, "/etc/passwd"); got != "mine" {
		t.Errorf("new tree %q", got)
	}
	ents, _ := f.ReadDir("/etc")
	if !slices.Equal(names(ents), []string{"passwd"}) {
		t.Errorf("new /etc lists %v", names(ents))
	}
	// Move the old tree back over the (non-empty) new one: refused.
	wantErrno(t, f.Rename("/etc.old", "/etc"), syscall.ENOTEMPTY)
}
