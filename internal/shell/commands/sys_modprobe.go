package commands

import (
	"strings"
)

// modprobe (kmod 30) against the persona's kernel: modules already loaded (lsmod's list)
// load again silently, the modules a Debian 6.1 kernel ships load for root and are refused
// to users, anything else is not found in /lib/modules/RELEASE. Nothing changes lsmod.

// modprobeKnown are modules of Debian's 6.1 amd64 kernel that bot and miner scripts load.
var modprobeKnown = map[string]bool{
	"msr": true, "cpuid": true, "tun": true, "tap": true, "loop": true, "br_netfilter": true, "bridge": true,
	"overlay": true, "nf_conntrack": true, "nf_nat": true, "iptable_nat": true, "iptable_filter": true,
	"ip_tables": true, "ip6_tables": true, "x_tables": true, "xt_conntrack": true, "xt_MASQUERADE": true,
	"nf_tables": true, "veth": true, "vxlan": true, "wireguard": true, "dummy": true, "ipip": true, "gre": true,
	"ip_gre": true, "8021q": true, "bonding": true, "nbd": true, "zram": true, "fuse": true, "squashfs": true,
	"nfs": true, "cifs": true, "dm_crypt": true, "dm_mod": true, "kvm": true, "kvm_intel": true, "kvm_amd": true,
	"i2c_dev": true, "uinput": true, "sctp": true, "ipv6": true, "vfat": true, "ext4": true, "xfs": true,
	"btrfs": true, "pcspkr": true, "sg": true, "usb_storage": true, "virtio_net": true,
	"virtio_blk": true, "tcp_bbr": true, "ip_vs": true, "nf_conntrack_ftp": true, "binfmt_misc": true,
}

func modprobeCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "aAbcC:dD:fhiklnqrRsS:vV", Long: []longOpt{
		{Name: "all", Key: "a"}, {Name: "remove", Key: "r"}, {Name: "show-depends", Key: "D"}, {Name: "dry-run", Key: "n"},
		{Name: "quiet", Key: "q"}, {Name: "verbose", Key: "v"}, {Name: "version", Key: "V"}, {Name: "help", Key: "h"},
		{Name: "first-time", Key: "first-time"}, {Name: "force", Key: "f"}, {Name: "ignore-install", Key: "i"},
		{Name: "set-version", Arg: argRequired, Key: "S"}, {Name: "config", Arg: argRequired, Key: "C"},
		{Name: "dirname", Arg: argRequired, Key: "d"}, {Name: "show-modversions", Key: "show-modversions"},
		{Name: "syslog", Key: "s"}, {Name: "use-blacklist", Key: "b"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		return c.done(1)
	}
	all, remove, quiet, dry := false, false, false, false
	for _, o := range opts {
		switch o.Key {
		case "V":
			c.print("kmod version 30\n+ZSTD +XZ -ZLIB +LIBCRYPTO -EXPERIMENTAL\n")
			return c.done(0)
		case "h":
			c.print("Usage:\n\tmodprobe [options] [-i] [-b] modulename\n\tmodprobe [options] -a [-i] [-b] modulename [modulename...]\n\tmodprobe [options] -r [-i] modulename\n\tmodprobe [options] -r -a [-i] modulename [modulename...]\n\tmodprobe [options] -c\n\tmodprobe [options] --dump-modversions filename\n")
			return c.done(0)
		case "a":
			all = true
		case "r":
			remove = true
		case "q":
			quiet = true
		case "n":
			dry = true
		}
	}
	if len(ops) == 0 {
		c.errorf("ERROR: missing parameters. See -h.")
		return c.done(1)
	}
	if !all {
		ops = ops[:1] // the rest are module parameters ("msr allow_writes=on")
	}
	loaded := map[string]bool{}
	s, ok := c.readText("/proc/modules")
	if !ok {
		s = lsmodModules
	}
	for _, line := range strings.Split(s, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			loaded[f[0]] = true
		}
	}
	release := c.persona().Kernel.Release
	for _, m := range ops {
		name := strings.ReplaceAll(m, "-", "_")
		switch {
		case remove && !loaded[name]:
			// not loaded: nothing to do
		case remove && !c.isRoot():
			c.errorf("ERROR: could not remove '%s': Operation not permitted", name)
			return c.done(1)
		case remove:
			c.errorf("FATAL: Module %s is in use.", name)
			return c.done(1)
		case loaded[name]:
		case !modprobeKnown[name]:
			if !quiet {
				c.errorf("FATAL: Module %s not found in directory /lib/modules/%s", m, release)
			}
			return c.done(1)
		case dry:
		case !c.isRoot():
			c.errorf("ERROR: could not insert '%s': Operation not permitted", name)
			return c.done(1)
		}
	}
	return c.done(0)
}
