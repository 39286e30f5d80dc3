package commands

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// testZip builds an archive the way zip(1) on Linux does: unix modes, a deflated text
// file, a stored script, a directory.
func testZip(t *testing.T) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	when := time.Date(2024, 5, 6, 7, 8, 10, 0, time.UTC)
	add := func(name string, mode fs.FileMode, method uint16, body string) {
		h := &zip.FileHeader{Name: name, Method: method, Modified: when}
		h.SetMode(mode)
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	add("a.txt", 0o644, zip.Deflate, strings.Repeat("hello\n", 10))
	add("dir/", fs.ModeDir|0o755, zip.Store, "")
	add("dir/b.sh", 0o755, zip.Store, "#!/bin/sh\necho hi\n")
	add("dir/long-file-name-beyond-22.txt", 0o600, zip.Deflate, "x")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tree lists name, mode, size and mtime of everything under dir (host) or the vfs dir.
func hostTree(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(dir, p)
		size := info.Size()
		if info.IsDir() {
			size = 0
		}
		out = append(out, rel+" "+info.Mode().String()+" "+itoaI(size)+" "+info.ModTime().UTC().Format(time.RFC3339))
		return nil
	})
	sort.Strings(out)
	return out
}

// dropZips leaves out the archives themselves (their times are the test's, not unzip's).
func dropZips(tree []string) []string {
	var out []string
	for _, l := range tree {
		if !strings.Contains(l, ".zip ") {
			out = append(out, l)
		}
	}
	return out
}

func itoaI(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func (e *tenv) vfsTree(dir string) []string {
	var out []string
	var walk func(d string)
	walk = func(d string) {
		ents, _ := e.vfs().ReadDir(d)
		for _, m := range ents {
			p := d + "/" + m.Name
			rel := strings.TrimPrefix(p, dir+"/")
			size := m.Size
			if m.Mode.IsDir() {
				size = 0
			}
			out = append(out, rel+" "+m.Mode.String()+" "+itoaI(size)+" "+m.MTime.UTC().Format(time.RFC3339))
			if m.Mode.IsDir() {
				walk(p)
			}
		}
	}
	walk(dir)
	sort.Strings(out)
	return out
}

func TestZipinfoMatchesHost(t *testing.T) {
	bin := hostTool(t, "zipinfo")
	z := testZip(t)
	for _, args := range [][]string{{"t.zip"}, {"nope.zip"}, {"junk.zip"}} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "t.zip"), z, 0o644)
		os.WriteFile(filepath.Join(dir, "junk.zip"), []byte("junk\n"), 0o644)
		cmd := exec.Command(bin, args...)
		cmd.Args[0], cmd.Dir, cmd.Env = "zipinfo", dir, []string{"LC_ALL=C", "TZ=UTC"}
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		wantSt := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			wantSt = ee.ExitCode()
		}
		e := newTestEnv(t)
		e.img.AddFile("/root/t.zip", string(z), 0o644)
		e.img.AddFile("/root/junk.zip", "junk\n", 0o644)
		out, errs, st := e.run(append([]string{"zipinfo"}, args...)...)
		if out != so.String() || errs != se.String() || st != wantSt {
			t.Errorf("zipinfo %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, so.String(), se.String(), wantSt)
		}
	}
}

func TestUnzipMatchesHost(t *testing.T) {
	bin := hostTool(t, "unzip")
	z := testZip(t)
	for _, c := range []struct {
		args     []string
		existing bool
	}{
		{[]string{"t.zip"}, false}, {[]string{"t"}, false}, {[]string{"-l", "t.zip"}, false}, {[]string{"-v", "t.zip"}, false},
		{[]string{"-t", "t.zip"}, false}, {[]string{"-p", "t.zip", "dir/b.sh"}, false}, {[]string{"-q", "t.zip"}, false},
		{[]string{"-d", "out", "t.zip"}, false}, {[]string{"t.zip", "a.txt"}, false}, {[]string{"t.zip", "nothere"}, false},
		{[]string{"-j", "t.zip"}, false}, {[]string{"t.zip", "-x", "a.txt"}, false}, {[]string{"nope.zip"}, false},
		{[]string{"-l", "nope"}, false}, {[]string{"junk.zip"}, false}, {[]string{}, false},
		{[]string{"-Z", "t.zip"}, false}, {[]string{"-l", "t.zip", "a.txt"}, false},
		{[]string{"t.zip"}, true}, {[]string{"-o", "t.zip"}, true}, {[]string{"-n", "t.zip"}, true},
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "t.zip"), z, 0o644)
		os.WriteFile(filepath.Join(dir, "junk.zip"), []byte("junk\n"), 0o644)
		e := newTestEnv(t)
		e.img.AddFile("/root/t.zip", string(z), 0o644)
		e.img.AddFile("/root/junk.zip", "junk\n", 0o644)
		if c.existing {
			os.WriteFile(filepath.Join(dir, "a.txt"), []byte("old\n"), 0o644)
			e.img.AddFile("/root/a.txt", "old\n", 0o644)
			m, _ := e.vfs().Stat("/root/a.txt")
			os.Chtimes(filepath.Join(dir, "a.txt"), m.MTime, m.MTime)
		}
		cmd := exec.Command(bin, c.args...)
		cmd.Args[0], cmd.Dir, cmd.Env = "unzip", dir, []string{"LC_ALL=C", "TZ=UTC"}
		cmd.Stdin = strings.NewReader("")
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		wantSt := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			wantSt = ee.ExitCode()
		}
		out, errs, st := e.run(append([]string{"unzip"}, c.args...)...)
		if out != so.String() || errs != se.String() || st != wantSt {
			t.Errorf("unzip %q:\n got %q %q %d\nwant %q %q %d", c.args, out, errs, st, so.String(), se.String(), wantSt)
		}
		want := dropZips(hostTree(t, dir))
		got := dropZips(e.vfsTree("/root"))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("unzip %q left:\n%s\nthe host's:\n%s", c.args, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
