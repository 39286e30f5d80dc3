package vfs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func assertHostDirEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		var n []string
		for _, e := range ents {
			n = append(n, e.Name())
		}
		t.Errorf("host directory %s gained entries %v", dir, n)
	}
}

// TestNoHostPathsOutsideOverlayDir runs hostile paths through a managed FS and checks
// that the only host files that appear are the manager's own, inside its directory.
func TestNoHostPathsOutsideOverlayDir(t *testing.T) {
	base := t.TempDir()
	overlayDir := filepath.Join(base, "overlay")
	// A canary beside the overlay directory, as other data of the sensor would be.
	canary := filepath.Join(base, "canary")
	if err := os.WriteFile(canary, []byte("SECRET-CANARY"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := NewManager(testImage(), overlayDir, Quotas{})
	if err != nil {
		t.Fatal(err)
	}
	ip := "../../" + base + "/evil" // an "IP" is never trusted either
	f, err := m.Acquire(ip)
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{
		"/etc/passwd", "../../../etc", "../../../../" + canary, canary, base, overlayDir,
		overlayDir + "/x", "/proc/self/root" + canary, "~/x", "$HOME/x", "/tmp/../../" + base,
		filepath.Join(overlayDir, "..", "canary"), "/dev/sda", "//" + base + "//new",
	}
	for _, p := range hostile {
		_ = f.MkdirAll(p, 0o755)
		_ = f.WriteFile(p, []byte("x"), 0o644)
		_ = f.WriteFile(p+"/f", []byte("x"), 0o644)
		_ = f.AppendFile(p, []byte("x"), 0o644)
		_ = f.Symlink(p, "/tmp/l")
		_ = f.WriteFile("/tmp/l", []byte("x"), 0o644)
		_ = f.Remove("/tmp/l")
		_ = f.Rename(p, "/tmp/r")
		_ = f.Rename("/tmp/r", p)
		_ = f.Chmod(p, 0o777)
		_ = f.Chtimes(p, m.now(), m.now())
		if b, err := f.ReadFile(p); err == nil && strings.Contains(string(b), "SECRET-CANARY") {
			t.Fatalf("read the host canary through %q", p)
		}
		_, _ = f.ReadDir(p)
		_ = f.RemoveAll(p)
	}
	if b, err := f.ReadFile(canary); err == nil && strings.Contains(string(b), "SECRET") {
		t.Fatalf("read the host canary")
	}
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// The base directory holds exactly the canary (unchanged) and the overlay directory,
	// which holds only files named by the manager.
	ents, _ := os.ReadDir(base)
	if len(ents) != 2 {
		t.Errorf("base directory entries: %v", ents)
	}
	if b, _ := os.ReadFile(canary); string(b) != "SECRET-CANARY" {
		t.Errorf("canary changed: %q", b)
	}
	err = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == base || p == canary || p == overlayDir {
			return nil
		}
		if filepath.Dir(p) != overlayDir || !strings.HasSuffix(d.Name(), fileSuffix) ||
			!validKey(strings.TrimSuffix(d.Name(), fileSuffix)) {
			t.Errorf("unexpected host file %s", p)
		}
		info, _ := d.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, info.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOnlyManagerTouchesHost checks the source: host file calls (package os and
// path/filepath) appear only in the manager's files, whose paths are built from the
// manager's directory and hashed keys.
func TestOnlyManagerTouchesHost(t *testing.T) {
	allowed := map[string]bool{"manager.go": true, "persist.go": true}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			switch p {
			case "os", "path/filepath", "io/ioutil", "syscall":
				if p == "syscall" {
					continue // errno values only; checked below
				}
				if !allowed[file] {
					t.Errorf("%s imports %s; only the manager may touch the host", file, p)
				}
			case "os/exec", "net", "net/http", "unsafe":
				t.Errorf("%s imports %s", file, p)
			}
		}
		full, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(full, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "syscall" {
				switch sel.Sel.Name {
				case "Open", "Openat", "Creat", "Mkdir", "Unlink", "Rename", "Symlink", "Stat", "Lstat", "Chmod", "Exec", "ForkExec":
					t.Errorf("%s calls syscall.%s", file, sel.Sel.Name)
				}
			}
			return true
		})
	}
}
