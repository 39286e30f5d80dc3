package commands

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// aptHost prepares the host's apt to answer from a copy of the reference tree's apt state
// (lists, sources, dpkg status) inside a network namespace without any interface up, which
// is the state the persona is in. It returns a runner.
func aptHost(t *testing.T, root string) func(env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	hostTool(t, "apt-get")
	hostTool(t, "unshare")
	dir := t.TempDir()
	for _, d := range []string{"lists/partial", "cache/archives/partial", "etc", "dpkg", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lists, _ := filepath.Glob(filepath.Join(root, "var/lib/apt/lists/*_*"))
	for _, l := range lists {
		if err := os.Symlink(l, filepath.Join(dir, "lists", filepath.Base(l))); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(root, "etc/apt"), filepath.Join(dir, "etc/")).CombinedOutput(); err != nil {
		t.Fatalf("copying etc/apt: %v %s", err, out)
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/apt/extended_states"} {
		b, _ := os.ReadFile(filepath.Join(root, f))
		dst := filepath.Join(dir, "dpkg/status")
		if strings.HasSuffix(f, "extended_states") {
			dst = filepath.Join(dir, "extended_states")
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := []string{"-o", "Dir::State=" + dir, "-o", "Dir::State::Lists=" + dir + "/lists", "-o", "Dir::State::status=" + dir + "/dpkg/status",
		"-o", "Dir::Etc=" + dir + "/etc/apt", "-o", "Dir::Etc::Parts=" + dir + "/etc/apt/apt.conf.d", "-o", "Dir::Cache=" + dir + "/cache",
		"-o", "Dir::Log=" + dir + "/log", "-o", "Debug::NoLocking=1",
		"-o", "APT::Architecture=amd64", "-o", "APT::Sandbox::User=root"}
	return func(env []string, stdin string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command("unshare", append(append([]string{"-n"}, args...), opts...)...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
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
}

// withAptState gives the test image the reference's apt configuration, list names and
// dpkg database.
func (e *tenv) withAptState(t *testing.T, root string) *tenv {
	e.withDpkgDB(t, root)
	filepath.WalkDir(filepath.Join(root, "etc/apt"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel := strings.TrimPrefix(p, root)
		if d.IsDir() {
			e.img.AddDir(rel, 0o755)
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && d.Type().IsRegular() {
			e.img.AddFile(rel, string(b), 0o644)
		}
		return nil
	})
	lists, _ := filepath.Glob(filepath.Join(root, "var/lib/apt/lists/*_*"))
	for _, l := range lists {
		// the persona keeps the lists' heads only; apt here only needs them to exist
		e.img.AddFile("/var/lib/apt/lists/"+filepath.Base(l), "Package: placeholder\n", 0o644)
	}
	b, _ := os.ReadFile(filepath.Join(root, "var/lib/apt/extended_states"))
	e.img.AddFile("/var/lib/apt/extended_states", string(b), 0o644)
	return e
}

var aptVersionLine = regexp.MustCompile(`(?m)^apt \S+ \(amd64\)$`)

// aptErrPhase sorts the part of a download log after the first "Err:" line: real apt's
// concurrent queues interleave the retries of packages with a second source differently
// from run to run, so only the set of lines is compared there.
func aptErrPhase(s string) string {
	i := strings.Index(s, "\nErr:")
	if i < 0 {
		return s
	}
	head, tail := s[:i+1], s[i+1:]
	var entries []string
	for _, l := range strings.SplitAfter(tail, "\n") {
		if strings.HasPrefix(l, "  ") && len(entries) > 0 {
			entries[len(entries)-1] += l
			continue
		}
		if l != "" {
			entries = append(entries, l)
		}
	}
	sort.Strings(entries)
	return head + strings.Join(entries, "")
}

var aptDelayedWarning = regexp.MustCompile(`(?m)^W: Tried to start delayed item .*, but failed\n`)

func TestAptMatchesHost(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED (not a pass) in -short mode: runs the host's apt about 40 times (a minute or more)")
	}
	root := referenceRoot(t)
	host := aptHost(t, root)
	cases := []struct {
		args  []string
		stdin string
		lang  string
	}{
		{args: []string{"apt-get", "update"}}, {args: []string{"apt", "update"}},
		{args: []string{"apt-get", "install", "-y", "nmap"}}, {args: []string{"apt", "install", "nmap"}},
		{args: []string{"apt-get", "install", "nmap"}, stdin: "n\n"}, {args: []string{"apt", "install", "nmap"}, stdin: "y\n"},
		{args: []string{"apt-get", "install", "-y", "curl"}}, {args: []string{"apt", "install", "-y", "curl", "wget"}},
		{args: []string{"apt-get", "install", "-y", "nosuchpkg"}}, {args: []string{"apt-get", "install", "-y", "curl", "nosuchpkg"}},
		{args: []string{"apt-get", "upgrade", "-y"}}, {args: []string{"apt", "upgrade"}}, {args: []string{"apt-get", "dist-upgrade", "-y"}},
		{args: []string{"apt-get", "install"}}, {args: []string{"apt-get"}}, {args: []string{"apt"}}, {args: []string{"apt", "--version"}},
		{args: []string{"apt-get", "foo"}}, {args: []string{"apt-get", "-qq", "install", "-y", "nmap"}},
		{args: []string{"apt-get", "-q", "install", "-y", "curl"}}, {args: []string{"apt-get", "install", "-y", "masscan"}},
		{args: []string{"apt-get", "install", "-y", "python3-pip"}}, {args: []string{"apt-get", "install", "-y", "build-essential"}},
		{args: []string{"apt-get", "install", "-y", "gcc", "make"}}, {args: []string{"apt-get", "install", "-y", "screen", "tor"}},
		{args: []string{"apt-get", "install", "--no-install-recommends", "-y", "python3-pip"}},
		{args: []string{"apt-get", "install", "-y", "docker.io"}}, {args: []string{"apt-get", "install", "-y", "libpcap-dev"}},
		{args: []string{"apt", "install", "-y", "zmap", "hping3", "sshpass"}},
		{args: []string{"apt-get", "install", "-y", "nmap"}, lang: "en_US.UTF-8"},
		{args: []string{"apt", "list", "--installed"}}, {args: []string{"apt", "list", "nmap"}}, {args: []string{"apt", "list", "nmap*"}},
		{args: []string{"apt", "list", "bash"}}, {args: []string{"apt", "list", "--upgradable"}},
		{args: []string{"apt-get", "remove", "nosuch"}}, {args: []string{"apt-get", "remove", "nmap"}},
		{args: []string{"apt-get", "remove", "htop"}}, {args: []string{"apt", "remove", "--purge", "tmux"}},
	}
	only := os.Getenv("LURE_APT_CASE") // a substring of the joined arguments, to run one case
	for _, tc := range cases {
		if only != "" && !strings.Contains(strings.Join(tc.args, " "), only) {
			continue
		}
		lang := tc.lang
		if lang == "" {
			lang = "C.UTF-8"
		}
		if lang == "en_US.UTF-8" {
			hostLocale(t, "en_US.utf8")
		}
		env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=" + lang}
		want, wantErr, wantSt := host(env, tc.stdin, tc.args...)
		e := newTestEnv(t).withAptState(t, root)
		e.img.AddFile("/etc/locale.gen", "en_US.UTF-8 UTF-8\n", 0o644)
		e.env["LANG"] = lang
		got, gotErr, gotSt := e.runIn(tc.stdin, tc.args...)
		// Real apt sometimes warns "Tried to start delayed item ..., but failed" when its download
		// queues race (it differs from run to run on the same input): not part of the comparison.
		wantErr = aptDelayedWarning.ReplaceAllString(wantErr, "")
		want = aptErrPhase(aptVersionLine.ReplaceAllString(want, "apt V (amd64)"))
		got = aptErrPhase(aptVersionLine.ReplaceAllString(got, "apt V (amd64)"))
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("%q (stdin %q, LANG=%s):\n got  %d stderr %q\n want %d stderr %q", tc.args, tc.stdin, lang, gotSt, short(gotErr), wantSt, short(wantErr))
			gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
			for i := 0; i < len(gl) || i < len(wl); i++ {
				g, w := "<none>", "<none>"
				if i < len(gl) {
					g = gl[i]
				}
				if i < len(wl) {
					w = wl[i]
				}
				if g != w {
					t.Errorf("  stdout line %d:\n got  %q\n want %q", i+1, g, w)
					break
				}
			}
			el, wel := strings.Split(gotErr, "\n"), strings.Split(wantErr, "\n")
			for i := 0; i < len(el) && i < len(wel); i++ {
				if el[i] != wel[i] {
					t.Errorf("  stderr line %d:\n got  %q\n want %q", i+1, el[i], wel[i])
					break
				}
			}
		}
	}
}
