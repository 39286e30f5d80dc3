package commands

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// personaEnv is a test session over the embedded default persona.
func personaEnv(t *testing.T) *tenv {
	t.Helper()
	p, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	e.per, e.fs = p, vfs.NewMemFS(p)
	return e
}

// The size formatter against the real lsblk: the same devices in bytes and in human form.
func TestUtilLinuxSizeMatchesLsblk(t *testing.T) {
	hostTool(t, "lsblk")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	b, _, st1 := hostRun(t, env, "lsblk", "-b", "-dn", "-o", "SIZE")
	h, _, st2 := hostRun(t, env, "lsblk", "-dn", "-o", "SIZE")
	if st1 != 0 || st2 != 0 {
		t.Fatalf("lsblk failed on the host: %d %d", st1, st2)
	}
	bs, hs := strings.Fields(b), strings.Fields(h)
	if len(bs) != len(hs) {
		t.Fatalf("lsblk listed %d and %d devices", len(bs), len(hs))
	}
	for i := range bs {
		n, err := strconv.ParseUint(bs[i], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := utilLinuxSize(n); got != hs[i] {
			t.Errorf("utilLinuxSize(%d) = %q, lsblk prints %q", n, got, hs[i])
		}
	}
	for n, want := range map[uint64]string{0: "0B", 1023: "1023B", 1536: "1.5K", 85899345920: "80G",
		85707456512: "79.8G", 130023424: "124M", 1048575: "1024K", 1073741823: "1024M", 2147483136: "2G"} {
		if got := utilLinuxSize(n); got != want {
			t.Errorf("utilLinuxSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// mount lists the table in mount's format: the host's own mount over its own table.
func TestMountListMatchesHost(t *testing.T) {
	hostTool(t, "mount")
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	for try := 0; ; try++ {
		mounts, err := os.ReadFile("/proc/self/mounts")
		if err != nil {
			t.Skipf("SKIPPED (not a pass): no /proc/self/mounts here: %v", err)
		}
		want, _, _ := hostRun(t, env, "mount")
		e := newTestEnv(t)
		e.img.AddFile("/proc/mounts", string(mounts), 0o444)
		e.img.AddFile("/var/lib/dpkg/status", "Package: bash\nStatus: install ok installed\n\n", 0o644)
		got, errs, st := e.run("mount")
		if got == want && errs == "" && st == 0 {
			break
		}
		if try == 2 { // the host's table changes under parallel tests; three tries
			t.Errorf("mount:\n got %q\nwant %q (stderr %q, status %d)", got, want, errs, st)
			break
		}
	}
}

// Option errors, help and version, as the host's util-linux says them.
func TestBlockdevMessagesMatchHost(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C"}
	for _, args := range [][]string{
		{"lsblk", "-Z"}, {"lsblk", "-x"}, {"lsblk", "-o", "FOO"}, {"lsblk", "/dev/nonexist"}, {"lsblk", "--help"},
		{"lsblk", "-V"}, {"mount", "-Z"}, {"mount", "--help"}, {"mount", "-V"}, {"findmnt", "-Z"},
		{"findmnt", "--help"}, {"findmnt", "-V"}, {"findmnt", "/nonexistent"}, {"umount", "--help"}, {"umount", "-Z"},
		{"umount", "-V"}, {"umount"}, {"findmnt", "-o", "BAR"},
	} {
		hostTool(t, args[0])
		wantOut, wantErr, wantSt := hostRun(t, env, args[0], args[1:]...)
		e := personaEnv(t)
		out, errs, st := e.run(args...)
		if out != wantOut || errs != wantErr || st != wantSt {
			t.Errorf("%q:\n got %q %q %d\nwant %q %q %d", args, out, errs, st, wantOut, wantErr, wantSt)
		}
	}
}

// The persona's disks as Debian 12's util-linux shows them (vda with the root and EFI
// partitions; /proc/partitions, /proc/mounts, /etc/fstab and the df facts of the persona).
func TestBlockdevPersona(t *testing.T) {
	e := personaEnv(t)
	e.expect([]string{"lsblk"}, "NAME    MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS\n"+
		"vda     254:0    0   80G  0 disk \n"+
		"|-vda1  254:1    0 79.8G  0 part /\n"+
		"`-vda15 254:15   0  124M  0 part /boot/efi\n", "", 0)
	e.expect([]string{"lsblk", "-f"}, "NAME    FSTYPE FSVER LABEL UUID                                 FSAVAIL FSUSE% MOUNTPOINTS\n"+
		"vda                                                                            \n"+
		"|-vda1  ext4   1.0         4f3c2a91-7d0e-4b8a-9c61-2e5d8b7a0f13   72.7G     2% /\n"+
		"`-vda15 vfat   FAT16       7A3E-91C4                             110.4M     9% /boot/efi\n", "", 0)
	e.expect([]string{"lsblk", "-rn"}, "vda 254:0 0 80G 0 disk \nvda1 254:1 0 79.8G 0 part /\nvda15 254:15 0 124M 0 part /boot/efi\n", "", 0)
	e.expect([]string{"lsblk", "-d", "-o", "NAME,SIZE"}, "NAME SIZE\nvda   80G\n", "", 0)
	e.expect([]string{"lsblk", "/dev/vda1"}, "NAME MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS\nvda1 254:1    0 79.8G  0 part /\n", "", 0)
	e.expect([]string{"findmnt", "/"}, "TARGET SOURCE    FSTYPE OPTIONS\n/      /dev/vda1 ext4   rw,relatime,discard,errors=remount-ro\n", "", 0)
	e.expect([]string{"findmnt", "-n", "-o", "SOURCE", "-T", "/etc"}, "/dev/vda1\n", "", 0)
	e.expect([]string{"mount", "/dev/sdb1", "/mnt"}, "", "mount: /mnt: special device /dev/sdb1 does not exist.\n"+mountDmesg, 32)
	e.expect([]string{"mount", "/mnt"}, "", "mount: /mnt: can't find in /etc/fstab.\n", 1)
	e.expect([]string{"umount", "/"}, "", "umount: /: target is busy.\n", 32)
	out, _, _ := e.run("mount")
	if !strings.Contains(out, "\n/dev/vda1 on / type ext4 (rw,relatime,discard,errors=remount-ro)\n") {
		t.Errorf("mount does not list the root filesystem:\n%s", out)
	}
	out, _, _ = e.run("findmnt")
	if !strings.HasPrefix(out, "TARGET ") || !strings.Contains(out, "\n/  ") || !strings.Contains(out, "\n|-/sys  ") ||
		!strings.Contains(out, "\n| |-/sys/kernel/security ") || !strings.Contains(out, "\n`-/boot/efi ") {
		t.Errorf("findmnt tree:\n%s", out)
	}
	e.env["LANG"] = "en_US.UTF-8"
	out, _, _ = e.run("lsblk")
	if !strings.Contains(out, "\n├─vda1  254:1 ") || !strings.Contains(out, "\n└─vda15 254:15 ") {
		t.Errorf("lsblk in a UTF-8 locale:\n%s", out)
	}
	e.env["LANG"] = "C"
	e.asDeploy()
	e.expect([]string{"mount", "/dev/vda1", "/mnt"}, "", "mount: /mnt: must be superuser to use mount.\n"+mountDmesg, 32)
	e.expect([]string{"mount", "--bind", "/a", "/b"}, "", "mount: /b: mount point does not exist.\n"+mountDmesg, 32)
	e.expect([]string{"umount", "/"}, "", "umount: /: must be superuser to unmount.\n", 32)
	e.expect([]string{"umount", "/mnt"}, "", "umount: /mnt: not mounted.\n", 32)
}
