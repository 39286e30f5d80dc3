//go:build linux

package ips

import (
	"strings"
	"testing"
	"time"
)

// TestLabIsolation checks the harness itself: two hosts of a lab reach each other over IPv4
// and IPv6, a closed port is not reached, and the namespaces see no host interface.
func TestLabIsolation(t *testing.T) {
	lab := NewLab(t)
	a, b := lab.Host("a"), lab.Host("b")
	b.Serve(t, ":7000")
	for _, addr := range []string{HostPort(b.Addr4, 7000), HostPort(b.Addr6, 7000)} {
		if !a.Reaches(addr, 2*time.Second) {
			t.Errorf("%s does not reach %s in the lab", a.Name, addr)
		}
	}
	if a.Reaches(HostPort(b.Addr4, 7001), time.Second) {
		t.Errorf("a closed port of %s was reached", b.Name)
	}
	if out := a.Run(t, "ip", "-o", "link"); len(strings.Split(strings.TrimSpace(out), "\n")) != 2 {
		t.Errorf("host %s should see only lo and eth0:\n%s", a.Name, out)
	}
	if out := a.Run(t, "ip", "route"); len(strings.Split(strings.TrimSpace(out), "\n")) != 1 {
		t.Errorf("host %s should have only its lab subnet's route:\n%s", a.Name, out)
	}
}
