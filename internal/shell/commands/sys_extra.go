package commands

import (
	"fmt"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Small recon programs bots run to size up a box: pidof (sysvinit-utils 3.06),
// systemd-detect-virt (systemd 252), hostid (coreutils 9.1), getent (glibc 2.36), lsmod
// (kmod 30) and dmesg (util-linux 2.38.1), each from the persona's facts.

func pidofCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	single, quiet, scripts := false, false, false
	sep := " "
	omit := map[int]bool{}
	var progs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' && len(progs) == 0 {
			for k := 1; k < len(a); k++ {
				switch a[k] {
				case 's':
					single = true
				case 'q':
					quiet = true
				case 'x':
					scripts = true
				case 'c', 'n', 'z':
				case 'h':
					c.print(pidofUsage)
					return c.done(0)
				case 'o', 'd':
					val := a[k+1:]
					if val == "" && i+1 < len(args) {
						i++
						val = args[i]
					}
					if a[k] == 'd' {
						sep = val
					} else {
						for _, x := range strings.Split(val, ",") {
							if x == "%PPID" {
								omit[c.shellPID()] = true
							} else if n, err := strconv.Atoi(x); err == nil {
								omit[n] = true
							}
						}
					}
					k = len(a)
				default:
					// killall5's getopt complains nowhere: it just fails
					return c.done(1)
				}
			}
			continue
		}
		progs = append(progs, a)
	}
	if len(progs) == 0 {
		return c.done(1)
	}
	procs := c.processes("")
	// killall5 reads /proc in directory order and prepends: the newest PID comes first
	sort.Slice(procs, func(i, j int) bool { return procs[i].PID > procs[j].PID })
	var found []string
	for _, prog := range progs {
		for _, pr := range procs {
			if omit[pr.PID] || strings.HasPrefix(pr.Args, "[") {
				continue
			}
			f := strings.Fields(pr.Args)
			if len(f) == 0 {
				continue
			}
			argv0 := strings.TrimSuffix(f[0], ":")
			hit := argv0 == prog || path.Base(argv0) == prog || pr.Comm == prog
			if strings.Contains(prog, "/") {
				hit = argv0 == prog
			}
			if !hit && scripts && len(f) > 1 && (pr.Comm == "bash" || pr.Comm == "sh" || pr.Comm == "dash") {
				hit = f[1] == prog || path.Base(f[1]) == prog
			}
			if hit {
				found = append(found, strconv.Itoa(pr.PID))
				if single {
					break
				}
			}
		}
	}
	if len(found) == 0 {
		return c.done(1)
	}
	if !quiet {
		c.print(strings.Join(found, sep) + "\n")
	}
	return c.done(0)
}

const pidofUsage = `pidof usage: [options] <program-name>

 -c           Return PIDs with the same root directory
 -d <sep>     Use the provided character as output separator
 -h           Display this help text
 -n           Avoid using stat system function on network shares
 -o <pid>     Omit results with a given PID
 -q           Quiet mode. Do not display output
 -s           Only return one PID
 -x           Return PIDs of shells running scripts with a matching name
 -z           List zombie and I/O waiting processes. May cause pidof to hang.

`

// systemd-detect-virt: the persona is a KVM guest, not a container.
func detectVirtCmd(p *Proc) int {
	c := newCmd(p)
	opts, _, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "hcvqr", Long: []longOpt{
		{Name: "help", Key: "h"}, {Name: "version", Key: "version"}, {Name: "container", Key: "c"}, {Name: "vm", Key: "v"},
		{Name: "quiet", Key: "q"}, {Name: "chroot", Key: "r"}, {Name: "private-users", Key: "private-users"},
		{Name: "cvm", Key: "cvm"}, {Name: "list", Key: "list"}, {Name: "list-cvm", Key: "list-cvm"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		return c.done(1)
	}
	quiet, container := false, false
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print("systemd-detect-virt [OPTIONS...]\n\nDetect execution in a virtualized environment.\n\n" +
				"  -h --help             Show this help\n     --version          Show package version\n" +
				"  -c --container        Only detect whether we are run in a container\n" +
				"  -v --vm               Only detect whether we are run in a VM\n" +
				"  -r --chroot           Detect whether we are run in a chroot() environment\n" +
				"     --private-users    Only detect whether we are running in a user namespace\n" +
				"     --cvm              Only detect whether we are run in a confidential VM\n" +
				"  -q --quiet            Don't output anything, just set return value\n" +
				"     --list             List all known and detectable types of virtualization\n" +
				"     --list-cvm         List all known and detectable types of confidential \n" +
				"                        virtualization\n\nSee the systemd-detect-virt(1) man page for details.\n")
			return c.done(0)
		case "version":
			c.print(systemdVersion)
			return c.done(0)
		case "q":
			quiet = true
		case "c":
			container = true
		case "r", "private-users", "cvm":
			if o.Key == "cvm" && !quiet {
				c.print("none\n")
			}
			return c.done(1)
		}
	}
	if container {
		if !quiet {
			c.print("none\n")
		}
		return c.done(1)
	}
	if !quiet {
		c.print("kvm\n")
	}
	return c.done(0)
}

