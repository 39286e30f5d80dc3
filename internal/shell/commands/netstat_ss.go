package commands

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ss: iproute2 6.1's column renderer (render_calc_width and render): each column is as wide
// as its widest field plus its left delimiter; on a terminal the spare width is spread over
// the columns, piped output stays compact.

// ssColumn is one of ss's output columns.
type ssColumn struct {
	right    bool
	head     string
	ldelim   string
	disabled bool
	width    int
}

func ssCmd(p *Proc) int {
	c := newCmd(p)
	var tcp, udp, listen, all, numeric, prog, summary bool
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
			case "--processes":
				prog = true
			case "--summary":
				summary = true
			case "--version":
				c.print("ss utility, iproute2-6.1.0, libbpf 1.1.0\n")
				return c.done(0)
			default:
				c.errRaw("ss: unrecognized option '" + a + "'\n")
				return c.done(255)
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
			case 's':
				summary = true
			case 'e', 'i', 'm', 'o', '4', '6', 'H', 'O', 'r':
			case 'V':
				c.print("ss utility, iproute2-6.1.0, libbpf 1.1.0\n")
				return c.done(0)
			default:
				c.errRaw(fmt.Sprintf("ss: invalid option -- '%c'\n", ch))
				return c.done(255)
			}
		}
	}
	socks := c.sockets()
	if summary {
		c.ssSummary(socks)
		return c.done(0)
	}
	if !tcp && !udp {
		tcp, udp = true, true
	}
	cols := ssColumns()
	// Netid only when more than one socket table is asked for (iproute2 hides it otherwise).
	cols[0].disabled = !(tcp && udp)
	rows := [][]string{}
	for _, s := range socks {
		if (s.proto == "tcp" && !tcp) || (s.proto == "udp" && !udp) {
			continue
		}
		isListen := s.state == "LISTEN" || s.state == ""
		if (listen && !isListen) || (!listen && !all && isListen) {
			continue
		}
		state := "ESTAB"
		switch s.state {
		case "LISTEN":
			state = "LISTEN"
		case "":
			state = "UNCONN"
		}
		local, lport := c.ssAddr(s.local, s.proto, numeric)
		peer, pport := "0.0.0.0", "*"
		if s.v6 {
			peer = "[::]"
		}
		if !s.peerAny {
			peer, pport = c.ssAddr(s.peer, s.proto, numeric)
		}
		procCol := ""
		if prog && len(s.owners) > 0 && (c.User.UID == 0 || c.User.Name == "root") {
			parts := make([]string, len(s.owners))
			for i, o := range s.owners {
				parts[i] = fmt.Sprintf("(\"%s\",pid=%d,fd=%d)", o.comm, o.pid, o.fd)
			}
			procCol = " users:(" + strings.Join(parts, ",") + ")"
		}
		rows = append(rows, []string{s.proto, state, strconv.Itoa(s.recvQ), strconv.Itoa(s.sendQ), local + ":", lport, peer + ":", pport, procCol})
	}
	c.ssRender(cols, rows)
	return c.done(0)
}

// ssColumns is ss's column table.
func ssColumns() []ssColumn {
	return []ssColumn{
		{head: "Netid"}, {head: "State", ldelim: " "}, {head: "Recv-Q", ldelim: " "}, {head: "Send-Q", ldelim: " "},
		{right: true, head: "Local Address:", ldelim: " "}, {head: "Port"},
		{right: true, head: "Peer Address:", ldelim: " "}, {head: "Port"}, {head: "Process"},
	}
}

// ssAddr splits an address into ss's address and port fields.
func (c *cmd) ssAddr(ap netip.AddrPort, proto string, numeric bool) (string, string) {
	a := ap.Addr()
	host := a.String()
	if a.Is6() {
		host = "[" + host + "]"
	}
	port := strconv.Itoa(int(ap.Port()))
	if !numeric {
		port = serviceName(proto, ap.Port())
	}
	return host, port
}

