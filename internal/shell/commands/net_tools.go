package commands

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ping (iputils 20221126), nc (netcat-openbsd), telnet, ip (iproute2 6.1) and ifconfig
// (net-tools 2.10) for a persona whose eth0 has an address but no route out.

func (c *cmd) ctx() context.Context {
	if c.Ctx != nil {
		return c.Ctx
	}
	return context.Background()
}

// wait sleeps for d unless the run is cancelled; it reports whether the time passed.
func (c *cmd) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx().Done():
		return false
	}
}

func pingCmd(p *Proc) int {
	c := newCmd(p)
	count := -1
	interval := time.Second
	quiet := false
	var host string
	args := c.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			for k := 1; k < len(a); k++ {
				switch a[k] {
				case 'c', 'i', 'W', 'w', 's', 't', 'I', 'l', 'p', 'Q', 'M', 'm', 'S', 'T':
					v := a[k+1:]
					if v == "" && i+1 < len(args) {
						i++
						v = args[i]
					}
					switch a[k] {
					case 'c':
						n, err := strconv.Atoi(v)
						if err != nil || n <= 0 {
							c.errRaw(fmt.Sprintf("ping: invalid argument: '%s': out of range: 1 <= value <= 9223372036854775807\n", v))
							return c.done(1)
						}
						count = n
					case 'i':
						f, err := strconv.ParseFloat(v, 64)
						if err == nil && f >= 0.2 {
							interval = time.Duration(f * float64(time.Second))
						}
					}
					k = len(a)
				case 'q':
					quiet = true
				case 'V':
					c.print("ping from iputils 20221126\n")
					return c.done(0)
				case '4', '6', 'n', 'v', 'a', 'A', 'b', 'B', 'D', 'd', 'f', 'L', 'O', 'r', 'R', 'U':
				default:
					c.errRaw(fmt.Sprintf("ping: invalid option -- '%c'\n", a[k]))
					return c.done(2)
				}
			}
			continue
		}
		host = a
	}
	if host == "" {
		c.errRaw("ping: usage error: Destination address required\n")
		return c.done(1)
	}
	addrs := c.localAddrs(host)
	if len(addrs) == 0 {
		c.errRaw("ping: " + host + ": Temporary failure in name resolution\n")
		return c.done(2)
	}
	addr := addrs[len(addrs)-1]
	if !c.isLocalAddr(addr) {
		c.errRaw("ping: connect: Network is unreachable\n")
		return c.done(2)
	}
	label := addr
	if host != addr {
		label = host + " (" + addr + ")"
	}
	c.printf("PING %s (%s) 56(84) bytes of data.\n", host, addr)
	c.flush()
	start := time.Now()
	sent := 0
	var rtts []float64
	for count < 0 || sent < count {
		if sent > 0 && !c.wait(interval) {
			break
		}
		sent++
		rtt := 0.025 + float64((sent*37)%23)/1000
		rtts = append(rtts, rtt)
		if !quiet {
			from := addr
			if host != addr {
				from = label
			}
			c.printf("64 bytes from %s: icmp_seq=%d ttl=64 time=%.3f ms\n", from, sent, rtt)
			c.flush()
		}
		if c.failed() {
			break
		}
	}
	if c.ctx().Err() != nil && !quiet {
		c.print("^C")
	}
	elapsed := time.Since(start)
	c.printf("\n--- %s ping statistics ---\n", host)
	c.printf("%d packets transmitted, %d received, 0%% packet loss, time %dms\n", sent, len(rtts), elapsed.Milliseconds())
	if len(rtts) > 0 {
		mn, mx, sum, sq := rtts[0], rtts[0], 0.0, 0.0
		for _, r := range rtts {
			mn, mx = min(mn, r), max(mx, r)
			sum += r
			sq += r * r
		}
		avg := sum / float64(len(rtts))
		md := sq/float64(len(rtts)) - avg*avg
		if md < 0 {
			md = 0
		}
		c.printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", mn, avg, mx, math.Sqrt(md))
	}
	return c.done(0)
}

