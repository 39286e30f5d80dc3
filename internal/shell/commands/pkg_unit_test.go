package commands

import (
	"os/exec"
	"strings"
	"testing"
)

// A small dpkg database for the tests that do not need the reference tree.
const testStatus = `Package: bash
Essential: yes
Status: install ok installed
Priority: required
Section: shells
Installed-Size: 7164
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 5.2.15-2+b13
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.

Package: htop
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 395
Maintainer: Daniel Lange <DLange@debian.org>
Architecture: amd64
Version: 3.2.2-2
Depends: libc6 (>= 2.34), libncursesw6 (>= 6), libnl-3-200 (>= 3.2.7), libnl-genl-3-200 (>= 3.2.7), libtinfo6 (>= 6)
Suggests: lm-sensors, lsof, strace
Description: interactive processes viewer
 Htop is an ncursed-based process viewer.

Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Version: 9:2.36-9+deb12u99
Description: GNU C Library: Shared libraries 
 Contains the standard libraries.
`

// withSmallPkgDB installs the small database, a sources.list naming an invented mirror,
// and list files, and returns that mirror's host as apt will print it.
func (e *tenv) withSmallPkgDB() string {
	e.img.AddFile("/var/lib/dpkg/status", testStatus, 0o644)
	e.img.AddFile("/var/lib/dpkg/info/htop.list", "/.\n/usr\n/usr/bin\n/usr/bin/htop\n/usr/share\n/usr/share/man\n/usr/share/man/man1\n/usr/share/man/man1/htop.1.gz\n", 0o644)
	e.img.AddFile("/usr/bin/htop", "\x7fELF", 0o755)
	e.img.AddFile("/usr/share/man/man1/htop.1.gz", "gz", 0o644)
	e.img.AddFile("/etc/apt/sources.list", "deb http://mirror.invalid/debian bookworm main\ndeb-src http://mirror.invalid/debian bookworm main\n\ndeb http://mirror.invalid/debian-security bookworm-security main\n", 0o644)
	e.img.AddFile("/var/lib/apt/lists/mirror.invalid_debian_dists_bookworm_main_binary-amd64_Packages", "Package: x\n", 0o644)
	return e.aptHostFromVFS()
}

// aptHostFromVFS reads the mirror host back from the persona's sources.list, as apt does.
func (e *tenv) aptHostFromVFS() string {
	b, _ := e.vfs().ReadFile("/etc/apt/sources.list")
	f := strings.Fields(string(b))
	return strings.Split(strings.TrimPrefix(f[1], "http://"), "/")[0]
}

func TestDpkgListSmall(t *testing.T) {
	e := newTestEnv(t)
	e.withSmallPkgDB()
	want := "Desired=Unknown/Install/Remove/Purge/Hold\n" +
		"| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n" +
		"|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n" +
		"||/ Name           Version           Architecture Description\n" +
		"+++-==============-=================-============-=================================\n" +
		"ii  bash           5.2.15-2+b13      amd64        GNU Bourne Again SHell\n" +
		"ii  htop           3.2.2-2           amd64        interactive processes viewer\n" +
		"ii  libc6:amd64    9:2.36-9+deb12u99 amd64        GNU C Library: Shared libraries \n"
	e.expect([]string{"dpkg", "-l"}, want, "", 0)
	e.expect([]string{"dpkg", "-l", "lm-*"}, "Desired=Unknown/Install/Remove/Purge/Hold\n"+
		"| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n"+
		"|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n"+
		"||/ Name           Version      Architecture Description\n"+
		"+++-==============-============-============-=================================\n"+
		"un  lm-sensors     <none>       <none>       (no description available)\n", "", 0)
	e.expect([]string{"dpkg", "-l", "nmap"}, "", "dpkg-query: no packages found matching nmap\n", 1)
	e.expect([]string{"dpkg-query", "-W", "h*"}, "htop\t3.2.2-2\n", "", 0)
	e.expect([]string{"dpkg", "-L", "htop"}, "/.\n/usr\n/usr/bin\n/usr/bin/htop\n/usr/share\n/usr/share/man\n/usr/share/man/man1\n/usr/share/man/man1/htop.1.gz\n", "", 0)
	e.expect([]string{"dpkg", "-S", "bin/htop"}, "htop: /usr/bin/htop\n", "", 0)
	e.expect([]string{"dpkg", "--print-architecture"}, "amd64\n", "", 0)
}

