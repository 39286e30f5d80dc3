package commands

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// statNormalize removes what the vfs cannot know about the host tree: birth times (the image
// records none, so the emulation prints "-") and the host's device numbers.
var (
	statBirthRe  = regexp.MustCompile(`(?m)^ Birth: .*$`)
	statDeviceRe = regexp.MustCompile(`Device: [0-9]+,[0-9]+\t`)
)

func statNormalize(s string) string {
	s = statBirthRe.ReplaceAllString(s, " Birth: X")
	return statDeviceRe.ReplaceAllString(s, "Device: X\t")
}

func TestDiffStat(t *testing.T) {
	env := buildDiffEnv(t)
	// Building the image read every file, which moved their access times (relatime); a
	// second snapshot records the settled times.
	env.snapshot(t, env.root, true)
	cases := []string{
		"stat a.txt",
		"stat empty sub link dangling",
		"stat -L link",
		"stat -L dangling",
		"stat nope",
		"stat a.txt nope b.txt",
		"stat",
		"stat -z a.txt",
		"stat --frob a.txt",
		"stat -c '%n %s %a %A %U %G %u %g %F %i %h %b %B %o' a.txt sub link big.bin exec.sh words.txt",
		"stat -c '%y|%x|%z|%X|%Y|%Z' b.txt",
		"stat -c %N link a.txt",
		"stat --format='%-10n|%10s|%#a|%05u|%f' a.txt sub",
		"stat --printf='%n\\t%s\\n' a.txt b.txt",
		"stat --printf='%s' a.txt",
		"stat -c '%q %' a.txt",
		"stat -c %s",
		"stat -c",
		"stat -c '%n %s %b %f %u %g %i %h %t %T %X %Y %Z %o' a.txt sub",
		"stat -c '%t %T' a.txt",
		"stat -f -c '%n %l %s %S' .",
		"stat --help",
		"stat --version",
		"stat -L -c '%F %s' link dirlink",
	}
	for _, line := range cases {
		t.Run(line, func(t *testing.T) {
			wo, we, ws := env.runReal(t, line, "")
			gor, ge, gs := env.runEmu(t, line, "")
			wo, gor = statNormalize(wo), statNormalize(gor)
			if wo != gor || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%s\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%s\nstderr:\n%q", line, ws, wo, we, gs, gor, ge)
			}
		})
	}
}

// TestStatNoBirth checks what the image cannot compare with the host: no birth time.
func TestStatNoBirth(t *testing.T) {
	env := buildDiffEnv(t)
	out, _, st := env.runEmu(t, "stat -c '%w|%W' a.txt", "")
	if st != 0 || out != "-|0\n" {
		t.Errorf("stat -c '%%w|%%W' = %q (status %d), want \"-|0\\n\"", out, st)
	}
	out, _, _ = env.runEmu(t, "stat a.txt", "")
	if !strings.HasSuffix(out, " Birth: -\n") {
		t.Errorf("default format should end with an unknown birth time:\n%s", out)
	}
	out, _, _ = env.runEmu(t, "stat -t a.txt", "")
	if f := strings.Fields(out); len(f) != 16 || f[14] != "0" || f[3] != "81a4" {
		t.Errorf("stat -t a.txt = %q", out)
	}
}

// addHostFiles writes extra fixture files into the host tree and mirrors the tree again.
func (e *diffEnv) addHostFiles(t *testing.T, files map[string]string, modes map[string]fs.FileMode) {
	t.Helper()
	for name, data := range files {
		mode := fs.FileMode(0o644)
		if m, ok := modes[name]; ok {
			mode = m
		}
		p := filepath.Join(e.root, name)
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
	}
	e.snapshot(t, e.root, true)
}

const refRoot = "/var/tmp/lure-bookworm-rootfs"

