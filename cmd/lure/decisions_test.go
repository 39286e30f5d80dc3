package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/store"
)

func TestDecisionsCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	lure := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := decisionsCommand(ctx, args, &out, &errb)
		return code, out.String(), errb.String()
	}
	// No store yet: a clear error naming the path.
	if code, _, e := lure("ls", "--data-dir", dir); code != 1 || !strings.Contains(e, filepath.Join(dir, "lure.db")) {
		t.Errorf("ls without a store: %d %q", code, e)
	}
	db, err := store.OpenSQLite(filepath.Join(dir, "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, out, _ := lure("ls", "--data-dir", dir); code != 0 || !strings.Contains(out, "no decisions") {
		t.Errorf("ls on an empty store: %d %q", code, out)
	}
	if code, out, e := lure("add", "--data-dir", dir, "--ip", "198.51.100.7", "--duration", "1h", "--reason", "seen in logs"); code != 0 || !strings.Contains(out, "decision 1: ban ip 198.51.100.7 for 1h0m0s") {
		t.Errorf("add: %d %q %q", code, out, e)
	}
	if code, _, _ := lure("add", "--data-dir", dir, "--range", "203.0.113.0/24"); code != 0 {
		t.Errorf("add range: %d", code)
	}
	code, out, _ := lure("ls", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "ip:198.51.100.7") || !strings.Contains(out, "range:203.0.113.0/24") || !strings.Contains(out, "seen in logs") || !(strings.Contains(out, "1h0m0s") || strings.Contains(out, "59m5")) {
		t.Errorf("ls: %d\n%s", code, out)
	}
	// The allowlist: loopback always, configured CIDRs from the config file.
	cfg := filepath.Join(dir, "lure.yaml")
	os.WriteFile(cfg, []byte("data_dir: "+dir+"\nips:\n  allowlist: [\"192.0.2.0/24\"]\n"), 0o600)
	for _, a := range [][]string{{"--ip", "127.0.0.1", "--data-dir", dir}, {"--ip", "192.0.2.9", "--config", cfg}, {"--range", "192.0.0.0/16", "--config", cfg}} {
		if code, _, e := lure(append([]string{"add"}, a...)...); code != 1 || !strings.Contains(e, "allowlist") {
			t.Errorf("add %v: %d %q; want a refusal naming the allowlist", a, code, e)
		}
	}
	for _, bad := range [][]string{{"add", "--data-dir", dir}, {"add", "--data-dir", dir, "--ip", "nonsense"}, {"rm", "--data-dir", dir}, {"frob"}, {"add", "--data-dir", dir, "198.51.100.9"}} {
		if code, _, e := lure(bad...); code != 2 || e == "" {
			t.Errorf("%v: %d %q; want a usage error", bad, code, e)
		}
	}
	if code, out, _ := lure("rm", "--data-dir", dir, "--ip", "198.51.100.7"); code != 0 || !strings.Contains(out, "decision 1 removed") {
		t.Errorf("rm: %d %q", code, out)
	}
	if code, _, e := lure("rm", "--data-dir", dir, "--ip", "198.51.100.7"); code != 1 || !strings.Contains(e, "no decision in force") {
		t.Errorf("rm again: %d %q", code, e)
	}
	if code, out, _ := lure("rm", "--data-dir", dir, "--id", "2"); code != 0 || !strings.Contains(out, "decision 2 removed") {
		t.Errorf("rm --id: %d %q", code, out)
	}
	if _, out, _ := lure("ls", "--data-dir", dir); !strings.Contains(out, "no decisions") {
		t.Errorf("ls after rm: %q", out)
	}
	if _, out, _ := lure("ls", "--data-dir", dir, "--all"); strings.Count(out, "ended") != 2 {
		t.Errorf("ls --all: %q; want the two ended decisions", out)
	}
	if code, out, _ := lure("-h"); code != 0 || !strings.Contains(out, "lure decisions add") {
		t.Errorf("-h: %d %q", code, out)
	}
}
