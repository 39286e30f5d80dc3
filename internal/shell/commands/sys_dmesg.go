package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dmesg as util-linux 2.38.1 prints the kernel ring buffer of the persona's boot. Debian
// sets kernel.dmesg_restrict=1, so only root may read it. The log is built from the
// persona's facts (/proc/version, /proc/cmdline, CPU, memory, disks, mounts, host name)
// so that it agrees with uname, lscpu, free, lsblk and mount.

const dmesgHelp = `
Usage:
 dmesg [options]

Display or control the kernel ring buffer.

Options:
 -C, --clear                 clear the kernel ring buffer
 -c, --read-clear            read and clear all messages
 -D, --console-off           disable printing messages to console
 -E, --console-on            enable printing messages to console
 -F, --file <file>           use the file instead of the kernel log buffer
 -f, --facility <list>       restrict output to defined facilities
 -H, --human                 human readable output
 -J, --json                  use JSON output format
 -k, --kernel                display kernel messages
 -L, --color[=<when>]        colorize messages (auto, always or never)
                               colors are enabled by default
 -l, --level <list>          restrict output to defined levels
 -n, --console-level <level> set level of messages printed to console
 -P, --nopager               do not pipe output into a pager
 -p, --force-prefix          force timestamp output on each line of multi-line messages
 -r, --raw                   print the raw message buffer
     --noescape              don't escape unprintable character
 -S, --syslog                force to use syslog(2) rather than /dev/kmsg
 -s, --buffer-size <size>    buffer size to query the kernel ring buffer
 -u, --userspace             display userspace messages
 -w, --follow                wait for new messages
 -W, --follow-new            wait and print only new messages
 -x, --decode                decode facility and level to readable string
 -d, --show-delta            show time delta between printed messages
 -e, --reltime               show local time and time delta in readable format
 -T, --ctime                 show human-readable timestamp (may be inaccurate!)
 -t, --notime                don't show any timestamp with messages
     --time-format <format>  show timestamp using the given format:
                               [delta|reltime|ctime|notime|iso]
Suspending/resume will make ctime and iso timestamps inaccurate.
     --since <time>          display the lines since the specified time
     --until <time>          display the lines until the specified time

 -h, --help                  display this help
 -V, --version               display version

Supported log facilities:
    kern - kernel messages
    user - random user-level messages
    mail - mail system
  daemon - system daemons
    auth - security/authorization messages
  syslog - messages generated internally by syslogd
     lpr - line printer subsystem
    news - network news subsystem

Supported log levels (priorities):
   emerg - system is unusable
   alert - action must be taken immediately
    crit - critical conditions
     err - error conditions
    warn - warning conditions
  notice - normal but significant condition
    info - informational
   debug - debug-level messages

For more details see dmesg(1).
`

// dmesgLine is one ring buffer record: seconds since boot and the text.
type dmesgLine struct {
	at  float64
	msg string
}

