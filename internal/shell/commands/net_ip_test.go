package commands

import (
	"strings"
	"testing"
)

// TestIPLoopbackMatchesHost compares ip's formats on the one interface every Linux host
// has the same way: lo.
func TestIPLoopbackMatchesHost(t *testing.T) {
	hostTool(t, "ip")
	e := newTestEnv(t)
	for _, args := range [][]string{
		{"a", "show", "lo"}, {"-4", "a", "show", "lo"}, {"-6", "addr", "show", "dev", "lo"}, {"-o", "a", "show", "lo"},
		{"-br", "a", "show", "lo"}, {"-br", "l", "show", "lo"}, {"link", "show", "lo"}, {"a", "show", "nosuch0"},
		{"-o", "-4", "addr", "show", "lo"}, {"-f", "inet", "a", "s", "lo"},
	} {
		want, wantErr, wantSt := hostRun(t, []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, "ip", args...)
		got, gotErr, gotSt := e.run(append([]string{"ip"}, args...)...)
		if got != want || gotErr != wantErr || gotSt != wantSt {
			t.Errorf("ip %q:\n got  %d %q %q\n want %d %q %q", args, gotSt, got, gotErr, wantSt, want, wantErr)
		}
	}
}

// TestIPNoWayOut: the persona's box has its subnet and no default route.
func TestIPNoWayOut(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"ip", "route", "show", "default"}, "", "", 0)
	e.expect([]string{"ip", "route", "get", "8.8.8.8"}, "", "RTNETLINK answers: Network is unreachable\n", 2)
	out, _, _ := e.run("ip", "-4", "addr", "show")
	if strings.Contains(out, "link/") || strings.Contains(out, "inet6") || !strings.Contains(out, "    altname enp0s3\n    inet ") {
		t.Errorf("ip -4 addr show:\n%s", out)
	}
	out, _, _ = e.run("ip", "r")
	if strings.Contains(out, "default") || !strings.Contains(out, " dev eth0 proto kernel scope link src ") {
		t.Errorf("ip r:\n%s", out)
	}
}

// TestCurlVersionFollowsPackages: curl -V names the OpenSSL of the installed libssl3 and
// curl's own Debian release.
func TestCurlVersionFollowsPackages(t *testing.T) {
	e := newTestEnv(t)
	e.img.AddFile("/var/lib/dpkg/status", "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 3.0.22-1~deb12u2\n\n"+
		"Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u15\n", 0o644)
	out, _, st := e.run("curl", "--version")
	if st != 0 || !strings.Contains(out, " OpenSSL/3.0.22 zlib/1.2.13 ") || !strings.Contains(out, "security patched: 7.88.1-10+deb12u15\n") {
		t.Errorf("curl --version:\n%s", out)
	}
}

// TestLscpuTopologyFromCpuinfo: sockets, cores and threads come from /proc/cpuinfo.
func TestLscpuTopologyFromCpuinfo(t *testing.T) {
	e := newTestEnv(t)
	cpu := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 0\ncpu cores\t: 2\n\n" +
		"processor\t: 1\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 1\ncpu cores\t: 2\n\n"
	e.img.AddFile("/proc/cpuinfo", cpu, 0o444)
	out, _, _ := e.run("lscpu")
	for _, want := range []string{"Thread(s) per core:", "Core(s) per socket:", "Socket(s):"} {
		if !strings.Contains(out, want) {
			t.Fatalf("lscpu lacks %s:\n%s", want, out)
		}
	}
	fields := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	if fields["Thread(s) per core"] != "1" || fields["Core(s) per socket"] != "2" || fields["Socket(s)"] != "1" {
		t.Errorf("topology: %v", fields)
	}
}
