package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEscapeWithRealClients puts a canary with a secret on the host and tries to reach it
// through the real OpenSSH tools: shell constructs over exec, sftp paths with "..", symlinks
// made over sftp and in the shell, and scp in both protocols. The secret must never come back,
// and nothing may be written next to the canary.
func TestEscapeWithRealClients(t *testing.T) {
	l := startLure(t)
	sshpass := need(t, "sshpass")
	need(t, "sftp")
	need(t, "scp")
	canaryDir := t.TempDir()
	const secret = "LURE-CANARY-5f0e2c9a"
	canary := filepath.Join(canaryDir, "secret.txt")
	if err := os.WriteFile(canary, []byte(secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ups := strings.Repeat("../", 12)
	rel := strings.TrimPrefix(canary, "/")

	lines := []string{
		"cat " + canary,
		"cat " + ups + rel,
		"cd /; cat " + rel,
		"ls " + canaryDir,
		"echo " + canaryDir + "/*",
		"source " + canary,
		". " + canary,
		"x=$(<" + canary + "); echo \"$x\"",
		"while read l; do echo $l; done < " + canary,
		"echo pwned > " + canaryDir + "/written.txt",
		"echo pwned >> " + canary,
		"cp " + canary + " /tmp/c; cat /tmp/c",
		"ln -s " + canary + " /tmp/l; cat /tmp/l; ls -l /tmp/l",
		"cd " + canaryDir + " && ls -la",
		"type " + canary + "; command -v " + canary,
		"head -c 100 " + canary + "; grep -r LURE " + canaryDir,
		"find " + canaryDir,
	}
	for _, line := range lines {
		out, stderr, _ := l.runSSH(t, nil, line)
		if strings.Contains(out+stderr, secret) {
			t.Errorf("%q revealed the host secret: %q %q", line, out, stderr)
		}
	}

	local := t.TempDir()
	payload := filepath.Join(local, "payload")
	if err := os.WriteFile(payload, []byte("dropped\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sftp := func(cmds string) string {
		cmd := exec.Command(sshpass, append([]string{"-p", password, "sftp"}, append(l.sshArgs("-P", l.port()), "root@127.0.0.1")...)...)
		cmd.Stdin = strings.NewReader(cmds)
		out, _ := cmd.CombinedOutput() // failures are expected: the paths do not exist in the vfs
		return string(out)
	}
	out := sftp(strings.Join([]string{
		"get " + canary + " " + filepath.Join(local, "a"),
		"get " + ups + rel + " " + filepath.Join(local, "b"),
		"cd " + ups + ups,
		"get " + rel + " " + filepath.Join(local, "c"),
		"ls -la " + canaryDir,
		"symlink " + canary + " /tmp/sl",
		"get /tmp/sl " + filepath.Join(local, "d"),
		"put " + payload + " " + canaryDir + "/x",
		"put " + payload + " " + ups + rel,
		"mkdir " + canaryDir + "/newdir",
		"rename /tmp/sl " + canaryDir + "/moved",
		"",
	}, "\n"))
	if strings.Contains(out, secret) {
		t.Errorf("sftp revealed the secret: %s", out)
	}
	if !strings.Contains(out, "Connected to 127.0.0.1") || !strings.Contains(out, "not found") {
		t.Errorf("the sftp session did not run as expected:\n%s", out)
	}
	for _, args := range [][]string{
		{"-P", l.port(), "root@127.0.0.1:" + canary, filepath.Join(local, "e")},
		{"-O", "-P", l.port(), "root@127.0.0.1:" + canary, filepath.Join(local, "f")},
		{"-O", "-P", l.port(), "root@127.0.0.1:" + ups + rel, filepath.Join(local, "g")},
	} {
		cmd := exec.Command(sshpass, append([]string{"-p", password, "scp"}, l.sshArgs(args...)...)...)
		if out, _ := cmd.CombinedOutput(); strings.Contains(string(out), secret) {
			t.Errorf("scp %v revealed the secret: %s", args, out)
		}
	}
	// Nothing that came back holds the secret.
	entries, _ := os.ReadDir(local)
	for _, e := range entries {
		if b, _ := os.ReadFile(filepath.Join(local, e.Name())); strings.Contains(string(b), secret) {
			t.Errorf("downloaded %s holds the host secret", e.Name())
		}
	}
	// The canary is untouched and alone.
	if b, _ := os.ReadFile(canary); string(b) != secret+"\n" {
		t.Errorf("canary changed: %q", b)
	}
	if es, _ := os.ReadDir(canaryDir); len(es) != 1 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		t.Errorf("files appeared next to the canary: %v", names)
	}
}
