package shell

import (
	"testing"

	"github.com/lure-sensor/lure/internal/persona"
)

// ulimitDiffScripts give the same answer on any Linux host running bash 5.2: they only
// lower limits, or fail before touching one, so the host's own defaults do not show.
var ulimitDiffScripts = []string{
	`ulimit -c 0 -d 500000 -f 2000 -i 100 -l 64 -m 3000 -n 50 -q 1000 -s 4096 -t 100 -u 50 -v 900000 -x 77; ulimit -a; ulimit -Ha; echo $?`,
	`ulimit -n 100; ulimit -n; ulimit -Hn; ulimit -Sn; ulimit -SHn`,
	`ulimit -Sn 100; ulimit -n; ulimit -n 200; echo $?; ulimit -n -u 10`,
	`ulimit -n 10 -u 20; ulimit -u; ulimit -n`,
	`ulimit -n 10 20; echo $?; ulimit -n`,
	`ulimit 300; ulimit; ulimit -f; ulimit -Hf; ulimit -c 7; ulimit -c; ulimit -S -c`,
	`ulimit -x 5 -Z; echo $?; ulimit -x`,
	`ulimit -z`,
	`ulimit -b; echo $?`,
	`ulimit -T 5; ulimit -k; ulimit -P`,
	`ulimit -nu; echo $?`,
	`ulimit -c -5; echo $?`,
	`ulimit -n abc; echo $?`,
	`ulimit -c 99999999999999999999999; echo $?`,
	`ulimit -c 18014398509481984; echo $?`,
	`ulimit -p 8; echo $?`,
	`ulimit -- -n; echo $?`,
	`ulimit --; echo $?`,
	`ulimit -n 500; ulimit -Sn 600; echo $?; ulimit -Hn 400; echo $?`,
	`ulimit -n 64; ulimit -n hard; ulimit -Sn 32; ulimit -n soft; ulimit -Hn; ulimit -Sn`,
	`ulimit -t 5 ; ulimit -t; ulimit -Ss 4096; ulimit -s; ulimit -v 1000; ulimit -v`,
	`(ulimit -n 77; ulimit -n); ulimit -n 88; ulimit -n; bash -c 'ulimit -n'`,
	`ulimit --help`,
}

func TestUlimitDifferential(t *testing.T) {
	if !hostBashVersionOK() {
		t.Skip("the host has no bash 5.2 to compare with")
	}
	for _, script := range ulimitDiffScripts {
		t.Run(script, func(t *testing.T) {
			wantOut, wantErr, wantSt := hostBash(t, t.TempDir(), script)
			s := newTestShell(t, testOpts{})
			gotOut, gotErr, gotSt := run(t, s, script)
			if gotOut != wantOut || gotErr != wantErr || gotSt != wantSt {
				t.Errorf("script %q\nbash: out=%q err=%q status=%d\nlure: out=%q err=%q status=%d",
					script, wantOut, wantErr, wantSt, gotOut, gotErr, gotSt)
			}
		})
	}
}

// The defaults are those of a systemd-booted Debian 12 server with the persona's memory;
// privilege checks follow setrlimit(2).
func TestUlimitDefaults(t *testing.T) {
	const all = `real-time non-blocking time  (microseconds, -R) unlimited
core file size              (blocks, -c) 0
data seg size               (kbytes, -d) unlimited
scheduling priority                 (-e) 0
file size                   (blocks, -f) unlimited
pending signals                     (-i) 31766
max locked memory           (kbytes, -l) 8192
max memory size             (kbytes, -m) unlimited
open files                          (-n) 1024
pipe size                (512 bytes, -p) 8
POSIX message queues         (bytes, -q) 819200
real-time priority                  (-r) 0
stack size                  (kbytes, -s) 8192
cpu time                   (seconds, -t) unlimited
max user processes                  (-u) 31766
virtual memory              (kbytes, -v) unlimited
file locks                          (-x) unlimited
`
	cases := []struct {
		user     persona.User
		script   string
		out, err string
		status   int
	}{
		{rootUser, `ulimit -a`, all, "", 0},
		{rootUser, `ulimit -Hn; ulimit -Hc; ulimit -Hs; ulimit -s`, "524288\nunlimited\nunlimited\n8192\n", "", 0},
		{rootUser, `ulimit -n 65535; ulimit -n; ulimit -Hn`, "65535\n65535\n", "", 0},
		{rootUser, `ulimit -n 2000000`, "", "bash: line 1: ulimit: open files: cannot modify limit: Operation not permitted\n", 1},
		{rootUser, `ulimit -n unlimited`, "", "bash: line 1: ulimit: open files: cannot modify limit: Operation not permitted\n", 1},
		{rootUser, `ulimit -u unlimited; ulimit -u; ulimit -c unlimited; ulimit -c`, "unlimited\nunlimited\n", "", 0},
		{plainUser, `ulimit -n 600000; echo $?; ulimit -n 65535; ulimit -Hn; ulimit -Sn 4096; ulimit -n`, "1\n65535\n4096\n", "bash: line 1: ulimit: open files: cannot modify limit: Operation not permitted\n", 0},
		{plainUser, `ulimit -c unlimited; ulimit -c; ulimit -l 100000`, "unlimited\n", "bash: line 1: ulimit: max locked memory: cannot modify limit: Operation not permitted\n", 1},
	}
	for _, c := range cases {
		s := newTestShell(t, testOpts{user: c.user})
		s.cfg.Persona.Hardware.MemTotalKB = 8146424
		out, errs, st := run(t, s, c.script)
		if out != c.out || errs != c.err || st != c.status {
			t.Errorf("%s as %s:\n out %q\nwant %q\n err %q\nwant %q\n status %d want %d", c.script, c.user.Name, out, c.out, errs, c.err, st, c.status)
		}
	}
}
