package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSessionsAnalysedWhileServing logs in with the real OpenSSH client, runs a bot's
// key-implant script, and reads the session back with `lure sessions ls|show` while the
// sensor still runs (SQLite in WAL mode), including the analyst's verdict.
func TestSessionsAnalysedWhileServing(t *testing.T) {
	l := startLure(t)
	script := `cd ~ && rm -rf .ssh && mkdir .ssh && echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ5UYeZ8WnJJa6IFaDgvdPHf0A2++xYS8s9fIENx2W/L mdrfckr">>.ssh/authorized_keys && chmod -R go= ~/.ssh; uname -a; cat /proc/cpuinfo | grep name | wc -l; history -c`
	if _, stderr, code := l.runSSH(t, nil, script); code != 0 {
		t.Fatalf("exec failed with %d: %s", code, stderr)
	}
	// startLure's readiness probe is a session too (no login): it gets no analysis.
	id, _ := l.waitEvent(t, "cowrie.login.success", nil)["session"].(string)
	ev := l.waitEvent(t, "lure.session.analysis", map[string]any{"session": id})
	if risk, _ := ev["risk"].(float64); risk < 50 || id == "" {
		t.Fatalf("analysis event: %v", ev)
	}
	techs, _ := ev["techniques"].([]any)
	found := false
	for _, x := range techs {
		found = found || x == "T1098.004"
	}
	if !found {
		t.Errorf("the key implant is not T1098.004: %v", techs)
	}

	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(binary, append([]string{"sessions"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("lure sessions %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	ls := run("ls", "--data-dir", l.DataDir)
	var line string
	for _, x := range strings.Split(ls, "\n") {
		if strings.Contains(x, id) {
			line = x
		}
	}
	if !strings.Contains(line, "root/"+password) || !strings.Contains(line, "127.0.0.1:") || strings.HasSuffix(strings.TrimSpace(line), " -") {
		t.Errorf("ls line for %s: %q\n%s", id, line, ls)
	}
	show := run("show", "--data-dir", l.DataDir, id)
	for _, want := range []string{"Session   " + id, "Login     root / " + password, "uname -a", "T1098.004", "T1070.003", "persistence", "defence evasion", "ssh key", "mdrfckr"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	out, err := exec.Command(binary, "sessions", "show", "--data-dir", l.DataDir, "000000000000").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `no session "000000000000"`) {
		t.Errorf("unknown id: %v %s", err, out)
	}

	// The captured session becomes fine-tuning data, replayed through the emulator.
	ds := t.TempDir()
	out, err = exec.Command(binary, "dataset", "export", "--format", "sharegpt", "--out", ds, "--data-dir", l.DataDir).CombinedOutput()
	if err != nil {
		t.Fatalf("dataset export: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(ds, "lure_sessions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 1 || !strings.Contains(string(data), "authorized_keys") || !strings.Contains(string(data), `"from":"gpt"`) {
		t.Errorf("lure_sessions.jsonl (%d rows): %.300s", n, data)
	}
	if info, err := os.ReadFile(filepath.Join(ds, "dataset_info.json")); err != nil || !strings.Contains(string(info), `"lure_sessions"`) {
		t.Errorf("dataset_info.json: %s %v", info, err)
	}
}
