package commands

import (
	"bytes"
	"context"
	"io/fs"
	"os/exec"
	"testing"

	"github.com/lure-sensor/lure/internal/vfs"
)

func TestDiffTar(t *testing.T) {
	hostArchives := func(t *testing.T, env *diffEnv) {
		t.Helper()
		mk := func(args ...string) string {
			cmd := exec.Command("tar", args...)
			cmd.Dir = env.root
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("tar %v: %v", args, err)
			}
			return string(out)
		}
		env.addHostFiles(t, map[string]string{
			"h.tar": mk("cf", "-", "a.txt", "empty", "sub/c.txt", "link", "exec.sh"),
			"h.tgz": mk("czf", "-", "a.txt", "b.txt"),
		}, nil)
	}
	env := buildDiffEnv(t)
	hostArchives(t, env)
	runDiffCasesEnv(t, env, []diffCase{
		{line: "tar tf h.tar"}, {line: "tar tvf h.tar"}, {line: "tar -tvf h.tgz"}, {line: "tar tzf h.tgz"},
		{line: "tar -t -v -z -f h.tgz"}, {line: "tar tf nope"}, {line: "tar tf a.txt"}, {line: "tar tf big.bin"},
		{line: "tar tzf h.tar"}, {line: "tar cf x.tar"}, {line: "tar"}, {line: "tar -q"}, {line: "tar -xOf h.tar a.txt"},
		{line: "tar tvf -", stdin: ""}, {line: "tar cf - a.txt | tar tvf -"}, {line: "tar czf - a.txt b.txt | tar tzvf -"},
		{line: "tar cvf - a.txt b.txt exec.sh | tar tf -"}, {line: "tar cf - /etc/passwd | tar tf -"},
	})
	for _, line := range []string{
		"tar cvf x.tar a.txt b.txt link empty; tar tvf x.tar",
		"tar xvf h.tar -C sub/deep; stat -c '%n %a %s %Y %U' sub/deep/a.txt sub/deep/sub/c.txt sub/deep/link sub/deep/exec.sh",
		"tar xzf h.tgz -C sub; cat sub/a.txt sub/b.txt; stat -c '%n %Y' sub/b.txt",
		"tar xf h.tar -C nodir",
		"tar cf y.tar nope a.txt; tar tf y.tar",
		"tar -czvf z.tgz words.txt; tar -tzvf z.tgz",
	} {
		t.Run(line, func(t *testing.T) {
			env := buildDiffEnv(t)
			hostArchives(t, env)
			gor, ge, gs := env.runEmu(t, line, "")
			wo, we, ws := env.runReal(t, line, "")
			if wo != gor || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%s\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%s\nstderr:\n%q", line, ws, wo, we, gs, gor, ge)
			}
		})
	}
}

// TestTarHostReads checks that the host's tar lists what the emulation writes.
func TestTarHostReads(t *testing.T) {
	env := buildDiffEnv(t)
	for _, flags := range []string{"cf", "czf"} {
		list := "tvf"
		if flags == "czf" {
			list = "tzvf"
		}
		s := &miniShell{reg: Default(), fs: vfs.NewMemFS(env.img), dir: env.root, env: map[string]string{"LANG": "C", "TZ": "UTC"}}
		var so, se bytes.Buffer
		s.run(context.Background(), "tar "+flags+" - a.txt sub link", nil, &so, &se)
		cmd := exec.Command("tar", list, "-")
		cmd.Env = []string{"TZ=UTC", "LANG=C"}
		cmd.Stdin = bytes.NewReader(so.Bytes())
		real, err := cmd.Output()
		if err != nil {
			t.Fatalf("host tar cannot read the emulation's %s archive: %v", flags, err)
		}
		s2 := &miniShell{reg: Default(), fs: vfs.NewMemFS(env.img), dir: env.root, env: map[string]string{"LANG": "C", "TZ": "UTC"}}
		var lo bytes.Buffer
		s2.run(context.Background(), "tar "+list+" -", bytes.NewReader(so.Bytes()), &lo, &se)
		if lo.String() != string(real) {
			t.Errorf("listing of the %s archive:\nhost:\n%s\nemulated:\n%s", flags, real, lo.String())
		}
	}
}

// TestTarUserUmask: a non-root user extracts with the umask applied and keeps no setuid bit;
// root keeps the archived mode.
func TestTarUserUmask(t *testing.T) {
	img := vfs.NewMemImage()
	img.Add("/w", vfs.Meta{Mode: 0o777 | fs.ModeDir}, nil)
	img.Add("/w/s", vfs.Meta{Mode: 0o777 | fs.ModeSetuid, Size: 2}, []byte("x\n"))
	for _, tc := range []struct {
		uid  int
		want fs.FileMode
	}{{1000, 0o755}, {0, 0o777 | fs.ModeSetuid}} {
		fsys := vfs.NewMemFS(img)
		run := func(args ...string) {
			var so, se bytes.Buffer
			p := &Proc{Ctx: context.Background(), Args: args, Stdin: bytes.NewReader(nil), Stdout: &so, Stderr: &se,
				FS: fsys, Dir: "/w", Env: map[string]string{}, Umask: 0o022}
			p.User.UID = tc.uid
			if st := tarMain(p); st != 0 {
				t.Fatalf("%v: status %d, %s", args, st, se.String())
			}
		}
		run("tar", "cf", "a.tar", "s")
		fsys.Mkdir("/w/out", 0o777)
		run("tar", "xf", "a.tar", "-C", "out")
		m, err := fsys.Lstat("/w/out/s")
		if err != nil {
			t.Fatal(err)
		}
		if m.Mode != tc.want {
			t.Errorf("uid %d: extracted mode %v, want %v", tc.uid, m.Mode, tc.want)
		}
	}
}
