package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnknownCommand(t *testing.T) {
	var buf bytes.Buffer
	if got := run(context.Background(), []string{"frobnicate"}, &buf); got != 2 {
		t.Fatalf("exit %d, want 2", got)
	}
	if !strings.Contains(buf.String(), `unknown command "frobnicate"`) || !strings.Contains(buf.String(), "serve") {
		t.Fatalf("message must name the command and list the commands: %q", buf.String())
	}
	buf.Reset()
	if got := run(context.Background(), nil, &buf); got != 2 || !strings.Contains(buf.String(), "Usage:") {
		t.Fatalf("no arguments: exit %d, %q", got, buf.String())
	}
}

func TestServeRejectsBadConfigBeforeListening(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "lure.yaml")
	if err := os.WriteFile(p, []byte("data_dir: "+dir+"\nssh:\n  listne: 127.0.0.1:2222\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr := captureStderr(t, func() {
		if got := runServe(context.Background(), []string{"--config", p}); got != 2 {
			t.Errorf("exit %d, want 2", got)
		}
	})
	if !strings.Contains(stderr, p+":3: ssh.listne: unknown key") {
		t.Fatalf("error must name file, line and key: %q", stderr)
	}
	if got := runServe(context.Background(), []string{"--listen", "nonsense"}); got != 2 {
		t.Errorf("--listen nonsense: exit %d, want 2", got)
	}
}

func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	f()
	os.Stderr = old
	w.Close()
	var buf bytes.Buffer
	buf.ReadFrom(r)
	return buf.String()
}
