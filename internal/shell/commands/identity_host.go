package commands

import (
	"strings"
)

// hostnameUsage is hostname 3.23's usage text, printed on stdout for --help and after a bad
// option (which exits 255, as the real one does).
const hostnameUsage = `Usage: hostname [-b] {hostname|-F file}         set host name (from file)
       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name
       hostname                                 display host name

       {yp,nis,}domainname {nisdomain|-F file}  set NIS domain name (from file)
       {yp,nis,}domainname                      display NIS domain name

       dnsdomainname                            display dns domain name

       hostname -V|--version|-h|--help          print info and exit

Program name:
       {yp,nis,}domainname=hostname -y
       dnsdomainname=hostname -d

Program options:
    -a, --alias            alias names
    -A, --all-fqdns        all long host names (FQDNs)
    -b, --boot             set default hostname if none available
    -d, --domain           DNS domain name
    -f, --fqdn, --long     long host name (FQDN)
    -F, --file             read host name or NIS domain name from given file
    -i, --ip-address       addresses for the host name
    -I, --all-ip-addresses all addresses for the host
    -s, --short            short host name
    -y, --yp, --nis        NIS/YP domain name

Description:
   This command can get or set the host name or the NIS domain name. You can
   also get the DNS domain or the FQDN (fully qualified domain name).
   Unless you are using bind or NIS for host lookups you can change the
   FQDN (Fully Qualified Domain Name) and the DNS domain name (which is
   part of the FQDN) in the /etc/hosts file.
`

func hostnameCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, err := parseOpts(c.name, c.Args[1:], optSpec{Short: "aAbdfF:hiIsVyv", Long: []longOpt{
		{Name: "alias", Key: "a"}, {Name: "all-fqdns", Key: "A"}, {Name: "boot", Key: "b"},
		{Name: "domain", Key: "d"}, {Name: "fqdn", Key: "f"}, {Name: "long", Key: "f"},
		{Name: "file", Arg: argRequired, Key: "F"}, {Name: "help", Key: "h"},
		{Name: "ip-address", Key: "i"}, {Name: "all-ip-addresses", Key: "I"},
		{Name: "short", Key: "s"}, {Name: "version", Key: "V"}, {Name: "yp", Key: "y"},
		{Name: "nis", Key: "y"}, {Name: "verbose", Key: "v"},
	}})
	if err != nil {
		c.errorf("%s", err.Msg)
		c.print(hostnameUsage)
		return c.done(255)
	}
	mode := ""
	file := ""
	for _, o := range opts {
		switch o.Key {
		case "h":
			c.print(hostnameUsage)
			return c.done(255)
		case "V":
			c.print("hostname 3.23\n")
			return c.done(0)
		case "F":
			file = o.Val
		case "b", "v":
		default:
			mode = o.Key
		}
	}
	if file != "" || (len(ops) > 0 && mode == "") {
		if !c.isRoot() {
			c.errorf("you must be root to change the host name")
			return c.done(1)
		}
		if file != "" {
			if _, err := c.FS.ReadFile(c.abs(file)); err != nil {
				c.errorf("%s: %s", file, errText(err))
				return c.done(1)
			}
		}
		// The persona's name is shared by every session, so a root attacker's change is
		// accepted and not applied; nothing on a real box prints anything here either.
		return c.done(0)
	}
	host := c.nodename()
	fqdn := func() (string, bool) {
		if _, canon, ok := c.hostsLookup(host); ok {
			return canon, true
		}
		return "", false
	}
	switch mode {
	case "":
		c.print(host + "\n")
	case "s":
		if i := strings.IndexByte(host, '.'); i >= 0 {
			host = host[:i]
		}
		c.print(host + "\n")
	case "f", "d", "a":
		name, ok := fqdn()
		if !ok {
			c.errorf("Temporary failure in name resolution")
			return c.done(1)
		}
		switch mode {
		case "f":
			c.print(name + "\n")
		case "d":
			if i := strings.IndexByte(name, '.'); i >= 0 {
				c.print(name[i+1:] + "\n")
			}
		case "a":
			c.print(strings.Join(c.hostAliases(name), " ") + "\n")
		}
	case "i":
		addr, _, ok := c.hostsLookup(host)
		if !ok {
			c.errorf("Temporary failure in name resolution")
			return c.done(1)
		}
		c.print(addr + "\n")
	case "I":
		c.print(c.hostIPv4().String() + " \n")
	case "A":
		ip := c.hostIPv4().String()
		if _, canon, ok := c.hostsLookup(ip); ok {
			c.print(canon + " ")
		} else if _, canon, ok := c.hostsLookupAddr(ip); ok {
			c.print(canon + " ")
		}
		c.print("\n")
	case "y":
		c.errorf("Local domain name not set")
		return c.done(1)
	}
	return c.done(0)
}

