package commands

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// execEnv turns the test session into an exec request (no pty, not interactive) running line.
func (e *tenv) execLine(line string) *tenv {
	e.sess.Interactive = false
	e.sess.TTY = ""
	e.sess.History = func() []string { return []string{line} }
	delete(e.env, "TERM")
	return e
}

// TestExecReplacesShellLikeBash checks, against the host's bash 5.2, which command lines
// leave a "bash -c" process around the program and which ones bash replaces by the program:
// the program here is `ps -o args= -p $$`, which prints its own line when bash exec'd it.
func TestExecReplacesShellLikeBash(t *testing.T) {
	hostTool(t, "bash")
	hostTool(t, "ps")
	const prog = "ps -o args= -p $$"
	lines := []string{
		prog, ": ; " + prog, "true && " + prog, "false || " + prog, prog + " | cat", prog + "; true",
		prog + " 2>/dev/null", "(" + prog + ")", "{ " + prog + "; }", "f(){ :; }; " + prog,
		"trap 'echo' EXIT; " + prog, "! " + prog, "x=1 " + prog, "true | true; " + prog,
		"if true; then " + prog + "; fi", "true && { " + prog + "; }", "trap '' INT; " + prog,
		prog + " && true", "exec " + prog, "command " + prog, "echo a >/dev/null; " + prog,
	}
	for _, line := range lines {
		out, _, _ := hostRun(t, []string{"PATH=/usr/bin:/bin"}, "bash", "-c", line)
		hostReplaced := strings.HasPrefix(out, "ps ")
		if !hostReplaced && !strings.HasPrefix(out, "bash -c ") {
			t.Fatalf("host bash -c %q printed %q, expected its ps or bash line", line, out)
		}
		e := newTestEnv(t).execLine(line)
		c := newCmd(&Proc{Args: []string{"ps", "-o", "args=", "-p", "1042"}, Env: e.env, Session: e.sess, Persona: e.per})
		if got := c.shape().replaced; got != hostReplaced {
			t.Errorf("bash -c %q: lure says replaced=%v, host bash %v (%q)", line, got, hostReplaced, strings.TrimSpace(out))
		}
	}
}

func TestExecPsShowsProgramInPlaceOfShell(t *testing.T) {
	e := newTestEnv(t).execLine("ps -ef")
	out, _, st := e.run("ps", "-ef")
	if st != 0 {
		t.Fatalf("ps -ef: status %d", st)
	}
	if strings.Contains(out, "bash -c") {
		t.Errorf("ps -ef run by exec still shows a bash -c process:\n%s", out)
	}
	want := "root        1042    1035  0 05:35 ?        00:00:00 ps -ef\n"
	if !strings.Contains(out, want) {
		t.Errorf("ps -ef lacks the exec'd program as the shell's pid under sshd\n got:\n%s\nwant line %q", out, want)
	}
	if !strings.Contains(out, "root        1035     512  0 05:33 ?        00:00:00 sshd: root@notty\n") {
		t.Errorf("ps -ef lacks sshd's notty session process:\n%s", out)
	}
	out, _, _ = e.run("ps", "aux")
	if !strings.Contains(out, " Rs   05:35   0:00 ps aux\n") {
		t.Errorf("ps aux: the exec'd ps should be a session leader (Rs):\n%s", out)
	}
}

func TestExecPipelineShowsShellAndMembers(t *testing.T) {
	e := newTestEnv(t).execLine("ps -ef | grep root | head -5")
	out, _, _ := e.run("ps", "-ef")
	for _, want := range []string{
		"root        1042    1035  0 05:33 ?        00:00:00 bash -c ps -ef | grep root | head -5\n",
		"root        1047    1042  0 05:35 ?        00:00:00 ps -ef\n",
		"root        1048    1042  0 05:35 ?        00:00:00 grep root\n",
		"root        1049    1042  0 05:35 ?        00:00:00 head -5\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ps -ef in a pipeline: missing %q in\n%s", want, out)
		}
	}
	// a builtin member is a forked copy of the shell
	e = newTestEnv(t).execLine("echo x | ps -ef")
	out, _, _ = e.run("ps", "-ef")
	if n := strings.Count(out, "bash -c echo x | ps -ef\n"); n != 2 {
		t.Errorf("echo in a pipeline should show as a second bash -c process, got %d:\n%s", n, out)
	}
}