// hostid prints gethostid(): /etc/hostid if present, else the host name's IPv4 address
// from /etc/hosts with its 16-bit halves swapped (127.0.1.1 gives 007f0101).
func hostidCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: helpLong}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		switch o.Key {
		case "help":
			c.print("Usage: hostid [OPTION]\nPrint the numeric identifier (in hexadecimal) for the current host.\n\n      --help        display this help and exit\n      --version     output version information and exit\n\nGNU coreutils online help: <https://www.gnu.org/software/coreutils/>\nReport any translation bugs to <https://translationproject.org/team/>\nFull documentation <https://www.gnu.org/software/coreutils/hostid>\nor available locally via: info '(coreutils) hostid invocation'\n")
			return c.done(0)
		case "version":
			c.print("hostid (GNU coreutils) 9.1\nCopyright (C) 2022 Free Software Foundation, Inc.\nLicense GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\nThis is free software: you are free to change and redistribute it.\nThere is NO WARRANTY, to the extent permitted by law.\n\nWritten by Jim Meyering.\n")
			return c.done(0)
		}
	}
	if len(ops) > 0 {
		c.errorf("extra operand %s", c.quoteLoc(ops[0]))
		return c.tryHelp(1)
	}
	if b, err := c.FS.ReadFile("/etc/hostid"); err == nil && len(b) >= 4 {
		c.printf("%08x\n", uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24)
		return c.done(0)
	}
	var id uint32
	host := c.persona().Hostname
	for _, e := range c.hostsEntries() {
		ip := net.ParseIP(e[0]).To4()
		if ip == nil {
			continue
		}
		match := false
		for _, n := range e[1:] {
			match = match || n == host
		}
		if match {
			a := uint32(ip[0]) | uint32(ip[1])<<8 | uint32(ip[2])<<16 | uint32(ip[3])<<24
			id = a<<16 | a>>16
			break
		}
	}
	c.printf("%08x\n", id)
	return c.done(0)
}

// hostsEntries returns /etc/hosts as address and names, comments removed.
func (c *cmd) hostsEntries() [][]string {
	s, _ := c.readText("/etc/hosts")
	var out [][]string
	for _, line := range strings.Split(s, "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) >= 2 {
			out = append(out, f)
		}
	}
	return out
}

const getentTry = "Try `getent --help' or `getent --usage' for more information.\n"

