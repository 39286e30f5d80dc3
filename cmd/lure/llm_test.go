package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/store"
)

func TestLLMCacheCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.OpenSQLite(filepath.Join(dir, "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.LLMCache(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []store.LLMAnswer{
		{Key: "0123456789abcdef", User: "root", Cwd: "/root", Command: "journalctl -xe", Answer: "-- No entries --\n", Source: "llm"},
		{Key: "fedcba9876543210", User: "root", Cwd: "/tmp", Command: "tmux ls \x1b[2J", Answer: "no server running\n", Status: 1, Source: "llm"},
	} {
		if err := c.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	run := func(stdin string, args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := llmMain(ctx, args, strings.NewReader(stdin), &out, &errb)
		return out.String(), errb.String(), code
	}
	out, errOut, code := run("", "cache", "ls", "--data-dir", dir, "--full")
	if code != 0 || !strings.Contains(out, "0123456789ab") || !strings.Contains(out, "journalctl -xe") || !strings.Contains(out, "    | no server running") || !strings.Contains(errOut, "2 answers") {
		t.Fatalf("ls: %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := run("", "cache", "ls", "--data-dir", dir, "--grep", "tmux"); strings.Contains(out, "journalctl") || !strings.Contains(out, "tmux ls") || strings.Contains(out, "\x1b") {
		t.Fatalf("ls --grep:\n%s", out)
	}
	if _, errOut, code := run("edited\n", "cache", "edit", "--data-dir", dir, "0123"); code != 2 || !strings.Contains(errOut, "6 hex digits") {
		t.Fatalf("edit with a short key: %d %s", code, errOut)
	}
	if out, errOut, code := run("Logs begin at boot.\r\n", "cache", "edit", "--data-dir", dir, "012345"); code != 0 || !strings.Contains(out, "journalctl -xe") {
		t.Fatalf("edit: %d %s %s", code, out, errOut)
	}
	if out, _, _ := run("", "cache", "ls", "--data-dir", dir, "--full", "012345"); !strings.Contains(out, "operator") || !strings.Contains(out, "    | Logs begin at boot.") {
		t.Fatalf("after edit:\n%s", out)
	}
	if _, errOut, code := run("", "cache", "rm", "--data-dir", dir); code != 2 || !strings.Contains(errOut, "--all") {
		t.Fatalf("rm without selection: %d %s", code, errOut)
	}
	if out, _, code := run("", "cache", "rm", "--data-dir", dir, "--grep", "tmux"); code != 0 || out != "deleted 1 answers\n" {
		t.Fatalf("rm --grep: %d %q", code, out)
	}
	if out, _, code := run("", "cache", "rm", "--data-dir", dir, "--all"); code != 0 || out != "deleted 1 answers\n" {
		t.Fatalf("rm --all: %d %q", code, out)
	}
	if _, errOut, code := run("", "cache", "ls", "--data-dir", filepath.Join(dir, "nothere")); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("missing data dir: %d %s", code, errOut)
	}
}

func TestLLMUsage(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check"}, 2, "--base-url is required"},
		{[]string{"check", "-h"}, 0, "time to the first token"},
		{[]string{"check", "--base-url", "ftp://x", "--model", "m"}, 2, "not an http(s) URL"},
		{[]string{"cache", "rm", "-h"}, 0, "Deletes cached answers"},
		{[]string{"cache", "frob"}, 2, "unknown command"},
		{[]string{"nope"}, 2, "unknown command"},
	} {
		var out, errb bytes.Buffer
		code := llmMain(ctx, c.args, strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("lure llm %v: %d\n%s%s", c.args, code, out.String(), errb.String())
		}
	}
}
