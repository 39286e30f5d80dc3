//go:build linux

package ips

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// scanPorts are the ports the nmap runs probe: the honeypot's SSH port, five decoys, and
// closed ones. Few ports keep the scans short; nmap's order among them is its own.
const scanPorts = "21,22,23,25,80,443,2222,2323,3306,5900,8080,9999"

// scanConfig runs lure with decoys on five ports and the NFLOG reader on.
func scanConfig(sensor *Host) string {
	return fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
ips:
  lapi:
    listen: ""
  ban_duration: 1h
  syn_only_duration: 30s
  detect:
    scan:
      decoys: ["0.0.0.0:21", "0.0.0.0:23", "0.0.0.0:2323", "0.0.0.0:3306", "[::]:8080"]
      nflog:
        enabled: true
        group: 7668
`, sensor.Addr4)
}

// alertFor finds the IPS alert for src with the given scenario.
func alertFor(l *Lure, t *testing.T, src, scenario string, within time.Duration) map[string]any {
	t.Helper()
	return l.WaitEvent(t, "lure.ips.alert", func(e map[string]any) bool {
		return e["src_ip"] == src && e["scenario"] == scenario
	}, within)
}

// TestNmapScansAreDetected runs the real nmap from attacker namespaces against the real lure
// serve: a connect scan (-sT) completes handshakes on the decoys and is a full scan alert; a
// SYN scan (-sS) completes none and is a SYN-only alert whose decision is the short one; a
// burst of SYNs forged with another lab host's address names that host, and
// it too gets only the short decision. It also measures how fast a logged SYN reaches lure.
func TestNmapScansAreDetected(t *testing.T) {
	tools := RequireRoot(t, "nmap", "nft")
	lab := NewLab(t)
	sensor, connect, syn, spoofer, victim := lab.Host("sensor"), lab.Host("connect"), lab.Host("syn"), lab.Host("spoofer"), lab.Host("victim")
	l := StartLure(t, sensor, scanConfig(sensor), 2222)
	if out := sensor.Run(t, "nft", "list", "table", "inet", "lure_scan"); !strings.Contains(out, "log group 7668") {
		t.Fatalf("lure did not install its SYN logging rule:\n%s\nlure:\n%s", out, l.Stderr())
	}

	t.Run("connect scan", func(t *testing.T) {
		out, err := connect.Command(t.Context(), tools["nmap"], "-sT", "-Pn", "-n", "--max-retries", "1", "-p", scanPorts, sensor.Addr4).CombinedOutput()
		if err != nil {
			t.Fatalf("nmap -sT: %v\n%s", err, out)
		}
		for _, p := range []string{"21", "23", "2222", "2323", "3306", "8080"} {
			if !regexp.MustCompile(`(?m)^` + p + `/tcp\s+open\b`).Match(out) {
				t.Errorf("nmap does not see decoy/honeypot port %s open:\n%s", p, out)
			}
		}
		a := alertFor(l, t, connect.Addr4, "lure/portscan", 10*time.Second)
		if a["handshake"] != true || a["detector"] != "portscan" {
			t.Errorf("connect scan alert = %v", a)
		}
		ev, _ := a["evidence"].([]any)
		if len(ev) < 5 {
			t.Errorf("the alert cites %d evidence events, want the five handshakes", len(ev))
		}
		// The evidence ids are events in the log: decoy connections and the SSH connect.
		ids := map[string]string{}
		for _, e := range l.Events(t) {
			if u, ok := e["uuid"].(string); ok {
				ids[u] = e["eventid"].(string)
			}
		}
		for _, x := range ev {
			if id := ids[x.(string)]; id != "lure.tcp.connect" && id != "cowrie.session.connect" {
				t.Errorf("evidence %v is %q, want a handshake event", x, id)
			}
		}
		d := l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
			return e["src_ip"] == connect.Addr4 && e["scenario"] == "lure/portscan"
		}, 5*time.Second)
		if d["outcome"] != "decided" || d["duration"] != "1h0m0s" {
			t.Errorf("a connect scan must get the full ban: %v", d)
		}
	})

	t.Run("SYN scan", func(t *testing.T) {
		out, err := syn.Command(t.Context(), tools["nmap"], "-sS", "-Pn", "-n", "--max-retries", "1", "-p", scanPorts, sensor.Addr4).CombinedOutput()
		if err != nil {
			t.Fatalf("nmap -sS: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "2323/tcp") {
			t.Errorf("nmap -sS output lacks the decoy port:\n%s", out)
		}
		a := alertFor(l, t, syn.Addr4, "lure/portscan-syn", 10*time.Second)
		if a["handshake"] != false {
			t.Errorf("a SYN scan has no handshake: %v", a)
		}
		d := l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
			return e["src_ip"] == syn.Addr4 && e["scenario"] == "lure/portscan-syn"
		}, 5*time.Second)
		if d["duration"] != "30s" {
			t.Errorf("a SYN-only scan must get at most syn_only_duration (30s): %v", d)
		}
		for _, e := range l.Events(t) {
			if e["eventid"] == "lure.ips.alert" && e["src_ip"] == syn.Addr4 && e["scenario"] == "lure/portscan" {
				t.Errorf("nmap -sS produced a handshake alert: %v", e)
			}
		}
	})

	t.Run("spoofed SYN scan", func(t *testing.T) {
		// The spoofer forges the victim's address on raw SYNs (nmap -S cannot route from an
		// address the host does not have); the sensor's SYN-ACKs go to the victim.
		if err := spoofSYNs(spoofer, victim.Addr4, sensor.Addr4, []int{21, 22, 23, 25, 80, 443, 2222, 2323}); err != nil {
			t.Fatal(err)
		}
		a := alertFor(l, t, victim.Addr4, "lure/portscan-syn", 10*time.Second)
		if a["handshake"] != false {
			t.Errorf("forged SYNs gave a handshake alert: %v", a)
		}
		d := l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool { return e["src_ip"] == victim.Addr4 }, 5*time.Second)
		if d["duration"] != "30s" {
			t.Errorf("forged SYNs must get the short decision only: %v", d)
		}
		for _, e := range l.Events(t) {
			if e["src_ip"] == spoofer.Addr4 && strings.HasPrefix(e["eventid"].(string), "lure.") {
				t.Errorf("the spoofer's own address appears: %v", e)
			}
		}
	})

	t.Run("SYN delivery latency", func(t *testing.T) {
		// One SYN at a time to a closed port: from the connect call to the event's timestamp
		// (lure stamps a SYN when the kernel hands it over).
		prober := lab.Host("prober")
		var lat []time.Duration
		for i := range 15 {
			port := 40000 + i
			start := time.Now()
			prober.Reaches(HostPort(sensor.Addr4, port), 200*time.Millisecond)
			e := l.WaitEvent(t, "lure.tcp.syn", func(e map[string]any) bool {
				return e["src_ip"] == prober.Addr4 && e["dst_port"] == float64(port)
			}, 5*time.Second)
			ts, err := time.Parse(time.RFC3339Nano, e["timestamp"].(string))
			if err != nil {
				t.Fatal(err)
			}
			lat = append(lat, ts.Sub(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		t.Logf("SYN to lure.tcp.syn event (NFLOG, %d SYNs): median %s, max %s", len(lat), lat[len(lat)/2].Round(10*time.Microsecond), slices.Max(lat).Round(10*time.Microsecond))
	})

	l.Stop()
	if out := sensor.Run(t, "nft", "list", "tables"); strings.Contains(out, "lure_scan") {
		t.Errorf("table inet lure_scan is left after lure stopped:\n%s", out)
	}
}

// spoofSYNs sends one TCP SYN to each port of dst from h's namespace with the forged source
// address src, through a raw socket.
func spoofSYNs(h *Host, src, dst string, ports []int) error {
	s4, d4 := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	return h.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW)
		if err != nil {
			return fmt.Errorf("raw socket: %w", err)
		}
		defer unix.Close(fd)
		for i, port := range ports {
			pkt := make([]byte, 40)
			pkt[0], pkt[8], pkt[9] = 0x45, 64, unix.IPPROTO_TCP
			binary.BigEndian.PutUint16(pkt[2:], 40)
			copy(pkt[12:], s4[:])
			copy(pkt[16:], d4[:])
			tcp := pkt[20:]
			binary.BigEndian.PutUint16(tcp[0:], uint16(50000+i))
			binary.BigEndian.PutUint16(tcp[2:], uint16(port))
			binary.BigEndian.PutUint32(tcp[4:], 0x1000+uint32(i))
			tcp[12], tcp[13] = 5<<4, 0x02
			binary.BigEndian.PutUint16(tcp[14:], 64240)
			// TCP checksum over the pseudo-header and the segment.
			sum := uint32(0)
			add := func(b []byte) {
				for j := 0; j+1 < len(b); j += 2 {
					sum += uint32(binary.BigEndian.Uint16(b[j:]))
				}
			}
			add(s4[:])
			add(d4[:])
			sum += unix.IPPROTO_TCP + 20
			add(tcp)
			for sum>>16 != 0 {
				sum = sum&0xffff + sum>>16
			}
			binary.BigEndian.PutUint16(tcp[16:], ^uint16(sum))
			if err := unix.Sendto(fd, pkt, 0, &unix.SockaddrInet4{Addr: d4}); err != nil {
				return fmt.Errorf("sending a forged SYN: %w", err)
			}
		}
		return nil
	})
}
