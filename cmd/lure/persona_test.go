package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// personaTree makes a tiny root filesystem and the hardware files to capture it with.
func personaTree(t *testing.T) (root, hw string) {
	t.Helper()
	base := t.TempDir()
	root, hw = filepath.Join(base, "root"), filepath.Join(base, "hw")
	files := map[string]string{
		"root/etc/passwd":       "root:x:0:0:root:/root:/bin/bash\n",
		"root/etc/group":        "root:x:0:\n",
		"root/etc/hostname":     "treehost\n",
		"root/etc/os-release":   "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
		"root/usr/bin/tool":     "\x7fELF rest of a program",
		"hw/cpuinfo":            "processor\t: 0\nmodel name\t: Test CPU\n\n",
		"hw/meminfo":            "MemTotal:        1000000 kB\n",
		"hw/version":            "Linux version 6.1.0-1-amd64 (x@y) (gcc) #1 SMP PREEMPT_DYNAMIC Debian 6.1.1-1 (2023-01-01)\n",
		"hw/disks":              "/dev/vda1 / ext4 1000 10 900\n",
		"root/var/lib/dpkg/any": "",
	}
	for name, content := range files {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, hw
}

func TestPersonaCaptureAndInfo(t *testing.T) {
	root, hw := personaTree(t)
	out := filepath.Join(t.TempDir(), "t.persona")
	var stdout, stderr bytes.Buffer
	args := []string{"capture", "--root", root, "--out", out, "--hostname", "flaghost",
		"--cpuinfo", filepath.Join(hw, "cpuinfo"), "--meminfo", filepath.Join(hw, "meminfo"),
		"--proc-version", filepath.Join(hw, "version"), "--disks", filepath.Join(hw, "disks"),
		"--machine", "x86_64", "--boot-time", "2024-01-02T03:04:05Z"}
	if got := personaMain(context.Background(), args, &stdout, &stderr); got != 0 {
		t.Fatalf("capture: exit %d: %s", got, stderr.String())
	}
	for _, want := range []string{"captured " + out, "flaghost, Debian GNU/Linux 12 (bookworm)", "6.1.0-1-amd64", "1 x Test CPU", "2024-01-02T03:04:05Z"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("capture summary lacks %q:\n%s", want, stderr.String())
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("capture left %d files beside the output", len(entries))
	}
	stdout.Reset()
	stderr.Reset()
	if got := personaMain(context.Background(), []string{"info", out}, &stdout, &stderr); got != 0 {
		t.Fatalf("info: exit %d: %s", got, stderr.String())
	}
	for _, want := range []string{"hostname    flaghost", "uname -a    Linux flaghost 6.1.0-1-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.1-1 (2023-01-01) x86_64 GNU/Linux",
		"cpu         1 x Test CPU", "/dev/vda1", "logins      root(0)"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("info lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestPersonaUsageErrors(t *testing.T) {
	root, _ := personaTree(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage: lure persona"},
		{[]string{"frob"}, 2, `unknown command "frob"`},
		{[]string{"capture"}, 2, "--root and --out are required"},
		{[]string{"capture", "-h"}, 0, "Usage: lure persona capture"},
		{[]string{"capture", "--root", root, "--out", filepath.Join(t.TempDir(), "x"), "--boot-time", "yesterday"}, 2, "--boot-time"},
		{[]string{"capture", "--root", filepath.Join(root, "nope"), "--out", filepath.Join(t.TempDir(), "x")}, 1, "capture"},
		{[]string{"capture", "--root", root, "--out", filepath.Join(t.TempDir(), "x"), "--disks", filepath.Join(root, "etc/passwd")}, 1, "disk table"},
		{[]string{"info"}, 2, "Usage: lure persona info FILE"},
		{[]string{"info", filepath.Join(root, "etc/passwd")}, 1, "not a persona file"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		got := personaMain(context.Background(), c.args, &stdout, &stderr)
		if got != c.code || !strings.Contains(stdout.String()+stderr.String(), c.want) {
			t.Errorf("%q: exit %d (want %d), output %q lacks %q", c.args, got, c.code, stdout.String()+stderr.String(), c.want)
		}
	}
}
