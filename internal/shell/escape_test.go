package shell

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoHostAccess puts a canary with a secret on the host and tries every construct that
// names files: nothing may read, list, execute or write host files.
func TestNoHostAccess(t *testing.T) {
	hostDir := t.TempDir()
	secret := "LURE-CANARY-" + filepath.Base(hostDir)
	canary := filepath.Join(hostDir, "canary")
	if err := os.WriteFile(canary, []byte(secret+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(hostDir, "script.sh")
	if err := os.WriteFile(script, []byte("echo "+secret+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rel := strings.Repeat("../", 12) + strings.TrimPrefix(canary, "/")
	hostUser := hostOnlyUser(t)

	scripts := []string{
		"cat " + canary,
		"cat " + rel,
		"cd / && cat " + rel,
		"cd /tmp && cat ../../../../.." + canary,
		"echo " + hostDir + "/*",
		"echo " + hostDir + "/c*",
		"echo " + filepath.Dir(hostDir) + "/*/canary",
		"cd " + hostDir + " && echo *",
		"cd /; echo *; echo */*",
		"shopt -s globstar dotglob; echo /**/canary",
		"source " + canary,
		". " + script,
		"source " + rel,
		"x=$(<" + canary + "); echo \"$x\"",
		"x=$(< " + rel + "); echo \"$x\"",
		"read l < " + canary + "; echo \"$l\"",
		"while read l; do echo $l; done < " + canary,
		"exec 3<" + canary + "; cat <&3",
		"cat < " + canary,
		"mapfile a < " + canary + "; echo ${a[@]}",
		canary,
		script,
		"cd " + hostDir + " && ./script.sh",
		"type " + canary + "; command -v " + canary + "; command -V " + canary,
		"PATH=" + hostDir + ":$PATH; type script.sh; command -v script.sh; script.sh; hash script.sh",
		"[ -e " + canary + " ] && echo exists-" + secret[:5] + "; [ -r " + canary + " ] && echo readable",
		"[[ -f " + canary + " ]] && echo exists",
		"test " + canary + " -ef " + canary + " && echo same",
		"echo ~" + hostUser + " ~" + hostUser + "/x",
		"cd ~" + hostUser,
		"echo pwned > " + hostDir + "/written",
		"echo pwned >> " + hostDir + "/appended",
		"echo pwned > " + canary,
		"echo pwned &> " + rel,
		"cat > " + hostDir + "/heredoc <<EOF\npwned\nEOF",
		"mkdir_ignored=1; : > " + hostDir + "/touched",
		"bash -c 'cat " + canary + "'",
		"bash -c '. " + script + "'",
		"eval \"cat " + canary + "\"",
		"f() { cat \"$1\"; }; f " + canary,
		"cat <(cat " + canary + ")",
		"echo $(cat " + canary + ")",
		"echo `cat " + canary + "`",
		"ls " + hostDir,
		"cd " + hostDir + "; pwd",
		"history -w; echo ok",
	}
	var outputs strings.Builder
	for _, src := range scripts {
		for _, interactive := range []bool{false, true} {
			s := newTestShell(t, testOpts{interactive: interactive})
			out, errs, _ := run(t, s, src)
			outputs.WriteString(out + errs)
			if strings.Contains(out+errs, secret) {
				t.Errorf("%q leaked the canary: out=%q err=%q", src, out, errs)
			}
			for _, f := range strings.Fields(out) {
				if strings.HasSuffix(f, "canary") && !strings.Contains(src, f) {
					t.Errorf("%q listed the host directory: %q", src, out)
				}
			}
		}
	}
	// Tab completion over the host path finds nothing.
	s := newTestShell(t, testOpts{interactive: true})
	if line, _, ok := s.Complete("cat "+hostDir+"/ca", len("cat "+hostDir+"/ca")); ok || strings.Contains(line, "canary") {
		t.Errorf("completion reached the host: %q %v", line, ok)
	}
	// The host directory holds exactly what the test put there, unchanged.
	ents, err := os.ReadDir(hostDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("host dir changed: %v", names)
	}
	if data, _ := os.ReadFile(canary); string(data) != secret+"\n" {
		t.Errorf("canary changed: %q", data)
	}
	// Sanity: the constructs did run (the vfs answered), so the test is not vacuous.
	if !strings.Contains(outputs.String(), "No such file or directory") {
		t.Errorf("no construct reported a missing file; outputs: %q", outputs.String())
	}
}

// hostOnlyUser returns a user that exists in the host's passwd but not in the test image.
func hostOnlyUser(t *testing.T) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		return "nobody"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), ":")
		switch name {
		case "", "root", "daemon", "user":
			continue
		}
		return name
	}
	return "nobody"
}