func ncCmd(p *Proc) int {
	c := newCmd(p)
	var ops []string
	listen := false
	zero := false
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			for k := 1; k < len(a); k++ {
				switch a[k] {
				case 'l':
					listen = true
				case 'z':
					zero = true
				case 'p', 'w', 's', 'i', 'q', 'x', 'X', 'e', 'c', 'I', 'O', 'P', 'T', 'V', 'M', 'm':
					if k+1 == len(a) {
						i++
					}
					k = len(a)
				case 'h':
					c.errRaw("OpenBSD netcat (Debian patchlevel 1.219-1)\nusage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n")
					return c.done(1)
				}
			}
			continue
		}
		ops = append(ops, a)
	}
	if listen {
		// A listener waits for a peer that never comes, until the session cuts it.
		<-c.ctx().Done()
		return 130
	}
	if len(ops) < 2 {
		c.errRaw("usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n\t  [destination] [port]\n")
		return c.done(1)
	}
	host, port := ops[0], ops[1]
	addrs := c.localAddrs(host)
	if len(addrs) == 0 {
		c.errRaw(fmt.Sprintf("nc: getaddrinfo for host \"%s\" port %s: Temporary failure in name resolution\n", host, port))
		return c.done(1)
	}
	_ = zero
	why := "Network is unreachable"
	if c.isLocalAddr(addrs[0]) {
		why = "Connection refused"
	}
	for _, a := range addrs {
		c.errRaw(fmt.Sprintf("nc: connect to %s port %s (tcp) failed: %s\n", a, port, why))
	}
	return c.done(1)
}

func telnetCmd(p *Proc) int {
	c := newCmd(p)
	var ops []string
	for _, a := range c.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
		}
	}
	if len(ops) == 0 {
		// The interactive prompt ends at the end of input.
		c.print("telnet> ")
		return c.done(0)
	}
	host := ops[0]
	port := "23"
	if len(ops) > 1 {
		port = ops[1]
	}
	addrs := c.localAddrs(host)
	if len(addrs) == 0 {
		c.errRaw(fmt.Sprintf("telnet: could not resolve %s/%s: Temporary failure in name resolution\n", host, port))
		return c.done(1)
	}
	why := "Network is unreachable"
	if c.isLocalAddr(addrs[0]) {
		why = "Connection refused"
	}
	for _, a := range addrs {
		c.printf("Trying %s...\n", a)
	}
	c.errRaw("telnet: Unable to connect to remote host: " + why + "\n")
	return c.done(1)
}

// ipv4Broadcast is the broadcast address of addr/prefix.
func ipv4Broadcast(addr netip.Addr, bits int) netip.Addr {
	b := addr.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	mask := ^uint32(0) << (32 - bits)
	v |= ^mask
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func ipv4Mask(bits int) netip.Addr {
	m := ^uint32(0) << (32 - bits)
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
}

// linkLocal6 is eth0's EUI-64 link-local address from its MAC.
func (c *cmd) linkLocal6() string {
	var b [6]byte
	for i, part := range strings.Split(c.hostMAC(), ":") {
		v, _ := strconv.ParseUint(part, 16, 8)
		b[i] = byte(v)
	}
	b[0] ^= 2
	return fmt.Sprintf("fe80::%x:%x:%x:%x", uint16(b[0])<<8|uint16(b[1]), uint16(b[2])<<8|0xff, 0xfe00|uint16(b[3]), uint16(b[4])<<8|uint16(b[5]))
}

func ipCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	var opts ipOpts
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := strings.TrimPrefix(args[0], "-"); {
		case a == "V" || a == "Version":
			c.print("ip utility, iproute2-6.1.0, libbpf 1.1.0\n")
			return c.done(0)
		case a == "4":
			opts.family = 4
		case a == "6":
			opts.family = 6
		case a == "o" || a == "oneline":
			opts.oneline = true
		case a == "br" || a == "brief":
			opts.brief = true
		case a == "f" || a == "family":
			if len(args) > 1 {
				args = args[1:]
				switch args[0] {
				case "inet":
					opts.family = 4
				case "inet6":
					opts.family = 6
				}
			}
		}
		args = args[1:]
	}
	if len(args) == 0 {
		c.errRaw("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\nwhere  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp | link |\n                   macsec | maddress | monitor | mptcp | mroute | mrule |\n                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n                   ntbl | route | rule | sr | tap | tcpmetrics |\n                   token | tunnel | tuntap | vrf | xfrm }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |\n                    -h[uman-readable] | -iec | -j[son] | -p[retty] |\n                    -f[amily] { inet | inet6 | mpls | bridge | link } |\n                    -4 | -6 | -M | -B | -0 |\n                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |\n                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |\n                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |\n                    -c[olor]}\n")
		return c.done(255)
	}
	return c.ipRun(opts, args)
}

// ipIface is one interface as ip shows it.
type ipIface struct {
	idx                   int
	name, flags, state    string
	mtu                   int
	qdisc, linkType, mac  string
	brd, altname          string
	inet, inet6           []string // full "inet ..." lines without the leading spaces
	inetBrief, inet6Brief []string // "10.0.0.5/24"
}

