package commands

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

func TestDiffGzip(t *testing.T) {
	env := buildDiffEnv(t)
	real := func(args ...string) []byte {
		out, err := exec.Command("gzip", args...).Output()
		if err != nil {
			t.Fatalf("gzip %v: %v", args, err)
		}
		return out
	}
	env.addHostFiles(t, map[string]string{
		"a.gz":  string(real("-c", filepath.Join(env.root, "a.txt"))),
		"nz.gz": "not gzip\n",
		"tr.gz": string(real("-c", filepath.Join(env.root, "a.txt"))[:15]),
	}, nil)
	// Read-only cases: the compressed bytes themselves differ (another deflate), so
	// compressed output is always compared after decompressing it.
	runDiffCasesEnv(t, env, []diffCase{
		{line: "gzip -c a.txt | gzip -dc"}, {line: "gzip -c a.txt big.bin | zcat"}, {line: "zcat a.gz"},
		{line: "gunzip -c a.gz"}, {line: "gzip -dc a.gz a.gz"}, {line: "zcat a"}, {line: "zcat nz.gz"},
		{line: "zcat nope"}, {line: "gzip -d nope"}, {line: "gzip -c nope"}, {line: "gzip -z"},
		{line: "gzip -dc", stdin: "plain"}, {line: "gzip -dc tr.gz"}, {line: "gzip -t a.gz"}, {line: "gzip -t nz.gz"},
		{line: "gzip -d sub"}, {line: "gzip sub"}, {line: "gunzip a.txt"}, {line: "gzip a.gz"},
		{line: "gzip | gzip -d", stdin: "from stdin\n"}, {line: "gzip -9 -c a.txt | gunzip"},
		{line: "zcat -f a.txt"}, {line: "gzip -V"}, {line: "gzip -l a.gz"}, {line: "gzip -l a.gz a.gz"},
		{line: "gzip -l nz.gz"},
	})
	// Mutating cases run on fresh trees and compare the listing afterwards.
	for _, line := range []string{
		"gzip a.txt; stat -c '%n %a %Y' a.txt.gz; ls",
		"gzip -k b.txt; ls",
		"gzip empty words.txt; ls",
		"gzip a.gz; gunzip a.gz; stat -c '%n %a %Y' a; cat a",
		"cp a.gz x.gz; gunzip x.gz; cat x; ls",
		"gunzip nz.gz; ls",
		"gzip -k a.txt; gzip a.txt; ls",
		"gzip -k a.txt; gzip -f a.txt; ls",
		"gzip link",
		"gzip -v empty; gzip -dv empty.gz; ls",
	} {
		t.Run(line, func(t *testing.T) {
			env := buildDiffEnv(t)
			env.addHostFiles(t, map[string]string{
				"a.gz":  string(real("-c", filepath.Join(env.root, "a.txt"))),
				"nz.gz": "not gzip\n",
			}, nil)
			gor, ge, gs := env.runEmu(t, line, "")
			wo, we, ws := env.runReal(t, line, "")
			if wo != gor || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%s\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%s\nstderr:\n%q", line, ws, wo, we, gs, gor, ge)
			}
		})
	}
}

// TestGzipHeader checks the header fields against gzip 1.12's and that the host's gzip
// accepts what the emulation writes.
func TestGzipHeader(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	content := strings.Repeat("some text to squeeze\n", 50)
	os.WriteFile(p, []byte(content), 0o644)
	mt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	os.Chtimes(p, mt, mt)
	img := vfs.NewMemImage()
	img.Add("/w", vfs.Meta{Mode: 0o755 | os.ModeDir}, nil)
	img.Add("/w/f.txt", vfs.Meta{Mode: 0o644, Size: int64(len(content)), MTime: mt}, []byte(content))
	for _, lv := range []string{"-1", "-6", "-9"} {
		want, err := exec.Command("gzip", lv, "-c", p).Output()
		if err != nil {
			t.Fatal(err)
		}
		s := &miniShell{reg: Default(), fs: vfs.NewMemFS(img), dir: "/w", env: map[string]string{"LANG": "C"}}
		var so, se bytes.Buffer
		s.run(context.Background(), "gzip "+lv+" -c f.txt", nil, &so, &se)
		got := so.Bytes()
		hdr := 10 + len("f.txt") + 1
		if len(got) < hdr || !bytes.Equal(got[:hdr], want[:hdr]) {
			t.Errorf("gzip %s header = % x, want % x", lv, got[:min(hdr, len(got))], want[:hdr])
		}
		if !bytes.Equal(got[len(got)-8:], want[len(want)-8:]) {
			t.Errorf("gzip %s trailer = % x, want % x", lv, got[len(got)-8:], want[len(want)-8:])
		}
		cmd := exec.Command("gzip", "-dc")
		cmd.Stdin = bytes.NewReader(got)
		out, err := cmd.Output()
		if err != nil || string(out) != content {
			t.Errorf("host gzip -dc of the emulation's output: %v, %d bytes", err, len(out))
		}
	}
}
