package commands

import (
	"strings"
	"testing"
)

// getconfHostDependent are the names whose values come from the persona (or from the
// filesystem a path is on), not from glibc: the comparison with the host leaves them out.
var getconfHostDependent = map[string]bool{
	"CHILD_MAX": true, "_POSIX_CHILD_MAX": true, "SIGQUEUE_MAX": true, "OPEN_MAX": true, "_POSIX_OPEN_MAX": true,
	"_NPROCESSORS_CONF": true, "_NPROCESSORS_ONLN": true, "_PHYS_PAGES": true, "_AVPHYS_PAGES": true,
}

func TestGetconfMatchesHost(t *testing.T) {
	hostTool(t, "getconf")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	// Everything glibc answers by itself is the same on any x86_64 Debian 12.
	for _, args := range [][]string{
		{"LONG_BIT"}, {"PAGESIZE"}, {"PAGE_SIZE"}, {"ARG_MAX"}, {"CLK_TCK"}, {"INT_MAX"}, {"UINT_MAX"},
		{"GNU_LIBC_VERSION"}, {"PATH"}, {"CS_PATH"}, {"LFS_CFLAGS"}, {"LFS64_CFLAGS"}, {"_POSIX_V7_ILP32_OFF32"},
		{"MQ_OPEN_MAX"}, {"HOST_NAME_MAX"}, {"NOPE"}, {"long_bit"}, {"-q"}, {"-h"}, {}, {"-v"},
		{"LONG_BIT", "X", "Y"}, {"NOPE", "/"}, {"NOPE", "X", "Y"}, {"-a", "/", "x"}, {"-a", "-v", "X"},
		{"-v", "XX", "LONG_BIT"}, {"-vPOSIX_V7_LP64_OFF64", "LONG_BIT"}, {"--", "LONG_BIT"}, {"PATH_MAX"},
		{"FILESIZEBITS"}, {"PATH_MAX", "/nonexistent"}, {"PIPE_BUF", "/"}, {"SYMLINK_MAX", "/"},
		{"PAGESIZE", "/"}, {"--help"},
	} {
		wantOut, wantErr, wantSt := hostRun(t, env, "getconf", args...)
		e := newTestEnv(t)
		out, errs, st := e.run(append([]string{"getconf"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("getconf %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
	hostAll, _, _ := hostRun(t, env, "getconf", "-a")
	e := newTestEnv(t)
	all, _, st := e.run("getconf", "-a")
	if st != 0 {
		t.Fatalf("getconf -a: status %d", st)
	}
	got, want := strings.Split(all, "\n"), strings.Split(hostAll, "\n")
	if len(got) != len(want) {
		t.Fatalf("getconf -a: %d lines, the host's has %d", len(got), len(want))
	}
	for i := range got {
		name := strings.Fields(want[i] + " x")[0]
		if getconfHostDependent[name] || getconfPathVars[name] || strings.HasPrefix(name, "LEVEL") {
			if !strings.HasPrefix(got[i], name+" ") {
				t.Errorf("getconf -a line %d: %q, the host has %q", i+1, got[i], want[i])
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("getconf -a line %d: %q, the host has %q", i+1, got[i], want[i])
		}
	}
}

func TestGetconfPersona(t *testing.T) {
	e := newTestEnv(t)
	e.img.AddFile("/proc/mounts", "/dev/vda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\n", 0o444)
	e.img.AddDir("/dev/shm", 0o1777)
	// testMeminfo: MemTotal 2014420 kB, MemFree 1203544 kB; two CPUs.
	for _, c := range []struct {
		args []string
		out  string
	}{
		{[]string{"getconf", "_NPROCESSORS_ONLN"}, "2\n"},
		{[]string{"getconf", "_NPROCESSORS_CONF"}, "2\n"},
		{[]string{"getconf", "_PHYS_PAGES"}, "503605\n"},
		{[]string{"getconf", "_AVPHYS_PAGES"}, "300886\n"},
		{[]string{"getconf", "CHILD_MAX"}, "7812\n"},
		{[]string{"getconf", "OPEN_MAX"}, "1024\n"},
		{[]string{"getconf", "LINK_MAX", "/"}, "65000\n"},
		{[]string{"getconf", "LINK_MAX", "/dev/shm"}, "127\n"},
		{[]string{"getconf", "FILESIZEBITS", "/proc"}, "32\n"},
		{[]string{"getconf", "LINK_MAX", "/nonexistent"}, "undefined\n"},
		{[]string{"getconf", "LEVEL1_ICACHE_ASSOC"}, "undefined\n"},
	} {
		e.expect(c.args, c.out, "", 0)
	}
	out, _, _ := e.run("getconf", "-a", "/nonexistent")
	if !strings.HasPrefix(out, "LINK_MAX                           \n_POSIX_LINK_MAX                    \nMAX_CANON                          255\n") {
		t.Errorf("getconf -a /nonexistent starts %q", out[:min(len(out), 120)])
	}
}
