package commands

import (
	"fmt"
	"hash/fnv"
	"io"
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// netstat (net-tools 2.10) and ss (iproute2 6.1) over the persona's sockets: the listening
// sockets of the daemons its process list runs (sshd always) and the attacker's own SSH
// connection, with the addresses ip and ifconfig report, so every tool tells one story.

func registerNetstat(r *Registry) {
	r.Register("netstat", netstatCmd)
	r.Register("ss", ssCmd)
	r.Register("route", routeCmd)
}

// routeCmd is net-tools' route listing the kernel's IPv4 table (the same one netstat -r
// shows); changing routes needs a reachable gateway the persona does not have.
func routeCmd(p *Proc) int {
	c := newCmd(p)
	ext := 0
	for _, a := range c.Args[1:] {
		if a == "--version" || a == "-V" {
			c.print("net-tools 2.10\n")
			return c.done(0)
		}
		if !strings.HasPrefix(a, "-") || len(a) < 2 {
			if a == "add" || a == "del" {
				if c.User.UID != 0 {
					c.errRaw("SIOCADDRT: Operation not permitted\n")
					return c.done(7)
				}
				c.errRaw("SIOCADDRT: Network is unreachable\n")
				return c.done(7)
			}
			c.errRaw("route: unrecognised address family: " + a + "\n")
			return c.done(4)
		}
		for _, ch := range strings.TrimPrefix(a, "-") {
			switch ch {
			case 'n', 'v', 'F', '4', 'C':
			case 'e':
				ext++
			default:
				c.errRaw(fmt.Sprintf("route: invalid option -- '%c'\n", ch))
				return c.done(4)
			}
		}
	}
	ip, bits := c.hostIPv4(), c.hostPrefixLen()
	network := netip.PrefixFrom(ip, bits).Masked().Addr()
	c.print("Kernel IP routing table\n")
	if ext > 0 {
		c.print("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n")
		c.print(fmt.Sprintf("%-15s %-15s %-15s %-5s %-6d %-2d %7d %-8s %-5d %-6d %d\n", network, "0.0.0.0", ipv4Mask(bits), "U", 0, 0, 0, "eth0", 0, 0, 0))
		return c.done(0)
	}
	c.print("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n")
	c.print(fmt.Sprintf("%-15s %-15s %-15s %-5s %-6d %-2d %7d %s\n", network, "0.0.0.0", ipv4Mask(bits), "U", 0, 0, 0, "eth0"))
	return c.done(0)
}

// sockOwner is a process holding a socket: pid, ps comm (ss) and command line (netstat).
type sockOwner struct {
	pid  int
	comm string
	args string
	fd   int
}

// inetSock is one TCP or UDP socket of the persona.
type inetSock struct {
	proto      string // "tcp" or "udp"
	v6         bool
	local      netip.AddrPort
	peer       netip.AddrPort // zero port with unspecified address: "*"
	peerAny    bool
	state      string // netstat's name: LISTEN, ESTABLISHED; "" for unconnected UDP
	recvQ      int
	sendQ      int
	owners     []sockOwner
	listenPort bool
}

// daemonPorts says which daemons of a process list listen where (comm -> sockets). Only the
// ones a Debian 12 server commonly runs; anything else keeps no socket.
var daemonPortsTable = []struct {
	comm   string
	proto  string
	port   uint16
	local4 string // "" no IPv4 socket
	local6 string // "" no IPv6 socket
}{
	{"exim4", "tcp", 25, "127.0.0.1", "::1"},
	{"master", "tcp", 25, "0.0.0.0", "::"},
	{"mysqld", "tcp", 3306, "127.0.0.1", ""},
	{"mariadbd", "tcp", 3306, "127.0.0.1", ""},
	{"apache2", "tcp", 80, "", "::"},
	{"nginx", "tcp", 80, "0.0.0.0", "::"},
	{"named", "tcp", 53, "127.0.0.1", "::1"},
}

// sshClient is the attacker's address and port as sshd put them in SSH_CLIENT or
// SSH_CONNECTION; the port is derived from the session when the variables are gone.
func (c *cmd) sshClient() (netip.Addr, uint16) {
	ip, _ := netip.ParseAddr(c.session().SrcIP)
	for _, k := range []string{"SSH_CONNECTION", "SSH_CLIENT"} {
		f := strings.Fields(c.Env[k])
		if len(f) >= 2 {
			if a, err := netip.ParseAddr(f[0]); err == nil && !ip.IsValid() {
				ip = a
			}
			if n, err := strconv.ParseUint(f[1], 10, 16); err == nil && n > 0 {
				if !ip.IsValid() {
					ip = netip.AddrFrom4([4]byte{192, 0, 2, 1})
				}
				return ip.Unmap(), uint16(n)
			}
		}
	}
	if !ip.IsValid() {
		ip = netip.AddrFrom4([4]byte{192, 0, 2, 1})
	}
	h := fnv.New32a()
	io.WriteString(h, c.session().ID+c.session().SrcIP)
	return ip.Unmap(), uint16(32768 + h.Sum32()%28000)
}

// SSHVars are the SSH_CLIENT and SSH_CONNECTION values sshd gives the session's processes:
// the client's address and port, then the server's address and port 22. The server's
// address is the persona's own (the one ip addr shows), or the loopback address a local
// client connected to. Both are empty when the session is not an SSH one or its client
// is unknown.
func SSHVars(s *Session, fsys *vfs.FS, p *persona.Persona) (client, connection string) {
	if s == nil || s.Protocol != "ssh" || s.SrcPort <= 0 {
		return "", ""
	}
	src, err := netip.ParseAddr(s.SrcIP)
	if err != nil {
		return "", ""
	}
	src = src.Unmap()
	c := &cmd{Proc: &Proc{FS: fsys, Persona: p, Session: s}}
	local := c.hostIPv4()
	if src.IsLoopback() {
		local = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if src.Is6() {
			local = netip.IPv6Loopback()
		}
		if d, err := netip.ParseAddr(s.DstIP); err == nil && d.Unmap().IsLoopback() && d.Unmap().Is6() == src.Is6() {
			local = d.Unmap()
		}
	}
	port := strconv.Itoa(s.SrcPort)
	return src.String() + " " + port + " 22", src.String() + " " + port + " " + local.String() + " 22"
}

// sshLocal is the server side of the session's connection: SSH_CONNECTION's when the
// environment still has it, else the persona's address.
func (c *cmd) sshLocal() netip.Addr {
	if f := strings.Fields(c.Env["SSH_CONNECTION"]); len(f) == 4 {
		if a, err := netip.ParseAddr(f[2]); err == nil {
			return a.Unmap()
		}
	}
	return c.hostIPv4()
}

// sockets lists the persona's TCP and UDP sockets in the kernel's /proc/net order: IPv4
// listeners, the established connection, then IPv6.
func (c *cmd) sockets() []inetSock {
	procs := c.processes("")
	var v4, v6 []inetSock
	sshdMain := 0
	var sessionSshd []sockOwner
	for _, p := range procs {
		if p.Comm == "sshd" && p.PPID == 1 && sshdMain == 0 {
			sshdMain = p.PID
			v4 = append(v4, inetSock{proto: "tcp", local: netip.AddrPortFrom(netip.IPv4Unspecified(), 22), peerAny: true,
				state: "LISTEN", sendQ: 128, owners: []sockOwner{{p.PID, p.Comm, p.Args, 3}}})
			v6 = append(v6, inetSock{proto: "tcp", v6: true, local: netip.AddrPortFrom(netip.IPv6Unspecified(), 22), peerAny: true,
				state: "LISTEN", sendQ: 128, owners: []sockOwner{{p.PID, p.Comm, p.Args, 4}}})
			continue
		}
		if p.Comm == "sshd" && strings.HasPrefix(p.Args, "sshd: ") && p.PPID != 1 {
			sessionSshd = append(sessionSshd, sockOwner{p.PID, p.Comm, p.Args, 4})
			continue
		}
		if p.PPID != 1 {
			continue // workers share their master's socket; netstat names the master
		}
		for _, d := range daemonPortsTable {
			if d.comm != p.Comm {
				continue
			}
			if d.local4 != "" {
				v4 = append(v4, inetSock{proto: d.proto, local: netip.AddrPortFrom(netip.MustParseAddr(d.local4), d.port), peerAny: true,
					state: "LISTEN", sendQ: 128, owners: []sockOwner{{p.PID, p.Comm, p.Args, 3}}})
			}
			if d.local6 != "" {
				v6 = append(v6, inetSock{proto: d.proto, v6: true, local: netip.AddrPortFrom(netip.MustParseAddr(d.local6), d.port), peerAny: true,
					state: "LISTEN", sendQ: 128, owners: []sockOwner{{p.PID, p.Comm, p.Args, 4}}})
			}
		}
	}
	if sshdMain != 0 && c.Session != nil {
		ip, port := c.sshClient()
		// ss lists a socket's owners newest first: the session's unprivileged sshd, then [priv]
		owners := make([]sockOwner, 0, len(sessionSshd))
		for i := len(sessionSshd) - 1; i >= 0; i-- {
			owners = append(owners, sessionSshd[i])
		}
		s := inetSock{proto: "tcp", local: netip.AddrPortFrom(c.sshLocal(), 22), peer: netip.AddrPortFrom(ip, port),
			state: "ESTABLISHED", owners: owners}
		if ip.Is6() {
			s.v6 = true
			v6 = append(v6, s)
		} else {
			v4 = append(v4, s)
		}
	}
	return append(v4, v6...)
}

// serviceName is /etc/services' name for a port, as getservbyport answers on Debian 12.
func serviceName(proto string, port uint16) string {
	switch port {
	case 22:
		return "ssh"
	case 25:
		return "smtp"
	case 53:
		return "domain"
	case 80:
		return "http"
	case 443:
		return "https"
	case 3306:
		return "mysql"
	}
	return strconv.Itoa(int(port))
}

// netstatProg is netstat's "PID/Program name": the pid and the process's command line up
// to its first NUL (a daemon's program base name, or the whole title sshd set), cut to the
// 19 bytes of net-tools' buffer.
func netstatProg(o sockOwner) string {
	name := o.args
	if strings.HasPrefix(name, "/") {
		if i := strings.IndexByte(name, ' '); i >= 0 {
			name = name[:i]
		}
		name = path.Base(name)
	}
	s := fmt.Sprintf("%d/%s", o.pid, name)
	if len(s) > 19 {
		s = s[:19]
	}
	return s
}

func netstatCmd(p *Proc) int {
	c := newCmd(p)
	var tcp, udp, listen, all, numeric, prog, route, ifaces, unix bool
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "--") {
			switch a {
			case "--tcp":
				tcp = true
			case "--udp":
				udp = true
			case "--listening":
				listen = true
			case "--all":
				all = true
			case "--numeric":
				numeric = true
			case "--program":
				prog = true
			case "--route":
				route = true
			case "--interfaces":
				ifaces = true
			case "--version":
				c.print("net-tools 2.10\nFred Baumgarten, Alan Cox, Bernd Eckenfels, Phil Blundell, Tuan Hoang, Brian Micek and others\n+NEW_ADDRT +RTF_IRTT +RTF_REJECT +FW_MASQUERADE +I18N +SELINUX\nAF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE -BLUETOOTH\nHW:  +ETHER +ARC +SLIP +PPP +TUNNEL -TR +AX25 +NETROM +X25 +FR +ROSE +ASH +SIT +FDDI +HIPPI +HDLC/LAPB +EUI64 \n")
				return c.done(0)
			default:
				c.errRaw("netstat: unrecognized option '" + a + "'\n")
				c.errRaw(netstatUsage)
				return c.done(1)
			}
			continue
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		for _, ch := range a[1:] {
			switch ch {
			case 't':
				tcp = true
			case 'u':
				udp = true
			case 'l':
				listen = true
			case 'a':
				all = true
			case 'n':
				numeric = true
			case 'p':
				prog = true
			case 'r':
				route = true
			case 'i':
				ifaces = true
			case 'x':
				unix = true
			case 'e', 'W', 'w', 'c', '4', '6', 'v':
			case 'V':
				c.print("net-tools 2.10\n")
				return c.done(0)
			default:
				c.errRaw(fmt.Sprintf("netstat: invalid option -- '%c'\n", ch))
				c.errRaw(netstatUsage)
				return c.done(1)
			}
		}
	}
	if route {
		c.netstatRoute()
		return c.done(0)
	}
	if ifaces {
		c.netstatIfaces()
		return c.done(0)
	}
	if prog && c.User.UID != 0 && c.User.Name != "root" {
		// prg_cache_load complains before anything is listed
		c.errRaw("(Not all processes could be identified, non-owned process info\n will not be shown, you would have to be root to see it all.)\n")
	}
	if !tcp && !udp && !unix {
		tcp, udp, unix = true, true, true
	}
	inet := tcp || udp
	if inet {
		switch {
		case listen:
			c.print("Active Internet connections (only servers)\n")
		case all:
			c.print("Active Internet connections (servers and established)\n")
		default:
			c.print("Active Internet connections (w/o servers)\n")
		}
		c.print("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ")
		if prog {
			c.print(" PID/Program name    ")
		}
		c.print("\n")
		for _, s := range c.sockets() {
			if (s.proto == "tcp" && !tcp) || (s.proto == "udp" && !udp) {
				continue
			}
			isListen := s.state == "LISTEN" || s.state == ""
			if (listen && !isListen) || (!listen && !all && isListen) {
				continue
			}
			proto := s.proto
			if s.v6 {
				proto += "6"
			}
			local := c.netstatAddr(s.local, s.proto, numeric, false)
			peer := "0.0.0.0:*"
			if s.v6 {
				peer = ":::*"
			}
			if !s.peerAny {
				peer = c.netstatAddr(s.peer, s.proto, numeric, true)
			}
			sendQ := s.sendQ
			if isListen {
				sendQ = 0 // /proc/net/tcp has no backlog; ss shows it, netstat does not
			}
			c.print(netstatRow(proto, s.recvQ, sendQ, local, peer, s.state))
			if prog {
				pr := "-"
				if len(s.owners) > 0 && (c.User.UID == 0 || c.User.Name == "root") {
					pr = netstatProg(s.owners[len(s.owners)-1])
				}
				c.printf(" %-20s", pr)
			}
			c.print("\n")
		}
	}
	if unix {
		c.netstatUnix(listen, all)
	}
	return c.done(0)
}

