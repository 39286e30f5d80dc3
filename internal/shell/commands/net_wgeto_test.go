package commands

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWgetOutputDocumentCreatedBeforeFetch: wget opens -O FILE before it resolves or
// connects, so a failed download leaves FILE empty (and truncates an existing one), and an
// unopenable FILE stops wget before any URL. curl -o creates nothing on failure.
func TestWgetOutputDocumentCreatedBeforeFetch(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"wget", "http://192.0.2.44/x86_64", "-O", "/tmp/.x86"}, "",
		"--"+stamp+"--  http://192.0.2.44/x86_64\nConnecting to 192.0.2.44:80... failed: Network is unreachable.\n", 4)
	m, err := e.vfs().Stat("/tmp/.x86")
	if err != nil || m.Size != 0 || m.Mode.Perm() != 0o644 {
		t.Fatalf("wget -O left %v %v, want an empty 0644 file", m, err)
	}
	if err := e.vfs().WriteFile("/tmp/old", []byte("previous"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"wget", "-q", "http://example.invalid/a", "-O", "/tmp/old"}, "", "", 4)
	if b, _ := e.vfs().ReadFile("/tmp/old"); len(b) != 0 {
		t.Errorf("wget -O should truncate the existing file, it holds %q", b)
	}
	e.expect([]string{"wget", "http://192.0.2.44/x", "-O", "/nonexistent/x"}, "", "/nonexistent/x: No such file or directory\n", 1)
	e.expect([]string{"wget", "-O", "/tmp/none"}, "", "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n", 1)
	if _, err := e.vfs().Stat("/tmp/none"); err == nil {
		t.Errorf("wget without a URL must not create its -O file")
	}
	e.expect([]string{"wget", "-q", "http://192.0.2.44/x", "-O", "-"}, "", "", 4)
	e.expect([]string{"curl", "-s", "http://192.0.2.44/x", "-o", "/tmp/c1"}, "", "", 7)
	if _, err := e.vfs().Stat("/tmp/c1"); err == nil {
		t.Errorf("curl -o must not create its file when the connection fails")
	}
}

// TestWgetOutputDocumentOnHost checks the same facts on the host's wget and curl inside a
// network namespace without a route (unshare -n), as the persona is.
func TestWgetOutputDocumentOnHost(t *testing.T) {
	hostTool(t, "unshare")
	hostTool(t, "wget")
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED (not a pass): unshare -n needs root")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "x86")
	_, errs, st := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C"}, "unshare", "-n", "wget", "--no-config", "http://192.0.2.44/x86_64", "-O", out)
	if st != 4 {
		t.Fatalf("host wget: %d %q", st, errs)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() != 0 {
		t.Errorf("host wget -O did not leave an empty file: %v", err)
	}
	_, errs, st = hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C"}, "unshare", "-n", "wget", "--no-config", "http://192.0.2.44/x", "-O", "/nonexistent/x")
	if st != 1 || errs != "/nonexistent/x: No such file or directory\n" {
		t.Errorf("host wget unopenable -O: %d %q", st, errs)
	}
	c1 := filepath.Join(dir, "c1")
	_, _, st = hostRun(t, []string{"PATH=/usr/bin:/bin"}, "unshare", "-n", "curl", "-s", "http://192.0.2.44/x", "-o", c1)
	if _, err := os.Stat(c1); st != 7 || err == nil {
		t.Errorf("host curl -o: status %d, file exists: %v", st, err == nil)
	}
}