// hostAliases lists the other names on the /etc/hosts line whose canonical name is canon.
func (c *cmd) hostAliases(canon string) []string {
	s, _ := c.readText("/etc/hosts")
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) >= 2 && f[1] == canon {
			return f[2:]
		}
	}
	return nil
}

// hostsLookupAddr finds the /etc/hosts line for an address (a reverse lookup).
func (c *cmd) hostsLookupAddr(addr string) (string, string, bool) {
	s, _ := c.readText("/etc/hosts")
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == addr {
			return f[0], f[1], true
		}
	}
	return "", "", false
}

func unameCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Short: "asnrvmpio", Long: stdLong(
		longOpt{Name: "all", Key: "a"}, longOpt{Name: "kernel-name", Key: "s"}, longOpt{Name: "sysname", Key: "s"},
		longOpt{Name: "nodename", Key: "n"}, longOpt{Name: "kernel-release", Key: "r"}, longOpt{Name: "release", Key: "r"},
		longOpt{Name: "kernel-version", Key: "v"}, longOpt{Name: "machine", Key: "m"},
		longOpt{Name: "processor", Key: "p"}, longOpt{Name: "hardware-platform", Key: "i"},
		longOpt{Name: "operating-system", Key: "o"},
	)}, 1)
	if !ok {
		return st
	}
	want := map[string]bool{}
	all := false
	for _, o := range opts {
		switch o.Key {
		case "help", "version":
			return c.sysHelp(o.Key, "uname")
		case "a":
			all = true
		default:
			want[o.Key] = true
		}
	}
	if len(ops) > 0 {
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[0]))
	}
	if !all && len(want) == 0 {
		want["s"] = true
	}
	k := c.kernel()
	var parts []string
	add := func(key, val string, inAll bool) {
		if want[key] || (all && inAll) {
			parts = append(parts, val)
		}
	}
	add("s", k.Sysname, true)
	add("n", c.nodename(), true)
	add("r", k.Release, true)
	add("v", k.Version, true)
	add("m", k.Machine, true)
	// Debian's coreutils knows no processor or platform name: -a leaves them out.
	add("p", "unknown", false)
	add("i", "unknown", false)
	add("o", "GNU/Linux", true)
	c.print(strings.Join(parts, " ") + "\n")
	return c.done(0)
}

func archCmd(p *Proc) int {
	c := newCmd(p)
	opts, ops, ok, st := c.parse(optSpec{Long: stdLong()}, 1)
	if !ok {
		return st
	}
	for _, o := range opts {
		return c.sysHelp(o.Key, "arch")
	}
	if len(ops) > 0 {
		return c.usage(1, "extra operand %s", c.quoteLoc(ops[0]))
	}
	c.print(c.kernel().Machine + "\n")
	return c.done(0)
}

// kernelFacts is what uname reports, with Debian 12's defaults for a persona that leaves
// a field empty.
type kernelFacts struct{ Sysname, Release, Version, Machine string }

func (c *cmd) kernel() kernelFacts {
	k := c.persona().Kernel
	f := kernelFacts{k.Sysname, k.Release, k.Version, k.Machine}
	if f.Sysname == "" {
		f.Sysname = "Linux"
	}
	if f.Release == "" {
		f.Release = "6.1.0-28-amd64"
	}
	if f.Version == "" {
		f.Version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"
	}
	if f.Machine == "" {
		f.Machine = "x86_64"
	}
	return f
}