func TestAptOfflineSmall(t *testing.T) {
	e := newTestEnv(t)
	host := e.withSmallPkgDB()
	e.env["LANG"] = "C"
	e.expect([]string{"apt-get", "install", "-y", "htop"}, "Reading package lists...\nBuilding dependency tree...\nReading state information...\nhtop is already the newest version (3.2.2-2).\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n", "", 0)
	e.expect([]string{"apt-get", "install", "-y", "nosuchpkg"}, "Reading package lists...\nBuilding dependency tree...\nReading state information...\n", "E: Unable to locate package nosuchpkg\n", 100)
	out, errs, st := e.run("apt-get", "update")
	wantOut := strings.Repeat("Ign:1 http://"+host+"/debian bookworm InRelease\nIgn:2 http://"+host+"/debian-security bookworm-security InRelease\n", 3) +
		"Err:1 http://" + host + "/debian bookworm InRelease\n  Temporary failure resolving '" + host + "'\n" +
		"Err:2 http://" + host + "/debian-security bookworm-security InRelease\n  Temporary failure resolving '" + host + "'\n" +
		"Reading package lists...\n"
	wantErr := "W: Failed to fetch http://" + host + "/debian/dists/bookworm/InRelease  Temporary failure resolving '" + host + "'\n" +
		"W: Failed to fetch http://" + host + "/debian-security/dists/bookworm-security/InRelease  Temporary failure resolving '" + host + "'\n" +
		"W: Some index files failed to download. They have been ignored, or old ones used instead.\n"
	if out != wantOut || errs != wantErr || st != 0 {
		t.Errorf("apt-get update:\n%s\n%s\n%d", out, errs, st)
	}
	// a package from the archive slice: the plan, then every download fails
	out, errs, st = e.run("apt-get", "install", "-y", "nmap")
	if st != 100 || !strings.Contains(out, "The following NEW packages will be installed:\n") || !strings.Contains(out, " nmap nmap-common") ||
		!strings.Contains(errs, "E: Failed to fetch http://"+host+"/debian/pool/main/n/nmap/nmap_7.93%2bdfsg1-1_amd64.deb  Temporary failure resolving '"+host+"'\n") ||
		!strings.HasSuffix(errs, "E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n") {
		t.Errorf("apt-get install -y nmap:\n%s\n%s\n%d", out, errs, st)
	}
	// without -y and with stdin closed, apt asks and aborts
	out, _, st = e.run("apt", "install", "nmap")
	if st != 1 || !strings.HasSuffix(out, "Do you want to continue? [Y/n] Abort.\n") {
		t.Errorf("apt install nmap: %d %q", st, out[max(0, len(out)-80):])
	}
	// the lists removed: apt knows no package any more
	if err := e.vfs().Remove("/var/lib/apt/lists/mirror.invalid_debian_dists_bookworm_main_binary-amd64_Packages"); err != nil {
		t.Fatal(err)
	}
	e.expect([]string{"apt-get", "install", "-y", "nmap"}, "Reading package lists...\nBuilding dependency tree...\nReading state information...\n", "E: Unable to locate package nmap\n", 100)
}

func TestAptNonRoot(t *testing.T) {
	e := newTestEnv(t).asDeploy()
	e.withSmallPkgDB()
	lock := "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n"
	e.expect([]string{"apt-get", "install", "-y", "nmap"}, "", lock, 100)
	e.expect([]string{"apt", "install", "nmap"}, "", "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n"+lock, 100)
	e.expect([]string{"apt-get", "update"}, "Reading package lists...\n", "E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n", 100)
	e.expect([]string{"apt-get", "remove", "htop"}, "", lock, 100)
	if out, _, st := e.run("apt", "list", "--installed"); st != 0 || !strings.Contains(out, "htop/oldstable,now 3.2.2-2 amd64 [installed]\n") {
		t.Errorf("apt list --installed as a user: %d %q", st, out)
	}
}