// dmesgLog composes the persona's boot messages.
func (c *cmd) dmesgLog() []dmesgLine {
	per := c.persona()
	version, _ := c.readText("/proc/version")
	version = strings.TrimSpace(version)
	if version == "" {
		version = "Linux version " + per.Kernel.Release + " (debian-kernel@lists.debian.org) " + per.Kernel.Version
	}
	cmdline, _ := c.readText("/proc/cmdline")
	ci := c.cpuinfoFields()
	model := ci["model name"]
	if model == "" {
		model = per.Hardware.CPUModel
	}
	fam, _ := strconv.Atoi(ci["cpu family"])
	mod, _ := strconv.Atoi(ci["model"])
	step, _ := strconv.Atoi(ci["stepping"])
	mhz := ci["cpu MHz"]
	if mhz == "" {
		mhz = "2095.078"
	}
	cpus := c.cpuCount()
	memKB := c.meminfo()["MemTotal"]
	totalKB := (memKB/1024 + 256) * 1024
	var disks []string
	var mounts []string
	for _, d := range c.blockDevs() {
		if d.parent == "" {
			sectors := d.sizeKB * 2
			disks = append(disks, fmt.Sprintf("virtio_blk virtio2: [%s] %d 512-byte logical blocks (%.1f GB/%s)",
				d.name, sectors, float64(sectors*512)/1e9, utilLinuxSizeIEC(uint64(d.sizeKB)*1024)))
			var parts []string
			for _, p := range c.blockDevs() {
				if p.parent == d.name {
					parts = append(parts, p.name)
				}
			}
			if len(parts) > 0 {
				disks = append(disks, " "+d.name+": "+strings.Join(parts, " "))
			}
		}
	}
	rootDev, fatDev := "", ""
	for _, m := range c.mountTable() {
		dev, ok := strings.CutPrefix(m.source, "/dev/")
		if !ok {
			continue
		}
		switch {
		case m.fstype == "ext4" && m.target == "/":
			rootDev = dev
			mounts = append(mounts, "EXT4-fs ("+dev+"): mounted filesystem with ordered data mode. Quota mode: none.")
		case m.fstype == "vfat" && fatDev == "":
			fatDev = dev
		}
	}
	journald := 151
	for _, pr := range per.Processes {
		if strings.Contains(pr.Command, "systemd-journald") {
			journald = pr.PID
		}
	}
	var out []dmesgLine
	at := 0.0
	add := func(step float64, msg string) {
		at += step
		out = append(out, dmesgLine{at, msg})
	}
	add(0, version)
	add(0, "Command line: "+strings.TrimSpace(cmdline))
	add(0, "BIOS-provided physical RAM map:")
	add(0, "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable")
	add(0, "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved")
	add(0, "BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved")
	add(0, fmt.Sprintf("BIOS-e820: [mem 0x0000000000100000-0x%016x] usable", min(totalKB*1024, 0xbffdc000)-1))
	add(0, "NX (Execute Disable) protection: active")
	add(0, "SMBIOS 2.8 present.")
	add(0, "DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014")
	add(0, "Hypervisor detected: KVM")
	add(0, "kvm-clock: Using msrs 4b564d01 and 4b564d00")
	add(0.000001, "kvm-clock: using sched offset of 7381276318 cycles")
	add(0.000004, "clocksource: kvm-clock: mask: 0xffffffffffffffff max_cycles: 0x1cd42e4dffb, max_idle_ns: 881590591483 ns")
	add(0.000005, "tsc: Detected "+mhz+" MHz processor")
	add(0.010211, fmt.Sprintf("Memory: %dK/%dK available (14343K kernel code, 2335K rwdata, 9304K rodata, 2800K init, 17376K bss, %dK reserved, 0K cma-reserved)",
		memKB-14308, totalKB, totalKB-memKB+14308))
	add(0.002541, fmt.Sprintf("SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=%d, Nodes=1", cpus))
	add(0.121007, fmt.Sprintf("smpboot: CPU0: %s (family: 0x%x, model: 0x%x, stepping: 0x%x)", model, fam, mod, step))
	add(0.052433, "smp: Bringing up secondary CPUs ...")
	add(0.009512, fmt.Sprintf("smp: Brought up 1 node, %d CPUs", cpus))
	add(0.000002, fmt.Sprintf("smpboot: Max logical packages: %d", cpus))
	add(0.231405, "PCI: Using configuration type 1 for base access")
	add(0.412882, "Freeing initrd memory: 31904K")
	add(0.129834, "Run /init as init process")
	add(0.287340, "virtio_net virtio0 eth0: VIRTIO_NET_F_STANDBY feature not negotiated")
	for _, d := range disks {
		add(0.004315, d)
	}
	add(0.582106, "PM: Image not found (code -22)")
	for _, m := range mounts {
		add(0.021432, m)
		break
	}
	add(0.207771, "systemd[1]: systemd 252.39-1~deb12u2 running in system mode (+PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS +OPENSSL +ACL +BLKID +CURL +ELFUTILS +FIDO2 +IDN2 -IDN +IPTC +KMOD +LIBCRYPTSETUP +LIBFDISK +PCRE2 -PWQUALITY +P11KIT +QRENCODE +TPM2 +BZIP2 +LZ4 +XZ +ZLIB +ZSTD -BPF_FRAMEWORK -XKBCOMMON +UTMP +SYSVINIT default-hierarchy=unified)")
	add(0.000084, "systemd[1]: Detected virtualization kvm.")
	add(0.000005, "systemd[1]: Detected architecture x86-64.")
	add(0.001210, "systemd[1]: Hostname set to <"+per.Hostname+">.")
	add(0.312420, "systemd[1]: Queued start job for default target graphical.target.")
	add(0.021375, "systemd[1]: Created slice system-getty.slice - Slice /system/getty.")
	add(0.001033, "systemd[1]: Created slice system-serial\\x2dgetty.slice - Slice /system/serial-getty.")
	add(0.000933, "systemd[1]: Created slice user.slice - User and Session Slice.")
	if rootDev != "" {
		add(0.036109, "EXT4-fs ("+rootDev+"): re-mounted. Quota mode: none.")
	}
	add(0.147305, fmt.Sprintf("systemd-journald[%d]: Received client request to flush runtime journal.", journald))
	add(0.310218, "input: Power Button as /devices/LNXSYSTM:00/LNXPWRBN:00/input/input3")
	add(0.001734, "ACPI: button: Power Button [PWRF]")
	if fatDev != "" {
		add(0.097613, "FAT-fs ("+fatDev+"): Volume was not properly unmounted. Some data may be corrupt. Please run fsck.")
	}
	return out
}

