package commands

import (
	"strconv"
	"strings"
	"testing"
)

// The test persona: web-prod-03 (eth0 10.225.189.133/24 from its name), sshd pid 512, the
// session's shell 1042 with its sshd 1035, the attacker at 203.0.113.7:51234.

func netstatEnv(t *testing.T) *tenv {
	e := newTestEnv(t)
	e.env["SSH_CLIENT"] = "203.0.113.7 51234 22"
	e.env["SSH_CONNECTION"] = "203.0.113.7 51234 10.225.189.133 22"
	return e
}

func TestNetstatAgreesWithIP(t *testing.T) {
	e := netstatEnv(t)
	ipOut, _, _ := e.run("ip", "addr")
	if !strings.Contains(ipOut, "inet 10.225.189.133/24 ") {
		t.Fatalf("the test's address assumption no longer holds: %s", ipOut)
	}
	out, _, _ := e.run("netstat", "-rn")
	if !strings.Contains(out, "\n10.225.189.0    0.0.0.0         255.255.255.0   U ") {
		t.Errorf("netstat -rn does not match ip route:\n%s", out)
	}
}

func TestNetstatOutputs(t *testing.T) {
	e := netstatEnv(t)
	e.expect([]string{"netstat", "-tlnp"}, "Active Internet connections (only servers)\n"+
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n"+
		"tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      512/sshd: /usr/sbin \n"+
		"tcp6       0      0 :::22                   :::*                    LISTEN      512/sshd: /usr/sbin \n", "", 0)
	e.expect([]string{"netstat", "-tan"}, "Active Internet connections (servers and established)\n"+
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n"+
		"tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN     \n"+
		"tcp        0      0 10.225.189.133:22       203.0.113.7:51234       ESTABLISHED\n"+
		"tcp6       0      0 :::22                   :::*                    LISTEN     \n", "", 0)
	e.expect([]string{"netstat", "-tnp"}, "Active Internet connections (w/o servers)\n"+
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n"+
		"tcp        0      0 10.225.189.133:22       203.0.113.7:51234       ESTABLISHED 1035/sshd: root@pts \n", "", 0)
	e.expect([]string{"netstat", "-rn"}, "Kernel IP routing table\n"+
		"Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n"+
		"10.225.189.0    0.0.0.0         255.255.255.0   U         0 0          0 eth0\n", "", 0)
	out, _, _ := e.run("netstat", "-i")
	lines := strings.Split(out, "\n")
	if len(lines) != 5 || lines[1] != "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg" ||
		!strings.HasPrefix(lines[2], "eth0             1500 ") || !strings.HasPrefix(lines[3], "lo              65536 ") {
		t.Errorf("netstat -i:\n%s", out)
	}
	// the packet counts are ifconfig's
	ifc, _, _ := e.run("ifconfig", "eth0")
	rx := strings.Fields(lines[2])[2]
	if !strings.Contains(ifc, "RX packets "+rx+" ") {
		t.Errorf("netstat -i RX-OK %s disagrees with ifconfig:\n%s", rx, ifc)
	}
	e.expect([]string{"netstat", "-Q"}, "", "netstat: invalid option -- 'Q'\n"+netstatUsage, 1)
	out, _, _ = e.run("netstat", "-an")
	if !strings.Contains(out, "Active UNIX domain sockets (servers and established)\nProto RefCnt Flags       Type       State         I-Node   Path\n") {
		t.Errorf("netstat -an has no UNIX part:\n%s", out)
	}
}

func TestNetstatNonRoot(t *testing.T) {
	e := netstatEnv(t).asDeploy()
	out, errs, st := e.run("netstat", "-tlnp")
	if st != 0 || !strings.HasPrefix(errs, "(Not all processes could be identified") ||
		!strings.Contains(out, "LISTEN      -                   \n") {
		t.Errorf("netstat -tlnp as deploy: %q %q", out, errs)
	}
	out, _, _ = e.run("ss", "-tlnp")
	if strings.Contains(out, "users:") {
		t.Errorf("ss -p shows root's processes to deploy:\n%s", out)
	}
}

func TestSSOutputs(t *testing.T) {
	e := netstatEnv(t)
	e.expect([]string{"ss", "-tlnp"},
		"State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess                       \n"+
			"LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:((\"sshd\",pid=512,fd=3))\n"+
			"LISTEN 0      128             [::]:22           [::]:*    users:((\"sshd\",pid=512,fd=4))\n", "", 0)
	e.expect([]string{"ss", "-tn"},
		"State Recv-Q Send-Q  Local Address:Port Peer Address:Port Process\n"+
			"ESTAB 0      0      10.225.189.133:22    203.0.113.7:51234       \n", "", 0)
	e.expect([]string{"ss", "-s"}, "Total: 129\nTCP:   3 (estab 1, closed 0, orphaned 0, timewait 0)\n\n"+
		"Transport Total     IP        IPv6\n"+
		"RAW\t  0         0         0        \nUDP\t  0         0         0        \nTCP\t  3         2         1        \n"+
		"INET\t  3         2         1        \nFRAG\t  0         0         0        \n\n", "", 0)
	out, _, _ := e.run("ss", "-tulpn")
	if !strings.HasPrefix(out, "Netid State  Recv-Q Send-Q ") || !strings.Contains(out, "\ntcp   LISTEN 0      128 ") {
		t.Errorf("ss -tulpn:\n%s", out)
	}
	// On a terminal the spare width is spread over the columns.
	e.tty, e.cols = true, 80
	out, _, _ = e.run("ss", "-tln")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if len(l) != 80 {
			t.Errorf("tty line is %d wide, want 80: %q", len(l), l)
		}
	}
}