// getent looks keys up in the persona's files (nsswitch's "files" source for every
// database on a stock Debian).
func getentCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "+s:i?V", Long: []longOpt{
		{Name: "service", Arg: argRequired, Key: "s"}, {Name: "no-idn", Key: "i"}, {Name: "help", Key: "?"},
		{Name: "usage", Key: "usage"}, {Name: "version", Key: "V"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.errRaw(getentTry)
		return c.done(64)
	}
	for _, o := range opts {
		switch o.Key {
		case "V":
			c.print("getent (Debian GLIBC 2.36-9+deb12u14) 2.36\nCopyright (C) 2022 Free Software Foundation, Inc.\nThis is free software; see the source for copying conditions.  There is NO\nwarranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.\nWritten by Thorsten Kukuk.\n")
			return c.done(0)
		}
	}
	if len(ops) == 0 {
		c.errorf("wrong number of arguments")
		c.print(getentTry)
		return c.done(1)
	}
	db, keys := ops[0], ops[1:]
	colonFile := map[string]string{"passwd": "/etc/passwd", "group": "/etc/group", "shadow": "/etc/shadow", "gshadow": "/etc/gshadow"}
	if file, ok := colonFile[db]; ok {
		data, err := c.FS.ReadFile(file)
		if err != nil || strings.HasSuffix(db, "shadow") && !c.isRoot() {
			// the shadow files are root's: a user finds nothing
			return c.done(2)
		}
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if len(keys) == 0 {
			c.print(strings.Join(lines, "\n") + "\n")
			return c.done(0)
		}
		status := 0
		for _, k := range keys {
			hit := false
			for _, l := range lines {
				f := strings.Split(l, ":")
				if f[0] == k || (db == "passwd" || db == "group") && len(f) > 2 && f[2] == k {
					c.print(l + "\n")
					hit = true
					break
				}
			}
			if !hit {
				status = 2
			}
		}
		return c.done(status)
	}
	switch db {
	case "hosts", "ahosts", "ahostsv4", "ahostsv6":
		hosts := c.hostsEntries()
		if len(keys) == 0 {
			for _, e := range hosts {
				c.printf("%-15s %s\n", e[0], strings.Join(e[1:], " "))
			}
			return c.done(0)
		}
		status := 0
		for _, k := range keys {
			var hit []string
			for _, v6 := range []bool{true, false} {
				if net.ParseIP(k) != nil {
					v6 = strings.Contains(k, ":")
				}
				for _, e := range hosts {
					if (strings.Contains(e[0], ":")) != v6 {
						continue
					}
					for _, n := range e[1:] {
						if n == k || e[0] == k {
							hit = e
							break
						}
					}
					if hit != nil {
						break
					}
				}
				if hit != nil {
					break
				}
			}
			if hit == nil {
				status = 2
				continue
			}
			if db == "hosts" {
				c.printf("%-15s %s\n", hit[0], strings.Join(hit[1:], " "))
			} else {
				c.printf("%-15s STREAM %s\n%-15s DGRAM  \n%-15s RAW    \n", hit[0], k, hit[0], hit[0])
			}
		}
		return c.done(status)
	case "services", "protocols", "networks", "ethers", "rpc", "netgroup", "aliases", "initgroups":
		file := map[string]string{"services": "/etc/services", "protocols": "/etc/protocols", "networks": "/etc/networks",
			"ethers": "/etc/ethers", "rpc": "/etc/rpc"}[db]
		s, _ := c.readText(file)
		status := 0
		var entries [][]string
		for _, l := range strings.Split(s, "\n") {
			l, _, _ = strings.Cut(l, "#")
			if f := strings.Fields(l); len(f) >= 2 {
				entries = append(entries, f)
			}
		}
		show := func(f []string) {
			switch db {
			case "services":
				c.printf("%-21s %s%s\n", f[0], f[1], joinAliases(f[2:]))
			case "protocols":
				c.printf("%-21s %s%s\n", f[0], f[1], joinAliases(f[2:]))
			default:
				c.printf("%-21s %s\n", f[0], strings.Join(f[1:], " "))
			}
		}
		if len(keys) == 0 {
			for _, f := range entries {
				show(f)
			}
			return c.done(0)
		}
		for _, k := range keys {
			hit := false
			for _, f := range entries {
				num := f[1]
				if db == "services" {
					num, _, _ = strings.Cut(f[1], "/")
				}
				match := f[0] == k || num == k
				for _, a := range f[2:] {
					match = match || a == k
				}
				if match {
					show(f)
					hit = true
					break
				}
			}
			if !hit {
				status = 2
			}
		}
		return c.done(status)
	}
	c.errRaw("Unknown database: " + db + "\n")
	c.print(getentTry)
	return c.done(1)
}

func joinAliases(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return " " + strings.Join(a, " ")
}