// ssRender lays out the header and rows as render_calc_width and render do.
func (c *cmd) ssRender(cols []ssColumn, rows [][]string) {
	all := append([][]string{nil}, rows...)
	all[0] = make([]string, len(cols))
	for i, col := range cols {
		all[0][i] = col.head
	}
	maxLen := make([]int, len(cols))
	for _, r := range all {
		for i, f := range r {
			if len(f) > maxLen[i] {
				maxLen[i] = len(f)
			}
		}
	}
	screen := -1
	if c.StdoutTTY {
		screen = c.Columns
		if screen <= 0 {
			screen = 80
		}
	}
	first := true
	for i := range cols {
		if cols[i].disabled {
			continue
		}
		w := maxLen[i]
		if !first && w > 0 {
			w += len(cols[i].ldelim)
		}
		if screen > 0 && w > screen {
			w = screen
		}
		cols[i].width = w
		if w > 0 {
			first = false
		}
	}
	if screen > 0 {
		// Spread the spare width over the columns of each line.
		eol, length, linecols := -1, 0, 0
		for i := 0; i < len(cols); i++ {
			if cols[i].disabled || cols[i].width == 0 {
				continue
			}
			linecols++
			length += cols[i].width
			last := true
			for j := i + 1; j < len(cols); j++ {
				if !cols[j].disabled && cols[j].width > 0 {
					last = false
					break
				}
			}
			if !last && length < screen {
				continue
			}
			if length != screen {
				if length > screen {
					length -= cols[i].width
					i--
					linecols--
				}
				if linecols > 0 {
					pad := screen - length
					spacing, rem := pad/linecols, pad%linecols
					for j := i; j > eol; j-- {
						if cols[j].disabled || cols[j].width == 0 {
							continue
						}
						cols[j].width += spacing
						if rem > 0 {
							cols[j].width++
							rem--
						}
					}
				}
			}
			eol, length, linecols = i, 0, 0
		}
	}
	var b strings.Builder
	for _, r := range all {
		started := false
		for i, f := range r {
			col := cols[i]
			if col.disabled {
				continue
			}
			printed := 0
			if started {
				b.WriteString(col.ldelim)
				printed = len(col.ldelim)
			}
			started = true
			if col.right {
				if pad := col.width - len(f) - printed; pad > 0 {
					b.WriteString(strings.Repeat(" ", pad))
					printed += pad
				}
			}
			b.WriteString(f)
			printed += len(f)
			if !col.right {
				if pad := col.width - printed; pad > 0 {
					b.WriteString(strings.Repeat(" ", pad))
				}
			}
		}
		b.WriteString("\n")
	}
	c.print(b.String())
}

// ssSummary is ss -s over the persona's sockets.
func (c *cmd) ssSummary(socks []inetSock) {
	var tcp4, tcp6, udp4, udp6, estab int
	for _, s := range socks {
		switch {
		case s.proto == "tcp" && s.v6:
			tcp6++
		case s.proto == "tcp":
			tcp4++
		case s.v6:
			udp6++
		default:
			udp4++
		}
		if s.state == "ESTABLISHED" {
			estab++
		}
	}
	tcp, udp := tcp4+tcp6, udp4+udp6
	c.printf("Total: %d\n", 120+len(socks)*3)
	c.printf("TCP:   %d (estab %d, closed 0, orphaned 0, timewait 0)\n\n", tcp, estab)
	c.print("Transport Total     IP        IPv6\n")
	line := func(name string, t, v4, v6 int) {
		c.printf("%s\t  %-9d %-9d %-9d\n", name, t, v4, v6)
	}
	line("RAW", 0, 0, 0)
	line("UDP", udp, udp4, udp6)
	line("TCP", tcp, tcp4, tcp6)
	line("INET", tcp+udp, tcp4+udp4, tcp6+udp6)
	line("FRAG", 0, 0, 0)
	c.print("\n")
}
