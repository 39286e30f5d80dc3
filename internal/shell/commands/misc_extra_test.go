package commands

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/testenv"
)

// truncate against the host's: the same operations on a file holding "hello world\n",
// comparing messages, status and the sizes left behind.
func TestTruncateMatchesHost(t *testing.T) {
	bin := hostTool(t, "truncate")
	for _, args := range [][]string{
		{}, {"-s", "0"}, {"f"}, {"-s", "abc", "f"}, {"-s", "1Q", "f"}, {"-s", "0", "nodir/x"}, {"-s", "0", "."},
		{"-r", "nofile", "f"}, {"-s", "10", "-r", "nofile", "f"}, {"-s", "+5", "-c", "nope"}, {"-Z"},
		{"-s", "0", "f"}, {"-s", "5", "f"}, {"-s", "+5", "f"}, {"-s", "-5", "f"}, {"-s", "-50", "f"},
		{"-s", "<4", "f"}, {"-s", ">40", "f"}, {"-s", "/5", "f"}, {"-s", "%5", "f"}, {"-s", "/0", "f"},
		{"-s", "2K", "f"}, {"-s", "1KB", "f"}, {"-s", "1KiB", "f"}, {"-s", "1k", "new"}, {"-c", "-s", "3", "new"},
		{"-o", "-s", "1", "f"}, {"-r", "f", "new"}, {"-r", "f", "-s", "+3", "new"}, {"--size=7", "f", "new"},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello world\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, args...)
		cmd.Args[0], cmd.Dir, cmd.Env = "truncate", dir, []string{"LC_ALL=C"}
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		wantSt := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			wantSt = ee.ExitCode()
		}
		e := newTestEnv(t)
		e.env["LC_ALL"] = "C"
		e.img.AddFile("/root/f", "hello world\n", 0o644)
		out, errs, st := e.run(append([]string{"truncate"}, args...)...)
		if out != so.String() || errs != se.String() || st != wantSt {
			t.Errorf("truncate %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, so.String(), se.String(), wantSt)
		}
		for _, name := range []string{"f", "new"} {
			hm, herr := os.Stat(filepath.Join(dir, name))
			lm, lerr := e.vfs().Stat("/root/" + name)
			if (herr == nil) != (lerr == nil) || herr == nil && hm.Size() != lm.Size {
				t.Errorf("truncate %q: %s is %v/%v here, host %v/%v", args, name, lm.Size, lerr, hm, herr)
			}
		}
	}
	e := newTestEnv(t)
	e.img.AddFile("/root/f", "hello world\n", 0o644)
	e.expect([]string{"truncate", "-s", "5", "f"}, "", "", 0)
	if b, _ := e.vfs().ReadFile("/root/f"); string(b) != "hello" {
		t.Errorf("truncate -s 5 left %q", b)
	}
	e.expect([]string{"truncate", "-s", "7", "f"}, "", "", 0)
	if b, _ := e.vfs().ReadFile("/root/f"); string(b) != "hello\x00\x00" {
		t.Errorf("truncate -s 7 left %q", b)
	}
}

func TestLastlog(t *testing.T) {
	const head = "Username         Port     From                                       Latest\n"
	never := func(name string) string { return name + strings.Repeat(" ", 68-len(name)) + "**Never logged in**\n" }
	e := newTestEnv(t)
	e.sess.TTY = ""
	var all strings.Builder
	all.WriteString(head)
	for _, u := range []string{"root", "daemon", "bin", "www-data", "nobody", "systemd-timesync", "messagebus", "sshd", "deploy"} {
		all.WriteString(never(u))
	}
	e.expect([]string{"lastlog"}, all.String(), "", 0)
	e.expect([]string{"lastlog", "-u", "root"}, head+never("root"), "", 0)
	e.expect([]string{"lastlog", "-u", "0-2"}, head+never("root")+never("daemon")+never("bin"), "", 0)
	e.expect([]string{"lastlog", "-t", "5"}, "", "", 0)
	e.expect([]string{"lastlog", "-u", "nobody_x"}, "", "lastlog: Unknown user or range: nobody_x\n", 1)
	e.expect([]string{"lastlog", "-t", "abc"}, "", "lastlog: invalid numeric argument 'abc'\n", 1)
	e.expect([]string{"lastlog", "extra"}, "", "lastlog: unexpected argument: extra\n"+lastlogUsage, 1)
	e.expect([]string{"lastlog", "-Z"}, "", "lastlog: invalid option -- 'Z'\n"+lastlogUsage, 1)
	// a terminal session is recorded by sshd
	e.sess.TTY = "pts/0"
	e.expect([]string{"lastlog", "-u", "root"}, head+"root             pts/0    203.0.113.7                               Thu Nov 26 05:33:17 +0000 2026\n", "", 0)
	e.expect([]string{"lastlog", "-t", "1", "-u", "root"}, head+"root             pts/0    203.0.113.7                               Thu Nov 26 05:33:17 +0000 2026\n", "", 0)
}