func TestDiffFile(t *testing.T) {
	env := buildDiffEnv(t)
	files := map[string]string{
		"s.sh": "#!/bin/sh\necho\n", "b.sh": "#!/bin/bash\n", "u": "h\xc3\xa9llo\n", "crlf": "a\r\nb\r\n",
		"nonl": "x", "two": "ab", "bin": "\x00\x01\x02", "p.py": "#!/usr/bin/env python3\nprint(1)\n",
		"x.php": "<?php\n", "latin": "\xe9t\xe9\n", "pl": "#!/usr/bin/perl\n", "eb": "#!/usr/bin/env bash\necho\n",
		"fo": "#!/usr/bin/foo\n", "j.json": "{\"a\":1}\n", "esc": "a\tb\x1b[0m\n", "long": strings.Repeat("a", 2000),
		"key": "-----BEGIN OPENSSH PRIVATE KEY-----\n", "rkey": "-----BEGIN RSA PRIVATE KEY-----\n", "pub": "ssh-rsa AAAA x\n",
		"suid": "#!/bin/sh\n", "tiny": "\x7fELF",
	}
	modes := map[string]fs.FileMode{"s.sh": 0o755, "p.py": 0o755, "eb": 0o755, "fo": 0o755, "pl": 0o755, "suid": fs.ModeSetuid | 0o755}
	for _, bin := range []string{"usr/bin/ls", "usr/lib/x86_64-linux-gnu/libc.so.6", "usr/bin/sudo"} {
		data, err := os.ReadFile(filepath.Join(refRoot, bin))
		if err != nil {
			t.Fatalf("the file tests need the reference tree: %v", err)
		}
		files[filepath.Base(bin)] = string(data)
	}
	modes["sudo"] = fs.ModeSetuid | 0o755
	env.addHostFiles(t, files, modes)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	cases := []string{
		"file " + strings.Join(names, " "),
		"file a.txt empty sub link dangling exec.sh tabs.txt big.bin nope",
		"file -b a.txt nope",
		"file -L link dangling",
		"file -E nope",
		"file",
		"file -y a.txt",
		"file --nope a.txt",
		"file --version",
		"file -N -F '|' a.txt sub",
		"file -i s.sh u empty sub link bin latin p.py pl j.json x.php key nonl crlf ls libc.so.6 sudo nope",
		"file --mime-type u ls",
		"file -b --mime-encoding u latin a.txt",
	}
	for _, line := range cases {
		t.Run(line, func(t *testing.T) {
			wo, we, ws := env.runReal(t, line, "")
			gor, ge, gs := env.runEmu(t, line, "")
			if wo != gor || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%s\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%s\nstderr:\n%q", line, ws, wo, we, gs, gor, ge)
			}
		})
	}
}

// TestFileTruncatedELF checks the persona's case: the image holds a binary's first 4 KiB
// and its real size; file must still print what Debian's file prints for the whole binary.
func TestFileTruncatedELF(t *testing.T) {
	for _, bin := range []string{"/usr/bin/ls", "/usr/bin/bash", "/usr/sbin/sshd", "/usr/bin/passwd"} {
		full := filepath.Join(refRoot, bin)
		data, err := os.ReadFile(full)
		if err != nil {
			t.Fatalf("the file tests need the reference tree: %v", err)
		}
		fi, err := os.Stat(full)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("file", "-b", full).Output()
		if err != nil {
			t.Fatal(err)
		}
		img := vfs.NewMemImage()
		img.Add("/usr", vfs.Meta{Mode: fs.ModeDir | 0o755}, nil)
		img.Add(filepath.Dir(bin), vfs.Meta{Mode: fs.ModeDir | 0o755}, nil)
		img.Add(bin, vfs.Meta{Mode: fi.Mode(), Size: fi.Size()}, data[:4096])
		s := &miniShell{reg: Default(), fs: vfs.NewMemFS(img), dir: "/", env: map[string]string{"LANG": "C"}}
		var so, se bytes.Buffer
		s.run(context.Background(), "file -b "+bin, nil, &so, &se)
		if so.String() != string(out) || se.Len() != 0 {
			t.Errorf("file -b %s (first 4 KiB):\n got %q\nwant %q\nstderr %q", bin, so.String(), out, se.String())
		}
	}
}

// FuzzFileMagic feeds arbitrary content to file's classifier (ELF headers included): it
// parses attacker-supplied bytes, so it must never panic.
func FuzzFileMagic(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join(refRoot, "usr/bin/ls")); err == nil {
		f.Add(data[:4096], true)
	}
	f.Add([]byte("\x7fELF\x02\x01\x01\x00"), true)
	f.Add([]byte("#!/bin/sh\necho\n"), false)
	f.Add([]byte("\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\x03x\x00"), true)
	c := newCmd(&Proc{Args: []string{"file"}, Env: map[string]string{}})
	f.Fuzz(func(t *testing.T, data []byte, complete bool) {
		m := vfs.Meta{Mode: 0o755, Size: int64(len(data))}
		if !complete {
			m.Size += 4096
		}
		_ = c.fileMagic(data, m, "/x", complete)
	})
}

// TestFilePersona runs file over the default persona (binaries held as their first 4 KiB)
// and compares with Debian's file over the whole reference tree.
func TestFilePersona(t *testing.T) {
	p, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := &miniShell{reg: Default(), fs: vfs.NewMemFS(p), dir: "/", env: map[string]string{"LANG": "C"}}
	for _, bin := range []string{"/usr/bin/ls", "/usr/bin/sudo", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/sbin/sshd", "/usr/bin/zcat", "/etc/passwd", "/bin"} {
		want, err := exec.Command("file", "-b", filepath.Join(refRoot, bin)).Output()
		if err != nil {
			t.Fatalf("file on the reference tree: %v", err)
		}
		var so, se bytes.Buffer
		s.run(context.Background(), "file -b "+bin, nil, &so, &se)
		if so.String() != string(want) {
			t.Errorf("file -b %s:\n got %q\nwant %q", bin, so.String(), want)
		}
	}
	var so, se bytes.Buffer
	s.run(context.Background(), "stat -c '%t %T %F' /dev/null", nil, &so, &se)
	if so.String() != "1 3 character special file\n" {
		t.Errorf("stat of /dev/null = %q", so.String())
	}
}