// netstatRow is one Internet socket line of netstat (tcp_do_one's format), without the
// program column.
func netstatRow(proto string, recvQ, sendQ int, local, peer, state string) string {
	return fmt.Sprintf("%-4s  %6d %6d %-*s %-*s %-11s", proto, recvQ, sendQ, max(23, len(local)), local, max(23, len(peer)), peer, state)
}

// netstatUnix is the UNIX domain part of a listing: the sockets of systemd and journald
// every Debian box has.
func (c *cmd) netstatUnix(listen, all bool) {
	switch {
	case listen:
		c.print("Active UNIX domain sockets (only servers)\n")
	case all:
		c.print("Active UNIX domain sockets (servers and established)\n")
	default:
		c.print("Active UNIX domain sockets (w/o servers)\n")
	}
	c.print("Proto RefCnt Flags       Type       State         I-Node   Path\n")
	type us struct {
		flags, state string
		inode        int
		path         string
	}
	srv := []us{
		{"[ ACC ]", "LISTENING", 13581, "/run/systemd/private"},
		{"[ ACC ]", "LISTENING", 13583, "/run/systemd/userdb/io.systemd.DynamicUser"},
		{"[ ACC ]", "LISTENING", 13592, "/run/systemd/journal/stdout"},
		{"[ ACC ]", "LISTENING", 15734, "/run/dbus/system_bus_socket"},
	}
	est := []us{
		{"[ ]", "CONNECTED", 16012, "/run/systemd/journal/stdout"},
		{"[ ]", "CONNECTED", 16018, ""},
	}
	var rows []us
	if listen || all {
		rows = append(rows, srv...)
	}
	if !listen {
		rows = append(rows, est...)
	}
	for _, r := range rows {
		c.printf("unix  %-5d  %-10s  %-10s %-13s %-8d %s\n", 2, r.flags, "STREAM", r.state, r.inode, r.path)
	}
}

