package commands

import (
	"strings"
	"testing"
)

// sysctlHostSafe refuses anything that could change the host's kernel settings: the
// comparison only ever reads.
func sysctlHostSafe(t *testing.T, args []string) {
	for _, a := range args {
		if strings.Contains(a, "=") || a == "-w" || a == "-p" || a == "-f" || strings.HasPrefix(a, "--load") ||
			a == "--system" || strings.HasPrefix(a, "--w") {
			t.Fatalf("test bug: %q would write to the host's sysctls", args)
		}
	}
}

func TestSysctlMatchesHost(t *testing.T) {
	hostTool(t, "sysctl")
	env := []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C"}
	for _, args := range [][]string{
		{"kernel.ostype"}, {"-n", "kernel.ostype"}, {"kernel/ostype"}, {"-N", "kernel.ostype"},
		{"-b", "kernel.ostype"}, {"foo.bar"}, {"-n", "foo.bar"}, {"-e", "foo.bar"}, {"-q", "foo.bar"},
		{"-N", "foo.bar"}, {"-n", "kernel.ostype", "foo.bar", "kernel.ostype"}, {}, {"-n"}, {"-o"}, {"-x"},
		{"-V"}, {"-h"}, {"-d"}, {"-Z"}, {"--foo"}, {"kernel.ostype", "kernel.arch"}, {"-ar", "^kernel.ostyp"},
		{"net.ipv4.conf.lo.nope"}, {"-N", "-r", "ostype", "-a"},
	} {
		sysctlHostSafe(t, args)
		wantOut, wantErr, wantSt := hostRun(t, env, "sysctl", args...)
		e := newTestEnv(t)
		out, errs, st := e.run(append([]string{"sysctl"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("sysctl %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
}

func TestSysctlPersona(t *testing.T) {
	e := newTestEnv(t)
	e.img.AddFile("/proc/sys/kernel/hostname", "web-prod-03\n", 0o644)
	e.img.AddFile("/proc/sys/kernel/osrelease", "6.1.0-28-amd64\n", 0o444)
	e.img.AddFile("/etc/sysctl.conf", "#kernel.domainname = example.com\n", 0o644)
	e.img.AddFile("/usr/lib/sysctl.d/50-pid-max.conf", "kernel.pid_max = 4194304\n", 0o644)
	e.img.AddFile("/usr/lib/sysctl.d/99-protect-links.conf", "fs.protected_fifos = 1\nfs.protected_hardlinks = 1\n", 0o644)
	e.img.AddFile("/etc/sysctl.d/99-sysctl.conf", "#\n", 0o644)
	// testMeminfo's MemTotal is 2014420 kB: max_threads (2014420-14308)/128 = 15625.
	for _, c := range []struct {
		args     []string
		out, err string
		status   int
	}{
		{[]string{"sysctl", "kernel.hostname"}, "kernel.hostname = web-prod-03\n", "", 0},
		{[]string{"sysctl", "-n", "kernel.osrelease"}, "6.1.0-28-amd64\n", "", 0},
		{[]string{"sysctl", "kernel.pid_max", "kernel.threads-max", "user.max_user_namespaces"}, "kernel.pid_max = 4194304\nkernel.threads-max = 15625\nuser.max_user_namespaces = 7812\n", "", 0},
		{[]string{"sysctl", "vm.swappiness", "net.ipv4.ip_forward"}, "vm.swappiness = 60\nnet.ipv4.ip_forward = 0\n", "", 0},
		{[]string{"sysctl", "-n", "kernel.watchdog_cpumask"}, "0-1\n", "", 0},
		{[]string{"sysctl", "-w", "vm.swappiness=10"}, "vm.swappiness = 10\n", "", 0},
		{[]string{"sysctl", "vm.swappiness=10"}, "vm.swappiness = 10\n", "", 0},
		{[]string{"sysctl", "-w", "vm.swappiness=abc"}, "", "sysctl: setting key \"vm.swappiness\": Invalid argument\n", 1},
		{[]string{"sysctl", "-w", "foo.bar=1"}, "", "sysctl: cannot stat /proc/sys/foo/bar: No such file or directory\n", 1},
		{[]string{"sysctl", "-w", "vm.swappiness"}, "", "sysctl: \"vm.swappiness\" must be of the form name=value\n", 1},
		{[]string{"sysctl", "-p", "/nonexistent"}, "", "sysctl: cannot open \"/nonexistent\": No such file or directory\n", 1},
		{[]string{"sysctl", "-p"}, "", "", 0},
		{[]string{"sysctl", "--system"}, "* Applying /usr/lib/sysctl.d/50-pid-max.conf ...\n* Applying /usr/lib/sysctl.d/99-protect-links.conf ...\n* Applying /etc/sysctl.d/99-sysctl.conf ...\n* Applying /etc/sysctl.conf ...\nkernel.pid_max = 4194304\nfs.protected_fifos = 1\nfs.protected_hardlinks = 1\n", "", 0},
		{[]string{"sysctl", "kernel.cad_pid"}, "kernel.cad_pid = 1\n", "", 0},
		{[]string{"sysctl", "net.ipv6.conf.all.stable_secret"}, "", "", 1},
	} {
		e.expect(c.args, c.out, c.err, c.status)
	}
	out, _, st := e.run("sysctl", "-a")
	if st != 0 || !strings.HasPrefix(out, "abi.vsyscall32 = 1\n") || !strings.Contains(out, "\nkernel.hostname = web-prod-03\n") ||
		!strings.Contains(out, "\nnet.ipv4.conf.eth0.forwarding = 0\n") || strings.Count(out, "\n") < 900 {
		t.Errorf("sysctl -a: status %d, %d lines, starts %q", st, strings.Count(out, "\n"), out[:min(len(out), 80)])
	}
	e.asDeploy()
	e.expect([]string{"sysctl", "-w", "vm.swappiness=10"}, "", "sysctl: permission denied on key \"vm.swappiness\"\n", 1)
	e.expect([]string{"sysctl", "kernel.cad_pid"}, "", "sysctl: permission denied on key 'kernel.cad_pid'\n", 1)
	_, errs, st := e.run("sysctl", "-a")
	if st != 0 || !strings.HasPrefix(errs, "sysctl: permission denied on key 'kernel.cad_pid'\n") || strings.Count(errs, "\n") != 14 {
		t.Errorf("sysctl -a as a user: status %d, stderr %q", st, errs)
	}
}