// ipIfaces is the persona's network: loopback and one NIC with its subnet, as a VM has.
func (c *cmd) ipIfaces() []ipIface {
	ip := c.hostIPv4()
	bits := c.hostPrefixLen()
	ll := c.linkLocal6()
	return []ipIface{
		{idx: 1, name: "lo", flags: "<LOOPBACK,UP,LOWER_UP>", state: "UNKNOWN", mtu: 65536, qdisc: "noqueue",
			linkType: "loopback", mac: "00:00:00:00:00:00", brd: "00:00:00:00:00:00",
			inet: []string{"inet 127.0.0.1/8 scope host lo"}, inet6: []string{"inet6 ::1/128 scope host "},
			inetBrief: []string{"127.0.0.1/8"}, inet6Brief: []string{"::1/128"}},
		{idx: 2, name: "eth0", flags: "<BROADCAST,MULTICAST,UP,LOWER_UP>", state: "UP", mtu: 1500, qdisc: "pfifo_fast",
			linkType: "ether", mac: c.hostMAC(), brd: "ff:ff:ff:ff:ff:ff", altname: "enp0s3",
			inet:      []string{fmt.Sprintf("inet %s/%d brd %s scope global eth0", ip, bits, ipv4Broadcast(ip, bits))},
			inet6:     []string{"inet6 " + ll + "/64 scope link "},
			inetBrief: []string{fmt.Sprintf("%s/%d", ip, bits)}, inet6Brief: []string{ll + "/64"}},
	}
}

// ipOpts are ip's global options.
type ipOpts struct {
	family         int // 0 any, 4, 6
	oneline, brief bool
}

func (c *cmd) ipRun(o ipOpts, args []string) int {
	obj, rest := args[0], args[1:]
	// "show"/"list"/"ls" and "dev" are optional words
	var dev string
	sub := ""
	for i := 0; i < len(rest); i++ {
		switch w := rest[i]; {
		case w == "show" || w == "list" || w == "ls" || w == "lst" || w == "sh" || w == "s":
			if sub == "" {
				sub = "show"
			}
		case w == "dev" && i+1 < len(rest):
			i++
			dev = rest[i]
		case w == "get" || w == "default" || w == "help":
			if sub == "" || sub == "show" {
				sub = w
			}
			if w == "get" && i+1 < len(rest) {
				i++
				dev = rest[i]
			}
		case w == "up" || w == "scope" || w == "label" || w == "to" || w == "table":
			i++
		default:
			if dev == "" {
				dev = w
			}
		}
	}
	ifaces := c.ipIfaces()
	if dev != "" && sub != "get" && !strings.HasPrefix("route", obj) {
		var sel []ipIface
		for _, f := range ifaces {
			if f.name == dev || f.altname == dev {
				sel = append(sel, f)
			}
		}
		if len(sel) == 0 {
			c.errRaw("Device \"" + dev + "\" does not exist.\n")
			return c.done(1)
		}
		ifaces = sel
	}
	switch {
	case strings.HasPrefix("address", obj) || obj == "a" || obj == "addr":
		for _, f := range ifaces {
			inet, inet6 := f.inet, f.inet6
			ib, i6b := f.inetBrief, f.inet6Brief
			if o.family == 6 {
				inet, ib = nil, nil
			}
			if o.family == 4 {
				inet6, i6b = nil, nil
			}
			if o.family != 0 && len(inet)+len(inet6) == 0 {
				continue
			}
			switch {
			case o.brief:
				c.printf("%-16s %-14s ", f.name, f.state)
				for _, a := range append(append([]string(nil), ib...), i6b...) {
					c.print(a + " ")
				}
				c.print("\n")
			case o.oneline:
				for _, a := range append(append([]string(nil), inet...), inet6...) {
					c.printf("%d: %s    %s\\       valid_lft forever preferred_lft forever\n", f.idx, f.name, a)
				}
			default:
				c.printf("%d: %s: %s mtu %d qdisc %s state %s group default qlen 1000\n", f.idx, f.name, f.flags, f.mtu, f.qdisc, f.state)
				if o.family == 0 {
					c.printf("    link/%s %s brd %s\n", f.linkType, f.mac, f.brd)
				}
				if f.altname != "" {
					c.print("    altname " + f.altname + "\n")
				}
				for _, a := range append(append([]string(nil), inet...), inet6...) {
					c.print("    " + a + "\n       valid_lft forever preferred_lft forever\n")
				}
			}
		}
	case strings.HasPrefix("link", obj) || obj == "l":
		for _, f := range ifaces {
			switch {
			case o.brief:
				c.printf("%-16s %-14s %s %s \n", f.name, f.state, f.mac, f.flags)
			default:
				c.printf("%d: %s: %s mtu %d qdisc %s state %s mode DEFAULT group default qlen 1000\n", f.idx, f.name, f.flags, f.mtu, f.qdisc, f.state)
				c.printf("    link/%s %s brd %s\n", f.linkType, f.mac, f.brd)
				if f.altname != "" {
					c.print("    altname " + f.altname + "\n")
				}
			}
		}
	case strings.HasPrefix("route", obj) || obj == "r" || obj == "ro":
		ip := c.hostIPv4()
		bits := c.hostPrefixLen()
		network := netip.PrefixFrom(ip, bits).Masked()
		switch {
		case sub == "default":
			// no default route: the box has no way out
		case sub == "get":
			addr, err := netip.ParseAddr(dev)
			if err != nil {
				c.errRaw("Error: any valid prefix is expected rather than \"" + dev + "\".\n")
				return c.done(1)
			}
			switch {
			case addr.IsLoopback():
				c.printf("local %s dev lo src 127.0.0.1 uid %d \n    cache <local> \n", addr, c.User.UID)
			case addr == ip:
				c.printf("local %s dev lo src %s uid %d \n    cache <local> \n", addr, ip, c.User.UID)
			case addr.Is4() && network.Contains(addr):
				c.printf("%s dev eth0 src %s uid %d \n    cache \n", addr, ip, c.User.UID)
			default:
				c.errRaw("RTNETLINK answers: Network is unreachable\n")
				return c.done(2)
			}
		case o.family == 6:
			c.print("fe80::/64 dev eth0 proto kernel metric 256 pref medium\n")
		default:
			c.printf("%s dev eth0 proto kernel scope link src %s \n", network, ip)
		}
	case strings.HasPrefix("neighbour", obj) || strings.HasPrefix("neighbor", obj) || obj == "n":
	default:
		c.errRaw(fmt.Sprintf("Object \"%s\" is unknown, try \"ip help\".\n", obj))
		return c.done(1)
	}
	return c.done(0)
}

