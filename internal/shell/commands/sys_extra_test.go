package commands

import (
	"os"
	"strings"
	"testing"
)

// getent and hostid against the host's, fed the host's own files.
func TestGetentHostidMatchHost(t *testing.T) {
	hostTool(t, "getent")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	e := newTestEnv(t)
	for _, f := range []string{"/etc/passwd", "/etc/group", "/etc/hosts"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Skipf("SKIPPED (not a pass): cannot read the host's %s: %v", f, err)
		}
		e.img.AddFile(f, string(b), 0o644)
	}
	e.img.AddFile("/etc/services", "", 0o644)
	for _, args := range [][]string{
		{"passwd"}, {"group"}, {"passwd", "root"}, {"passwd", "0"}, {"passwd", "root", "nosuchuser"}, {"group", "0"},
		{"hosts", "localhost"}, {"hosts", "nosuchhost.invalid"}, {"foo"}, {}, {"-Z"},
	} {
		wantOut, wantErr, wantSt := hostRun(t, env, "getent", args...)
		out, errs, st := e.run(append([]string{"getent"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("getent %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
	if _, err := os.Stat("/etc/hostid"); err == nil {
		t.Log("the host has /etc/hostid; the hostid comparison reads its hosts file only")
		return
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	e.per.Hostname = host
	want, _, _ := hostRun(t, env, "hostid")
	e.expect([]string{"hostid"}, want, "", 0)
}

func TestSysExtraPersona(t *testing.T) {
	e := personaEnv(t)
	e.expect([]string{"hostid"}, "007f0101\n", "", 0)
	e.expect([]string{"systemd-detect-virt"}, "kvm\n", "", 0)
	e.expect([]string{"systemd-detect-virt", "-c"}, "none\n", "", 1)
	e.expect([]string{"systemd-detect-virt", "-q"}, "", "", 0)
	e.expect([]string{"getent", "hosts", "localhost"}, "::1             localhost ip6-localhost ip6-loopback\n", "", 0)
	e.expect([]string{"getent", "hosts", "web-prod-03"}, "127.0.1.1       web-prod-03.corp.internal web-prod-03\n", "", 0)
	e.expect([]string{"pidof", "cron", "rsyslogd"}, "450 453\n", "", 0)
	e.expect([]string{"pidof", "nosuch"}, "", "", 1)
	e.expect([]string{"pidof"}, "", "", 1)
	out, _, st := e.run("pidof", "sshd")
	if st != 0 || !strings.HasSuffix(out, " 465\n") {
		t.Errorf("pidof sshd = %q, %d; the listener 465 comes last", out, st)
	}
	out, _, _ = e.run("lsmod")
	if !strings.HasPrefix(out, "Module                  Size  Used by\n") || !strings.Contains(out, "\next4                 1007616  1\n") ||
		!strings.Contains(out, "\nfat                    94208  1 vfat\n") {
		t.Errorf("lsmod:\n%s", out)
	}
	e.expect([]string{"lsmod", "x"}, "", "Usage: lsmod\n", 1)
	e.asDeploy()
	e.expect([]string{"getent", "shadow", "root"}, "", "", 2)
}

func TestDmesg(t *testing.T) {
	hostTool(t, "dmesg")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	for _, args := range [][]string{{"-Z"}, {"--help"}, {"-V"}, {"--bogus"}} {
		wantOut, wantErr, wantSt := hostRun(t, env, "dmesg", args...)
		e := personaEnv(t)
		out, errs, st := e.run(append([]string{"dmesg"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("dmesg %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
	e := personaEnv(t)
	out, _, st := e.run("dmesg")
	version, _ := e.per.ReadFile("/proc/version")
	for _, want := range []string{"[    0.000000] " + strings.TrimSpace(string(version)) + "\n", "smp: Brought up 1 node, 4 CPUs\n",
		"] virtio_blk virtio2: [vda] 167772160 512-byte logical blocks (85.9 GB/80.0 GiB)\n", "]  vda: vda1 vda15\n",
		"] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.\n",
		"] systemd[1]: Hostname set to <web-prod-03>.\n", "] systemd-journald[151]: "} {
		if st != 0 || !strings.Contains(out, want) {
			t.Errorf("dmesg lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = e.run("dmesg", "-T")
	if !strings.HasPrefix(out, "["+e.per.BootTime.UTC().Format("Mon Jan _2 15:04:05 2006")+"] Linux version ") {
		t.Errorf("dmesg -T starts %q", out[:min(len(out), 60)])
	}
	e.asDeploy()
	e.expect([]string{"dmesg"}, "", "dmesg: read kernel buffer failed: Operation not permitted\n", 1)
}

func TestSyncNiceSwaponMatchHost(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C"}
	for _, args := range [][]string{
		{"sync"}, {"sync", "nosuchfile"}, {"sync", "-Z"}, {"sync", "--help"}, {"sync", "--version"},
		{"nice"}, {"nice", "-n", "5"}, {"nice", "-n", "abc", "ls"}, {"nice", "nosuchcmd"}, {"nice", "-n", "3", "-Z"},
		{"nice", "--help"}, {"nice", "--version"}, {"swapon", "-Z"}, {"swapon", "-V"},
	} {
		hostTool(t, args[0])
		wantOut, wantErr, wantSt := hostRun(t, env, args[0], args[1:]...)
		e := newTestEnv(t)
		e.env["LC_ALL"] = "C"
		out, errs, st := e.run(args...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("%q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
	e := personaEnv(t)
	// the persona has no swap: nothing to show
	e.expect([]string{"swapon"}, "", "", 0)
	e.expect([]string{"swapon", "--show"}, "", "", 0)
	e.expect([]string{"nice", "-n", "10", "ls"}, "", "", 0)
	if len(e.subRuns) != 1 || !strings.HasPrefix(e.subRuns[0], "ls|") {
		t.Errorf("nice ran %q", e.subRuns)
	}
	e2 := newTestEnv(t)
	e2.img.AddFile("/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swapfile                               file\t\t2097148\t\t0\t\t-2\n", 0o444)
	e2.expect([]string{"swapon", "--show"}, "NAME      TYPE SIZE USED PRIO\n/swapfile file   2G   0B   -2\n", "", 0)
	out, _, st := e.run("blkid")
	if st != 0 || !strings.HasPrefix(out, "/dev/vda1: UUID=\"4f3c2a91-7d0e-4b8a-9c61-2e5d8b7a0f13\" BLOCK_SIZE=\"4096\" TYPE=\"ext4\" PARTUUID=\"") ||
		!strings.Contains(out, "\n/dev/vda15: SEC_TYPE=\"msdos\" UUID=\"7A3E-91C4\" BLOCK_SIZE=\"512\" TYPE=\"vfat\" PARTUUID=\"") {
		t.Errorf("blkid: %d\n%s", st, out)
	}
	e.expect([]string{"blkid", "-s", "TYPE", "-o", "value", "/dev/vda1"}, "ext4\n", "", 0)
	e.asDeploy()
	e.expect([]string{"blkid"}, "", "", 2)
	e.expect([]string{"nice", "-n", "-5", "ls"}, "", "nice: cannot set niceness: Permission denied\n", 0)
}

func TestVmstat(t *testing.T) {
	hostTool(t, "vmstat")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	for _, args := range [][]string{{"-Z"}, {"-V"}, {"-h"}, {"0"}, {"abc"}} {
		wantOut, wantErr, wantSt := hostRun(t, env, "vmstat", args...)
		e := personaEnv(t)
		out, errs, st := e.run(append([]string{"vmstat"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("vmstat %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
	// the header lines are the host's; the figures come from the persona's meminfo
	host, _, _ := hostRun(t, env, "vmstat")
	e := newTestEnv(t)
	out, _, st := e.run("vmstat")
	hl, ol := strings.SplitN(host, "\n", 3), strings.SplitN(out, "\n", 3)
	if st != 0 || len(ol) != 3 || hl[0] != ol[0] || hl[1] != ol[1] {
		t.Fatalf("vmstat headers:\n%s\nthe host's:\n%s", out, host)
	}
	f := strings.Fields(ol[2])
	// testMeminfo: MemFree 1203544, Buffers 48212, Cached 486120 + SReclaimable 41220
	if len(f) != 17 || f[3] != "1203544" || f[4] != "48212" || f[5] != "527340" || f[2] != "0" {
		t.Errorf("vmstat line %q", ol[2])
	}
	s, _, _ := e.run("vmstat", "-s")
	if !strings.HasPrefix(s, "      2014420 K total memory\n       352040 K used memory\n") {
		t.Errorf("vmstat -s:\n%s", s)
	}
}

// whereis over the default persona, expected lines from the reference tree's own whereis
// (manual sections in name order: the real one lists them in directory order).
func TestWhereisPersona(t *testing.T) {
	e := personaEnv(t)
	for _, c := range [][2]string{
		{"ls", "ls: /usr/bin/ls /usr/share/man/man1/ls.1.gz\n"},
		{"python3", "python3: /usr/bin/python3 /usr/lib/python3 /etc/python3 /usr/share/python3 /usr/share/man/man1/python3.1.gz\n"},
		{"gcc", "gcc: /usr/share/gcc\n"},
		{"sshd", "sshd: /usr/sbin/sshd /usr/share/man/man8/sshd.8.gz\n"},
		{"perl", "perl: /usr/bin/perl /usr/lib/x86_64-linux-gnu/perl /etc/perl /usr/share/perl /usr/share/man/man1/perl.1.gz\n"},
		{"wget", "wget: /usr/bin/wget /usr/share/man/man1/wget.1.gz /usr/share/info/wget.info.gz\n"},
		{"python", "python:\n"},
		{"ssh", "ssh: /usr/bin/ssh /etc/ssh /usr/share/man/man1/ssh.1.gz\n"},
	} {
		e.expect([]string{"whereis", c[0]}, c[1], "", 0)
	}
	e.expect([]string{"whereis", "-b", "python3"}, "python3: /usr/bin/python3 /usr/lib/python3 /etc/python3 /usr/share/python3\n", "", 0)
	e.expect([]string{"whereis", "-m", "ls"}, "ls: /usr/share/man/man1/ls.1.gz\n", "", 0)
	e.expect([]string{"whereis", "-B", "/tmp", "-f", "ls"}, "ls: /usr/share/man/man1/ls.1.gz\n", "", 0)
	e.expect([]string{"whereis"}, "", "whereis: not enough arguments\nTry 'whereis --help' for more information.\n", 1)
	e.expect([]string{"whereis", "-Z"}, "", "whereis: bad usage\nTry 'whereis --help' for more information.\n", 1)
	out, _, _ := e.run("whereis", "-l")
	if !strings.HasPrefix(out, "bin: /usr/bin\nbin: /usr/sbin\nbin: /usr/lib/x86_64-linux-gnu\nbin: /usr/lib\n") {
		t.Errorf("whereis -l:\n%s", out)
	}
}

func TestMountpointLastb(t *testing.T) {
	hostTool(t, "mountpoint")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Skipf("SKIPPED (not a pass): no /proc/self/mounts: %v", err)
	}
	for _, args := range [][]string{{"/"}, {"/tmp"}, {"/nonexist"}, {"-q", "/"}, {"-q", "/tmp"}, {}, {"/etc/passwd"}, {"-Z", "/"}, {"-V"}} {
		wantOut, wantErr, wantSt := hostRun(t, env, "mountpoint", args...)
		e := newTestEnv(t)
		e.img.AddFile("/proc/mounts", string(mounts), 0o444)
		out, errs, st := e.run(append([]string{"mountpoint"}, args...)...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("mountpoint %q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
	e := personaEnv(t)
	e.expect([]string{"mountpoint", "-d", "/"}, "254:1\n", "", 0)
	e.expect([]string{"mountpoint", "/boot/efi"}, "/boot/efi is a mountpoint\n", "", 0)
	e.expect([]string{"lastb"}, "\nbtmp begins "+e.per.BootTime.UTC().Format("Mon Jan _2 15:04:05 2006")+"\n", "", 0)
	e.asDeploy()
	e.expect([]string{"lastb"}, "", "lastb: cannot open /var/log/btmp: Permission denied\n", 1)
}

func TestModprobe(t *testing.T) {
	e := personaEnv(t)
	e.expect([]string{"modprobe", "msr", "allow_writes=on"}, "", "", 0)
	e.expect([]string{"modprobe", "ext4"}, "", "", 0)
	e.expect([]string{"modprobe", "nosuchmod"}, "", "modprobe: FATAL: Module nosuchmod not found in directory /lib/modules/"+e.per.Kernel.Release+"\n", 1)
	e.expect([]string{"modprobe", "-q", "nosuchmod"}, "", "", 1)
	e.expect([]string{"modprobe"}, "", "modprobe: ERROR: missing parameters. See -h.\n", 1)
	e.expect([]string{"modprobe", "-Z"}, "", "modprobe: invalid option -- 'Z'\n", 1)
	e.asDeploy()
	e.expect([]string{"modprobe", "msr"}, "", "modprobe: ERROR: could not insert 'msr': Operation not permitted\n", 1)
	e.expect([]string{"modprobe", "ext4"}, "", "", 0)
}