// utilLinuxSizeIEC renders bytes as the kernel's string_get_size does for block devices
// ("80.0 GiB").
func utilLinuxSizeIEC(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

func dmesgCmd(p *Proc) int {
	c := newCmd(p)
	opts, _, ok, st := c.parse(optSpec{Short: "CcDdEeF:f:HhikL::l:n:PprSs:TtuVwx", Long: []longOpt{
		{Name: "clear", Key: "C"}, {Name: "read-clear", Key: "c"}, {Name: "console-off", Key: "D"},
		{Name: "show-delta", Key: "d"}, {Name: "console-on", Key: "E"}, {Name: "reltime", Key: "e"},
		{Name: "file", Arg: argRequired, Key: "F"}, {Name: "facility", Arg: argRequired, Key: "f"},
		{Name: "human", Key: "H"}, {Name: "help", Key: "h"}, {Name: "kernel", Key: "k"},
		{Name: "color", Arg: argOptional, Key: "L"}, {Name: "level", Arg: argRequired, Key: "l"},
		{Name: "console-level", Arg: argRequired, Key: "n"}, {Name: "nopager", Key: "P"}, {Name: "raw", Key: "r"},
		{Name: "syslog", Key: "S"}, {Name: "buffer-size", Arg: argRequired, Key: "s"}, {Name: "ctime", Key: "T"},
		{Name: "notime", Key: "t"}, {Name: "userspace", Key: "u"}, {Name: "version", Key: "V"},
		{Name: "follow", Key: "w"}, {Name: "follow-new", Key: "W"}, {Name: "decode", Key: "x"},
		{Name: "time-format", Arg: argRequired, Key: "time-format"}, {Name: "noescape", Key: "noescape"},
		{Name: "since", Arg: argRequired, Key: "since"}, {Name: "until", Arg: argRequired, Key: "until"},
		{Name: "json", Key: "J"},
	}}, 1)
	if !ok {
		return st
	}
	ctime, notime, raw := false, false, false
	clearOnly := false
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(dmesgHelp)
			return c.done(0)
		case "V":
			c.print("dmesg from util-linux 2.38.1\n")
			return c.done(0)
		case "T":
			ctime = true
		case "t":
			notime = true
		case "r":
			raw = true
		case "C", "D", "E", "n":
			clearOnly = true
		case "time-format":
			if o.Val == "ctime" {
				ctime = true
			}
		}
	}
	if !c.isRoot() {
		if clearOnly {
			c.errorf("klogctl failed: Operation not permitted")
			return c.done(1)
		}
		c.errorf("read kernel buffer failed: Operation not permitted")
		return c.done(1)
	}
	if clearOnly {
		return c.done(0)
	}
	boot := c.bootTime()
	var b strings.Builder
	for _, l := range c.dmesgLog() {
		switch {
		case raw:
			fmt.Fprintf(&b, "<6>[%5d.%06d] %s\n", int(l.at), int((l.at-float64(int(l.at)))*1e6+0.5), l.msg)
		case notime:
			b.WriteString(l.msg + "\n")
		case ctime:
			t := boot.Add(time.Duration(l.at * float64(time.Second))).In(c.location())
			b.WriteString("[" + t.Format("Mon Jan _2 15:04:05 2006") + "] " + l.msg + "\n")
		default:
			fmt.Fprintf(&b, "[%5d.%06d] %s\n", int(l.at), int((l.at-float64(int(l.at)))*1e6+0.5), l.msg)
		}
	}
	c.print(b.String())
	return c.done(0)
}