func TestExecPkillNeverMatchesItself(t *testing.T) {
	e := newTestEnv(t).execLine("pkill -f xmrig")
	e.expect([]string{"pkill", "-f", "xmrig"}, "", "", 1)
	e = newTestEnv(t).execLine("pgrep -f xmrig")
	e.expect([]string{"pgrep", "-f", "xmrig"}, "", "", 1)
	// inside a longer line the bash -c process carries the pattern, as on Debian
	e = newTestEnv(t).execLine("pgrep -f xmrig; echo $?")
	e.expect([]string{"pgrep", "-f", "xmrig"}, "1042\n", "", 0)
	e = newTestEnv(t).execLine("pgrep -f cron")
	e.expect([]string{"pgrep", "-f", "cron"}, "480\n", "", 0)
}

func TestTopWithoutTerminal(t *testing.T) {
	e := newTestEnv(t).execLine("top")
	e.expect([]string{"top"}, "", "", 1)
	m, err := e.vfs().Stat("/root/.config/procps")
	if err != nil || !m.Mode.IsDir() || m.Mode.Perm() != 0o700 {
		t.Errorf("top should create ~/.config/procps 0700 like procps 4: %v %v", m.Mode, err)
	}
	if m, err := e.vfs().Stat("/root/.config"); err != nil || m.Mode.Perm() != 0o700 {
		t.Errorf("~/.config: %v %v", m.Mode, err)
	}
	// a terminal ncurses knows gets as far as tcgetattr on stdin
	e = newTestEnv(t).execLine("top")
	e.img.AddFile("/usr/share/terminfo/x/xterm", "\x1a\x01", 0o644)
	e.env["TERM"] = "xterm"
	e.expect([]string{"top"}, "", "top: failed tty get\n", 1)
	e.env["TERM"] = "no-such-term"
	e.expect([]string{"top"}, "", "", 1)
	// batch mode prints a frame
	out, _, st := e.run("top", "-bn1")
	if st != 0 || !strings.HasPrefix(out, "top - 05:35:28 up 3 days,  4:05,") {
		t.Errorf("top -bn1 without a terminal: %d %q", st, out)
	}
	// the first frame's CPU line is a short sample: a little work, mostly idle
	cpu := regexp.MustCompile(`(?m)^%Cpu\(s\): +[0-9]+\.[0-9] us, +[0-9]+\.[0-9] sy,  0\.0 ni, [0-9]{2}\.[0-9] id,  0\.0 wa,  0\.0 hi,  0\.0 si,  0\.0 st $`)
	if !cpu.MatchString(out) {
		t.Errorf("top -bn1 CPU line: %q", strings.Split(out, "\n")[2])
	}
}

// TestTopWithoutTerminalOnHost pins the texts above on the host's procps top.
func TestTopWithoutTerminalOnHost(t *testing.T) {
	hostTool(t, "top")
	hostTool(t, "setsid")
	home := t.TempDir()
	for _, tc := range []struct{ term, want string }{{"", ""}, {"xterm", "top: failed tty get\n"}, {"no-such-term", ""}} {
		env := []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
		if tc.term != "" {
			env = append(env, "TERM="+tc.term)
		}
		// setsid: no controlling terminal, as under sshd without a pty
		out, errs, st := hostRun(t, env, "setsid", "top")
		if out != "" || errs != tc.want || st != 1 {
			t.Errorf("host top with TERM=%q: %q %q %d, want \"\" %q 1", tc.term, out, errs, st, tc.want)
		}
	}
	if fi, err := os.Stat(home + "/.config/procps"); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("host top did not create ~/.config/procps 0700: %v", err)
	}
}
