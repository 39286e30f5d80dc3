package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

func (s *seq) hit(id string, at time.Duration, src string, port int) event.Event {
	e := s.ev(id, at, src, nil)
	e.DstPort, e.Protocol = port, "tcp"
	return e
}

func TestPortScanConnectScan(t *testing.T) {
	var s seq
	d := NewPortScan(ScanOptions{})
	var a []ips.Alert
	for i, port := range []int{21, 23, 80, 2222} {
		a = append(a, run(d, s.hit(event.TCPConnect, time.Duration(i)*100*time.Millisecond, "203.0.113.30", port))...)
	}
	// The same port again is not a new port.
	a = append(a, run(d, s.hit(event.TCPConnect, time.Second, "203.0.113.30", 80))...)
	if len(a) != 0 {
		t.Fatalf("four distinct ports raised %v", a)
	}
	a = run(d, s.hit(event.SessionConnect, 2*time.Second, "203.0.113.30", 443))
	if len(a) != 1 {
		t.Fatalf("the fifth distinct port within 10s must raise one alert, got %+v", a)
	}
	got := a[0]
	if got.Scenario != "lure/portscan" || !got.Handshake || got.Source.String() != "203.0.113.30" ||
		!slices.Equal(got.Fields["ports"].([]int), []int{21, 23, 80, 443, 2222}) {
		t.Errorf("alert = %+v", got)
	}
	// e5 (port 80) was replaced by its later hit e5; the evidence cites one id per port.
	if want := []string{"e1", "e2", "e5", "e6", "e4"}; !slices.Equal(got.Evidence, want) {
		t.Errorf("evidence = %v, want %v (ports in order 21 23 80 443 2222)", got.Evidence, want)
	}
	// Quiet for a while: more ports raise nothing.
	for i := range 10 {
		if a := run(d, s.hit(event.TCPConnect, 3*time.Second+time.Duration(i)*time.Millisecond, "203.0.113.30", 3000+i)); len(a) != 0 {
			t.Fatalf("alert during the quiet time: %v", a)
		}
	}
}

func TestPortScanSlowPortsDoNotAddUp(t *testing.T) {
	var s seq
	d := NewPortScan(ScanOptions{})
	for i := range 50 {
		// One new port every 3s: never five within 10s.
		if a := run(d, s.hit(event.TCPConnect, time.Duration(i)*3*time.Second, "203.0.113.31", 1000+i)); len(a) != 0 {
			t.Fatalf("a port every 3s raised %v at port %d", a, i)
		}
	}
	if n := len(d.m[mustParseAddr(t, "203.0.113.31")].ports); n > 5 {
		t.Errorf("%d ports remembered; old ones should be pruned", n)
	}
}

func TestPortScanSynOnlyIsShortEvidence(t *testing.T) {
	var s seq
	d := NewPortScan(ScanOptions{})
	var a []ips.Alert
	// nmap -sS: SYNs only, one of them to a port that answered a real connection before.
	a = append(a, run(d, s.hit(event.SessionConnect, 0, "203.0.113.32", 2222))...)
	for i, port := range []int{22, 80, 443, 3306} {
		a = append(a, run(d, s.hit(event.TCPSyn, time.Second+time.Duration(i)*time.Millisecond, "203.0.113.32", port))...)
	}
	if len(a) != 1 || a[0].Handshake || a[0].Scenario != "lure/portscan-syn" || a[0].Fields["handshake_ports"] != 1 {
		t.Fatalf("one handshake and four SYNs must give one SYN-level alert: %+v", a)
	}
	// The same source then completes handshakes on five ports: an upgrade to a full alert.
	var up []ips.Alert
	for i, port := range []int{21, 23, 25, 110} {
		up = append(up, run(d, s.hit(event.TCPConnect, 2*time.Second+time.Duration(i)*time.Millisecond, "203.0.113.32", port))...)
	}
	if len(up) != 1 || !up[0].Handshake || up[0].Scenario != "lure/portscan" || len(up[0].Evidence) != 5 {
		t.Fatalf("five handshake ports after a SYN alert must raise a handshake alert: %+v", up)
	}
}

func TestPortScanSpoofedSynsNeverGiveHandshake(t *testing.T) {
	var s seq
	d := NewPortScan(ScanOptions{})
	var a []ips.Alert
	// The victim really logs in once; forged SYNs "from" it hit many ports.
	a = append(a, run(d, s.hit(event.SessionConnect, 0, "198.51.100.53", 2222))...)
	for i := range 200 {
		a = append(a, run(d, s.hit(event.TCPSyn, time.Duration(i)*10*time.Millisecond, "198.51.100.53", 1+i))...)
	}
	for _, x := range a {
		if x.Handshake {
			t.Fatalf("forged SYNs plus one real connection produced a handshake alert: %+v", x)
		}
	}
	if len(a) != 1 {
		t.Errorf("want one SYN-level alert in the quiet time, got %d", len(a))
	}
}

func TestPortScanIgnoresOtherEventsAndIsBounded(t *testing.T) {
	var s seq
	d := NewPortScan(ScanOptions{MaxKeys: 8})
	for i := range 100 {
		e := s.hit(event.LoginFailed, 0, "203.0.113.40", 1000+i)
		if a := run(d, e); len(a) != 0 {
			t.Fatal(a)
		}
		run(d, s.hit(event.TCPSyn, 0, fmt.Sprintf("203.0.113.%d", i), 80))
	}
	if len(d.m) > 8 || d.refused != 92 {
		t.Errorf("tracked %d sources (bound 8), refused %d (want 92)", len(d.m), d.refused)
	}
}