func TestAptRemove(t *testing.T) {
	e := newTestEnv(t)
	e.withSmallPkgDB()
	e.env["LANG"] = "C"
	e.expect([]string{"apt-get", "remove", "-y", "htop"}, "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"+
		"The following packages will be REMOVED:\n  htop\n0 upgraded, 0 newly installed, 1 to remove and 0 not upgraded.\n"+
		"After this operation, 404 kB disk space will be freed.\n(Reading database ... 8 files and directories currently installed.)\n"+
		"Removing htop (3.2.2-2) ...\n", "", 0)
	if _, err := e.vfs().Stat("/usr/bin/htop"); err == nil {
		t.Errorf("apt-get remove left /usr/bin/htop")
	}
	e.expect([]string{"dpkg", "-l", "htop"}, "", "dpkg-query: no packages found matching htop\n", 1)
	e.expect([]string{"apt-get", "remove", "-y", "bash"}, "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"+
		"The following packages will be REMOVED:\n  bash\nWARNING: The following essential packages will be removed.\nThis should NOT be done unless you know exactly what you are doing!\n  bash\n"+
		"0 upgraded, 0 newly installed, 1 to remove and 0 not upgraded.\nAfter this operation, 7336 kB disk space will be freed.\n",
		"E: Essential packages were removed and -y was used without --allow-remove-essential.\n", 100)
}

func TestAptSizeAndVersions(t *testing.T) {
	st := &aptState{}
	for n, want := range map[float64]string{7641000: "7641 k", 30.2e6: "30.2 M", 52: "52 ", 123456: "123 k", 99999: "100.0 k", 1.5e9: "1500 M"} {
		if got := st.aptSize(n); got != want {
			t.Errorf("aptSize(%v) = %q, want %q", n, got, want)
		}
	}
	st.thousand = ","
	if got := st.aptSize(7641000); got != "7,641 k" {
		t.Errorf("grouped: %q", got)
	}
	pairs := [][2]string{{"1.0", "1.0~rc1"}, {"2:1.0", "1:9.9"}, {"1.0-1", "1.0-1+b1"}, {"7.88.1-10+deb12u15", "7.88.1-10+deb12u5"},
		{"1.0a", "1.0"}, {"1.0", "1.0+"}, {"0.4.9.11-0+deb12u1", "0.4.8.16-1"}, {"1.14.10-1~deb12u1", "1.14.10-1"}, {"3.0pl1-162", "3.0pl1-162"}}
	dpkgBin, err := exec.LookPath("dpkg")
	for _, p := range pairs {
		got := dpkgVerCmp(p[0], p[1])
		if err != nil {
			continue
		}
		// dpkg --compare-versions is the authority
		want := 0
		if exec.Command(dpkgBin, "--compare-versions", p[0], "lt", p[1]).Run() == nil {
			want = -1
		} else if exec.Command(dpkgBin, "--compare-versions", p[0], "gt", p[1]).Run() == nil {
			want = 1
		}
		if got != want {
			t.Errorf("dpkgVerCmp(%q, %q) = %d, dpkg says %d", p[0], p[1], got, want)
		}
	}
}

// TestDfRunUserNeedsPamSystemd: logind mounts /run/user/UID only where libpam-systemd is
// installed; the reference's package set has no such mount.
func TestDfRunUserNeedsPamSystemd(t *testing.T) {
	e := newTestEnv(t)
	e.withSmallPkgDB()
	if out, _, _ := e.run("df"); strings.Contains(out, "/run/user/0") {
		t.Errorf("df shows /run/user/0 without libpam-systemd:\n%s", out)
	}
	e = newTestEnv(t)
	e.img.AddFile("/var/lib/dpkg/status", testStatus+"\nPackage: libpam-systemd\nStatus: install ok installed\nArchitecture: amd64\nVersion: 252.39-1~deb12u1\n", 0o644)
	if out, _, _ := e.run("df"); !strings.Contains(out, "/run/user/0\n") {
		t.Errorf("df lacks /run/user/0 with libpam-systemd:\n%s", out)
	}
}