func TestTimedatectlHostnamectl(t *testing.T) {
	// the default persona boots systemd without a D-Bus daemon: both tools cannot connect
	e := personaEnv(t)
	for _, prog := range []string{"timedatectl", "hostnamectl"} {
		e.expect([]string{prog}, "", "Failed to connect to bus: No such file or directory\n", 1)
		e.expect([]string{prog, "status"}, "", "Failed to connect to bus: No such file or directory\n", 1)
		e.expect([]string{prog, "-Z"}, "", prog+": invalid option -- 'Z'\n", 1)
		e.expect([]string{prog, "--version"}, systemdVersion, "", 0)
	}
	e.expect([]string{"timedatectl", "--help"}, timedatectlHelp, "", 0)

	// a box whose PID 1 is not systemd
	e = newTestEnv(t)
	e.per.Processes[0].Command = "/bin/sh"
	e.expect([]string{"timedatectl"}, "", "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n", 1)

	// systemd with D-Bus and timesyncd: the status from the persona's clock and facts
	e = newTestEnv(t)
	e.img.AddFile("/var/lib/dpkg/status", "Package: dbus\nStatus: install ok installed\n\nPackage: systemd-timesyncd\nStatus: install ok installed\n\n", 0o644)
	e.img.AddFile("/etc/machine-id", "8c1f0a3e5b7d4e2f9a6c0b1d2e3f4a5b\n", 0o444)
	e.img.AddSymlink("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC")
	e.img.AddFile("/usr/share/zoneinfo/Etc/UTC", "TZif2", 0o644)
	e.expect([]string{"timedatectl"}, "               Local time: Thu 2026-11-26 05:35:28 UTC\n"+
		"           Universal time: Thu 2026-11-26 05:35:28 UTC\n"+
		"                 RTC time: Thu 2026-11-26 05:35:28\n"+
		"                Time zone: Etc/UTC (UTC, +0000)\n"+
		"System clock synchronized: yes\n"+
		"              NTP service: active\n"+
		"          RTC in local TZ: no\n", "", 0)
	e.expect([]string{"timedatectl", "set-timezone", "Mars/Olympus"}, "", "Failed to set time zone: Invalid or not installed time zone 'Mars/Olympus'\n", 1)
	e.expect([]string{"timedatectl", "set-timezone", "Etc/UTC"}, "", "", 0)
	e.expect([]string{"timedatectl", "bogus"}, "", "Unknown command verb bogus.\n", 1)
	out, _, st := e.run("hostnamectl")
	if st != 0 || !strings.HasPrefix(out, " Static hostname: web-prod-03\n       Icon name: computer-vm\n         Chassis: vm\n      Machine ID: 8c1f0a3e5b7d4e2f9a6c0b1d2e3f4a5b\n         Boot ID: ") ||
		!strings.Contains(out, "\nOperating System: Debian GNU/Linux 12 (bookworm)\n          Kernel: Linux 6.1.0-28-amd64\n    Architecture: x86-64\n") {
		t.Errorf("hostnamectl: %d\n%s", st, out)
	}
	// the boot id is the one /proc/sys/kernel/random/boot_id (sysctl) shows
	bid, _, _ := e.run("sysctl", "-n", "kernel.random.boot_id")
	if !strings.Contains(out, "Boot ID: "+strings.ReplaceAll(strings.TrimSpace(bid), "-", "")+"\n") {
		t.Errorf("hostnamectl boot id differs from sysctl's %q:\n%s", bid, out)
	}
	e.expect([]string{"hostnamectl", "hostname"}, "web-prod-03\n", "", 0)
	e.asDeploy()
	e.expect([]string{"hostnamectl", "set-hostname", "x"}, "", "Could not set static hostname: Interactive authentication required.\n", 1)
	e.expect([]string{"timedatectl", "set-timezone", "Etc/UTC"}, "", "Failed to set time zone: Interactive authentication required.\n", 1)
}

// TestTimedatectlZoneFromPersona: the zone's rules come from the persona's tzdata in the vfs,
// never from the host's: here the persona's "Asia/Tokyo" holds Berlin's rules (a name the host
// also has, with other data), and timedatectl must show Berlin's time and offset.
func TestTimedatectlZoneFromPersona(t *testing.T) {
	berlin, err := os.ReadFile("/usr/share/zoneinfo/Europe/Berlin")
	if err != nil {
		testenv.SkipOrFail(t, "no tzdata on this machine to build the test zone from (apt-get install tzdata): %v", err)
	}
	e := newTestEnv(t)
	e.img.AddFile("/var/lib/dpkg/status", "Package: dbus\nStatus: install ok installed\n\n", 0o644)
	e.img.AddSymlink("/etc/localtime", "/usr/share/zoneinfo/Asia/Tokyo")
	e.img.AddFile("/usr/share/zoneinfo/Asia/Tokyo", string(berlin), 0o644)
	out, _, st := e.run("timedatectl")
	if st != 0 || !strings.Contains(out, "Local time: Thu 2026-11-26 06:35:28 CET\n") || !strings.Contains(out, "Time zone: Asia/Tokyo (CET, +0100)\n") {
		t.Errorf("timedatectl with the persona's own zone data: status %d\n%s", st, out)
	}
}