// netstatAddr prints an address as netstat does: numeric, or the host's name from
// /etc/hosts and the service name unless -n.
func (c *cmd) netstatAddr(ap netip.AddrPort, proto string, numeric, remote bool) string {
	a := ap.Addr()
	host := a.String()
	if a.Is6() && a.IsUnspecified() {
		host = "::"
	}
	port := strconv.Itoa(int(ap.Port()))
	if !numeric {
		port = serviceName(proto, ap.Port())
		switch {
		case a.IsUnspecified():
			if a.Is6() {
				host = "[::]"
			}
		case a == c.hostIPv4():
			host = c.nodename()
		case a.IsLoopback():
			host = "localhost"
			if a.Is6() {
				host = "ip6-localhost"
			}
		}
		_ = remote
	}
	if a.Is6() && numeric {
		return host + ":" + port
	}
	return host + ":" + port
}

func (c *cmd) netstatRoute() {
	ip, bits := c.hostIPv4(), c.hostPrefixLen()
	network := netip.PrefixFrom(ip, bits).Masked().Addr()
	c.print("Kernel IP routing table\nDestination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n")
	c.print(netstatRouteRow(network.String(), "0.0.0.0", ipv4Mask(bits).String(), "U", 0, 0, 0, "eth0"))
}

// netstatRouteRow is one line of netstat -rn.
func netstatRouteRow(dest, gw, mask, flags string, mss, window, irtt int, iface string) string {
	return fmt.Sprintf("%-15s %-15s %-15s %-5s %5d %-6d %5d %s\n", dest, gw, mask, flags, mss, window, irtt, iface)
}

