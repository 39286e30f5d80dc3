package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReplayCommand(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.cast")
	rec := "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.01, \"o\", \"root@host:~# \"]\n[0.02, \"i\", \"ls\\r\"]\n[5.0, \"o\", \"ls\\r\\n\"]\n"
	if err := os.WriteFile(p, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	start := time.Now()
	if code := replayCommand(context.Background(), []string{"--speed", "4", "--max-wait", "50ms", p}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.String() != "root@host:~# ls\r\n" {
		t.Fatalf("output %q", out.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("--max-wait ignored: took %v", d)
	}

	errb.Reset()
	if code := replayCommand(context.Background(), []string{"-h"}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "Usage: lure replay [--speed X] [--max-wait D] FILE") {
		t.Fatalf("help: %d %q", code, errb.String())
	}
	for _, args := range [][]string{{}, {"--speed", "0", p}, {"a", "b"}} {
		if code := replayCommand(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := replayCommand(context.Background(), []string{filepath.Join(t.TempDir(), "missing.cast")}, &out, &errb); code != 1 {
		t.Errorf("missing file: exit %d", code)
	}
}