// TestNetstatLayoutMatchesHost re-renders the host's own netstat and ss rows with the
// emulation's formatters; every line must come out byte for byte.
func TestNetstatLayoutMatchesHost(t *testing.T) {
	env := []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C"}
	out, _, _ := hostRun(t, env, "netstat", "-tan")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 2 || lines[1] != "Proto Recv-Q Send-Q Local Address           Foreign Address         State      " {
		t.Fatalf("host netstat -tan header: %q", out)
	}
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		if len(f) != 6 {
			continue
		}
		rq, _ := strconv.Atoi(f[1])
		sq, _ := strconv.Atoi(f[2])
		if got := netstatRow(f[0], rq, sq, f[3], f[4], f[5]); got != l {
			t.Errorf("netstat row\n got %q\nwant %q", got, l)
		}
	}
	out, _, _ = hostRun(t, env, "netstat", "-rn")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[2:] {
		f := strings.Fields(l)
		if len(f) != 8 {
			continue
		}
		n := make([]int, 3)
		for i := range n {
			n[i], _ = strconv.Atoi(f[4+i])
		}
		if got := netstatRouteRow(f[0], f[1], f[2], f[3], n[0], n[1], n[2], f[7]); got != l+"\n" {
			t.Errorf("netstat -rn row\n got %q\nwant %q", got, l)
		}
	}
	out, _, _ = hostRun(t, env, "netstat", "-i")
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[2:] {
		f := strings.Fields(l)
		if len(f) != 11 {
			continue
		}
		mtu, _ := strconv.Atoi(f[1])
		var n [8]int64
		for i := range n {
			n[i], _ = strconv.ParseInt(f[2+i], 10, 64)
		}
		if got := netstatIfaceRow(f[0], mtu, n, f[10]); got != l+"\n" {
			t.Errorf("netstat -i row\n got %q\nwant %q", got, l)
		}
	}
	// ss: piped, so compact; the same rows through the emulation's renderer.
	for _, args := range [][]string{{"-tan"}, {"-tuan"}} {
		out, _, _ = hostRun(t, env, "ss", args...)
		rows := [][]string{}
		netid := strings.HasPrefix(out, "Netid")
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:] {
			f := strings.Fields(l)
			if !netid {
				f = append([]string{"tcp"}, f...)
			}
			if len(f) != 6 {
				t.Skipf("SKIPPED (not a pass): unexpected host ss row %q", l)
			}
			li, pi := strings.LastIndexByte(f[4], ':'), strings.LastIndexByte(f[5], ':')
			rows = append(rows, []string{f[0], f[1], f[2], f[3], f[4][:li+1], f[4][li+1:], f[5][:pi+1], f[5][pi+1:], ""})
		}
		cols := ssColumns()
		cols[0].disabled = !netid
		c := newCmd(&Proc{Args: []string{"ss"}, Stdout: &strings.Builder{}})
		var b strings.Builder
		c.Stdout = &b
		c.ssRender(cols, rows)
		c.flush()
		if b.String() != out {
			t.Errorf("ss %v layout\n got %q\nwant %q", args, b.String(), out)
		}
	}
}

// TestSSHVars checks SSH_CLIENT and SSH_CONNECTION against what Debian's sshd sets, and that
// netstat then shows the same server address for the session's connection.
func TestSSHVars(t *testing.T) {
	e := newTestEnv(t)
	e.sess.Protocol, e.sess.SrcPort, e.sess.DstIP = "ssh", 51234, "192.0.2.200"
	client, conn := SSHVars(e.sess, e.vfs(), e.per)
	if client != "203.0.113.7 51234 22" || conn != "203.0.113.7 51234 10.225.189.133 22" {
		t.Errorf("remote client: %q, %q", client, conn)
	}
	e.sess.SrcIP, e.sess.DstIP = "127.0.0.1", "127.0.0.1"
	client, conn = SSHVars(e.sess, e.vfs(), e.per)
	if client != "127.0.0.1 51234 22" || conn != "127.0.0.1 51234 127.0.0.1 22" {
		t.Errorf("loopback client: %q, %q", client, conn)
	}
	e.env["SSH_CLIENT"], e.env["SSH_CONNECTION"] = client, conn
	if out, _, _ := e.run("netstat", "-tn"); !strings.Contains(out, "127.0.0.1:22            127.0.0.1:51234         ESTABLISHED") {
		t.Errorf("netstat disagrees with SSH_CONNECTION:\n%s", out)
	}
	e.sess.Protocol = "telnet"
	if client, conn = SSHVars(e.sess, e.vfs(), e.per); client != "" || conn != "" {
		t.Errorf("telnet session: %q, %q", client, conn)
	}
}

// TestRouteAgreesWithNetstat checks route's table (format of net-tools 2.10 on the host:
// "0.0.0.0         192.0.2.1       0.0.0.0         UG    0      0        0 eth0").
func TestRouteAgreesWithNetstat(t *testing.T) {
	e := netstatEnv(t)
	want := "Kernel IP routing table\n" +
		"Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n" +
		"10.225.189.0    0.0.0.0         255.255.255.0   U     0      0        0 eth0\n"
	e.expect([]string{"route", "-n"}, want, "", 0)
	e.expect([]string{"route"}, want, "", 0)
	e.expect([]string{"route", "-x"}, "", "route: invalid option -- 'x'\n", 4)
}
