package commands

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/testenv"
)

// referenceRoot is the debootstrapped Debian 12 tree the reference server runs from
// (read only here). Without it (or without root for chroot) the comparisons skip loudly.
func referenceRoot(t *testing.T) string {
	t.Helper()
	root := os.Getenv("LURE_REFERENCE_ROOT")
	if root == "" {
		root = "/var/tmp/lure-bookworm-rootfs"
	}
	if _, err := os.Stat(filepath.Join(root, "var/lib/dpkg/status")); err != nil {
		testenv.SkipOrFail(t, "no reference tree at %s (scripts/reference/build-rootfs.sh builds it)", root)
	}
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED (not a pass): comparing with the reference tree needs root for chroot")
	}
	return root
}

// withDpkgDB copies the reference tree's dpkg database into the test image.
func (e *tenv) withDpkgDB(t *testing.T, root string) *tenv {
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		e.img.AddFile("/"+f, string(b), 0o644)
	}
	lists, _ := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info/*.list"))
	for _, l := range lists {
		b, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		e.img.AddFile("/var/lib/dpkg/info/"+filepath.Base(l), string(b), 0o644)
	}
	return e
}

// chrootRun runs a program inside the reference tree (read-only queries only).
func chrootRun(t *testing.T, root string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("chroot", append([]string{root}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	st := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		st = ee.ExitCode()
	}
	return out.String(), errb.String(), st
}

func TestDpkgMatchesReference(t *testing.T) {
	root := referenceRoot(t)
	e := newTestEnv(t).withDpkgDB(t, root)
	for _, args := range [][]string{
		{"dpkg", "-l"}, {"dpkg", "-l", "openssh*"}, {"dpkg", "-l", "nmap"}, {"dpkg", "-l", "bash", "nosuch"},
		{"dpkg", "-l", "lib*"}, {"dpkg", "-l", "*"}, {"dpkg", "--list", "libc6"}, {"dpkg", "-l", "libc6:amd64"},
		{"dpkg", "-s", "bash"}, {"dpkg", "-s", "bash", "libc6"}, {"dpkg", "-s", "nosuch"}, {"dpkg", "-s", "openssh-sk-helper"},
		{"dpkg", "-L", "curl"}, {"dpkg", "-L", "libc6"}, {"dpkg", "-L", "nosuch"}, {"dpkg", "-S", "/bin/ls"},
		{"dpkg", "-S", "/usr/bin/ls"}, {"dpkg", "-S", "nosuchfile"}, {"dpkg", "--print-architecture"}, {"dpkg", "--version"},
		{"dpkg"}, {"dpkg", "--foo"}, {"dpkg", "-l", "-s", "bash"}, {"dpkg", "--get-selections"},
		{"dpkg-query", "-W"}, {"dpkg-query", "-W", "lib*"}, {"dpkg-query", "-W", "-f=${Package} ${Status} ${Installed-Size}\\n", "bash", "curl"},
		{"dpkg-query", "-W", "-f", "${binary:Package;-30}|${Version;12}|${db:Status-Abbrev}\\n"}, {"dpkg-query", "-W", "nosuch"},
		{"dpkg-query"}, {"dpkg-query", "-l", "wget"},
	} {
		want, wantErr, wantSt := chrootRun(t, root, args...)
		got, gotErr, gotSt := e.run(args...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("%q:\n got  %d %q\n      %q\n want %d %q\n      %q", args, gotSt, short(got), gotErr, wantSt, short(want), wantErr)
			if got != want {
				gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if gl[i] != wl[i] {
						t.Errorf("  first difference, line %d:\n got  %q\n want %q", i+1, gl[i], wl[i])
						break
					}
				}
			}
		}
	}
}