// netstatIfaces prints the interface table with the counters ifconfig shows.
func (c *cmd) netstatIfaces() {
	rxp, txp, lo := c.ifaceCounters()
	c.print("Kernel Interface table\nIface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n")
	c.print(netstatIfaceRow("eth0", 1500, [8]int64{rxp, 0, 0, 0, txp, 0, 0, 0}, "BMRU"))
	c.print(netstatIfaceRow("lo", 65536, [8]int64{lo, 0, 0, 0, lo, 0, 0, 0}, "LRU"))
}

// netstatIfaceRow is one line of netstat -i: RX ok/err/drop/overrun, then TX's.
func netstatIfaceRow(name string, mtu int, n [8]int64, flags string) string {
	return fmt.Sprintf("%-15s %5d %8d %6d %6d %-6d %8d %6d %6d %6d %s\n", name, mtu, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], flags)
}

// ifaceCounters are eth0's received and sent packets and lo's, the numbers ifconfig prints.
func (c *cmd) ifaceCounters() (rx, tx, lo int64) {
	up := c.now().Sub(c.bootTime()).Seconds()
	if up < 1 {
		up = 1
	}
	return int64(up * 3.1), int64(up * 2.2), int64(up * 0.4)
}

const netstatUsage = `usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}
       netstat [-vWnNcaeol] [<Socket> ...]
       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }

        -r, --route              display routing table
        -i, --interfaces         display interface table
        -g, --groups             display multicast group memberships
        -s, --statistics         display networking statistics (like SNMP)
        -M, --masquerade         display masqueraded connections

        -v, --verbose            be verbose
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -N, --symbolic           resolve hardware names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -o, --timers             display timers
        -c, --continuous         continuous listing

        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB
        -Z, --context            display SELinux security context for sockets

  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-S|--sctp} {-w|--raw}
           {-x|--unix} --ax25 --ipx --netrom
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) 
    ddp (Appletalk DDP) x25 (CCITT X.25) 
`