// lsmodModules is a Debian 12 KVM guest's module list (ext4 root, vfat EFI partition,
// virtio devices), used when the persona has no /proc/modules.
const lsmodModules = `binfmt_misc 28672 1 - Live 0x0000000000000000
nls_ascii 16384 1 - Live 0x0000000000000000
nls_cp437 20480 1 - Live 0x0000000000000000
vfat 24576 1 - Live 0x0000000000000000
fat 94208 1 vfat, Live 0x0000000000000000
intel_rapl_msr 20480 0 - Live 0x0000000000000000
intel_rapl_common 32768 1 intel_rapl_msr, Live 0x0000000000000000
kvm_intel 380928 0 - Live 0x0000000000000000
kvm 1142784 1 kvm_intel, Live 0x0000000000000000
irqbypass 16384 1 kvm, Live 0x0000000000000000
ghash_clmulni_intel 16384 0 - Live 0x0000000000000000
sha512_ssse3 49152 0 - Live 0x0000000000000000
sha512_generic 16384 1 sha512_ssse3, Live 0x0000000000000000
aesni_intel 393216 0 - Live 0x0000000000000000
crypto_simd 16384 1 aesni_intel, Live 0x0000000000000000
cryptd 28672 2 ghash_clmulni_intel,crypto_simd, Live 0x0000000000000000
rapl 20480 0 - Live 0x0000000000000000
virtio_balloon 28672 0 - Live 0x0000000000000000
virtio_console 45056 1 - Live 0x0000000000000000
button 24576 0 - Live 0x0000000000000000
evdev 28672 2 - Live 0x0000000000000000
joydev 32768 0 - Live 0x0000000000000000
serio_raw 20480 0 - Live 0x0000000000000000
sg 40960 0 - Live 0x0000000000000000
fuse 176128 1 - Live 0x0000000000000000
loop 32768 0 - Live 0x0000000000000000
dm_mod 184320 0 - Live 0x0000000000000000
efi_pstore 16384 0 - Live 0x0000000000000000
configfs 57344 1 - Live 0x0000000000000000
qemu_fw_cfg 20480 0 - Live 0x0000000000000000
ip_tables 36864 0 - Live 0x0000000000000000
x_tables 57344 1 ip_tables, Live 0x0000000000000000
autofs4 53248 2 - Live 0x0000000000000000
ext4 1007616 1 - Live 0x0000000000000000
crc16 16384 1 ext4, Live 0x0000000000000000
mbcache 16384 1 ext4, Live 0x0000000000000000
jbd2 192512 1 ext4, Live 0x0000000000000000
crc32c_generic 16384 0 - Live 0x0000000000000000
hid_generic 16384 0 - Live 0x0000000000000000
usbhid 69632 0 - Live 0x0000000000000000
hid 159744 2 hid_generic,usbhid, Live 0x0000000000000000
virtio_net 65536 0 - Live 0x0000000000000000
net_failover 24576 1 virtio_net, Live 0x0000000000000000
failover 16384 1 net_failover, Live 0x0000000000000000
virtio_blk 24576 2 - Live 0x0000000000000000
crc32_pclmul 16384 0 - Live 0x0000000000000000
crc32c_intel 24576 2 - Live 0x0000000000000000
ata_generic 16384 0 - Live 0x0000000000000000
psmouse 184320 0 - Live 0x0000000000000000
uhci_hcd 57344 0 - Live 0x0000000000000000
ata_piix 40960 0 - Live 0x0000000000000000
ehci_pci 20480 0 - Live 0x0000000000000000
ehci_hcd 65536 1 ehci_pci, Live 0x0000000000000000
libata 401408 2 ata_generic,ata_piix, Live 0x0000000000000000
virtio_pci 24576 0 - Live 0x0000000000000000
virtio_pci_legacy_dev 16384 1 virtio_pci, Live 0x0000000000000000
virtio_pci_modern_dev 20480 1 virtio_pci, Live 0x0000000000000000
virtio 24576 6 virtio_balloon,virtio_console,virtio_net,virtio_blk,virtio_pci, Live 0x0000000000000000
usbcore 348160 4 usbhid,uhci_hcd,ehci_pci,ehci_hcd, Live 0x0000000000000000
scsi_mod 286720 2 sg,libata, Live 0x0000000000000000
virtio_ring 40960 6 virtio_balloon,virtio_console,virtio_net,virtio_blk,virtio_pci,virtio, Live 0x0000000000000000
floppy 126976 0 - Live 0x0000000000000000
i2c_piix4 32768 0 - Live 0x0000000000000000
usb_common 16384 3 uhci_hcd,ehci_hcd,usbcore, Live 0x0000000000000000
scsi_common 16384 3 sg,libata,scsi_mod, Live 0x0000000000000000
`

// lsmod formats /proc/modules as kmod's lsmod does: "%-19s %8s  %s" plus the users.
func lsmodCmd(p *Proc) int {
	c := newCmd(p)
	if len(c.Args) > 1 {
		c.errRaw("Usage: lsmod\n")
		return c.done(1)
	}
	s, ok := c.readText("/proc/modules")
	if !ok {
		s = lsmodModules
	}
	var b strings.Builder
	b.WriteString("Module                  Size  Used by\n")
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		users := strings.TrimSuffix(f[3], ",")
		if users == "-" {
			users = ""
		}
		row := fmt.Sprintf("%-19s %8s  %s", f[0], f[1], f[2])
		if users != "" {
			row += " " + users
		}
		b.WriteString(row + "\n")
	}
	c.print(b.String())
	return c.done(0)
}