func ifconfigCmd(p *Proc) int {
	c := newCmd(p)
	ip := c.hostIPv4()
	bits := c.hostPrefixLen()
	iface := ""
	for _, a := range c.Args[1:] {
		if !strings.HasPrefix(a, "-") {
			iface = a
			break
		}
	}
	up := c.now().Sub(c.bootTime()).Seconds()
	if up < 1 {
		up = 1
	}
	rxp, txp := int64(up*3.1), int64(up*2.2)
	rxb, txb := rxp*612, txp*211
	human := func(n int64) string {
		v, u := float64(n), []string{"B", "KiB", "MiB", "GiB", "TiB"}
		i := 0
		for v >= 1024 && i < len(u)-1 {
			v /= 1024
			i++
		}
		return fmt.Sprintf("%.1f %s", v, u[i])
	}
	eth := func() {
		c.print("eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n")
		c.printf("        inet %s  netmask %s  broadcast %s\n", ip, ipv4Mask(bits), ipv4Broadcast(ip, bits))
		c.printf("        inet6 %s  prefixlen 64  scopeid 0x20<link>\n", c.linkLocal6())
		c.printf("        ether %s  txqueuelen 1000  (Ethernet)\n", c.hostMAC())
		c.printf("        RX packets %d  bytes %d (%s)\n", rxp, rxb, human(rxb))
		c.print("        RX errors 0  dropped 0  overruns 0  frame 0\n")
		c.printf("        TX packets %d  bytes %d (%s)\n", txp, txb, human(txb))
		c.print("        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n")
	}
	lo := func() {
		n := int64(up * 0.4)
		c.print("lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n")
		c.print("        inet 127.0.0.1  netmask 255.0.0.0\n")
		c.print("        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n")
		c.print("        loop  txqueuelen 1000  (Local Loopback)\n")
		c.printf("        RX packets %d  bytes %d (%s)\n", n, n*86, human(n*86))
		c.print("        RX errors 0  dropped 0  overruns 0  frame 0\n")
		c.printf("        TX packets %d  bytes %d (%s)\n", n, n*86, human(n*86))
		c.print("        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n")
	}
	switch iface {
	case "":
		eth()
		lo()
	case "eth0":
		eth()
	case "lo":
		lo()
	default:
		c.errRaw(iface + ": error fetching interface information: Device not found\n")
		return c.done(1)
	}
	return c.done(0)
}
