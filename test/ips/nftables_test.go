//go:build linux

package ips

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/ips/enforce"
)

// TestNFTablesEnforcer checks the local enforcer in a sensor namespace: a banned address (IPv4
// and IPv6) no longer reaches a protected port but still reaches the exempt honeypot port,
// another address is untouched, the element's timeout lifts the ban by itself, Unban lifts it
// at once, a Range decision covers its addresses, and Close leaves no table behind.
func TestNFTablesEnforcer(t *testing.T) {
	RequireRoot(t, "nft")
	lab := NewLab(t)
	sensor, attacker, other := lab.Host("sensor"), lab.Host("attacker"), lab.Host("other")
	sensor.Serve(t, ":2222") // the honeypot port: exempt
	sensor.Serve(t, ":8000") // anything else on the sensor
	fd, err := sensor.NetNSFd()
	if err != nil {
		t.Fatal(err)
	}
	defer closeFd(fd)
	nft, err := enforce.NewNFTables(enforce.NFTablesOptions{ExemptPorts: []int{2222}, NetNSFd: fd})
	if err != nil {
		t.Fatal(err)
	}
	defer nft.Close()
	ctx := context.Background()
	protected4, honeypot4 := HostPort(sensor.Addr4, 8000), HostPort(sensor.Addr4, 2222)
	protected6 := HostPort(sensor.Addr6, 8000)
	for _, a := range []string{protected4, honeypot4, protected6} {
		if !attacker.Reaches(a, 2*time.Second) {
			t.Fatalf("before any ban the attacker does not reach %s", a)
		}
	}
	ban := func(scope, value string, d time.Duration) ips.Decision {
		now := time.Now()
		dec := ips.Decision{ID: 1, Scope: scope, Value: value, Type: "ban", Created: now, Until: now.Add(d)}
		if err := nft.Ban(ctx, dec); err != nil {
			t.Fatalf("ban %s: %v", value, err)
		}
		return dec
	}
	d4 := ban("Ip", attacker.Addr4, time.Hour)
	d6 := ban("Ip", attacker.Addr6, time.Hour)
	if attacker.Reaches(protected4, time.Second) || attacker.Reaches(protected6, time.Second) {
		t.Error("a banned attacker still reaches a protected port")
	}
	if !attacker.Reaches(honeypot4, 2*time.Second) {
		t.Error("a banned attacker no longer reaches the exempt honeypot port")
	}
	if !other.Reaches(protected4, 2*time.Second) || !other.Reaches(protected6, 2*time.Second) {
		t.Error("an address that is not banned is blocked")
	}
	got, err := nft.Banned()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{attacker.Addr4 + "/32": true, attacker.Addr6 + "/128": true}
	if len(got) != 2 || !want[got[0].String()] || !want[got[1].String()] {
		t.Errorf("sets hold %v, want the attacker's two addresses", got)
	}
	out := sensor.Run(t, "nft", "list", "table", "inet", "lure")
	for _, s := range []string{"ban4", "ban6", "flags timeout", "flags interval,timeout", "tcp dport @exempt return", "ip saddr @ban4 drop", "ip6 saddr @ban6 drop", "ip saddr @range4 drop", "2222"} {
		if !strings.Contains(out, s) {
			t.Errorf("nft list table inet lure lacks %q:\n%s", s, out)
		}
	}
	// Unban lifts at once; a second Unban of the same address is no error.
	for _, d := range []ips.Decision{d4, d6, d4} {
		if err := nft.Unban(ctx, d); err != nil {
			t.Errorf("unban %s: %v", d.Value, err)
		}
	}
	if !attacker.Reaches(protected4, 2*time.Second) || !attacker.Reaches(protected6, 2*time.Second) {
		t.Error("the attacker is still blocked after Unban")
	}
	// A short ban lifts by itself through the element's timeout.
	ban("Ip", attacker.Addr4, 1500*time.Millisecond)
	if attacker.Reaches(protected4, time.Second) {
		t.Error("the short ban does not block")
	}
	if took, ok := attacker.WaitReach(protected4, true, 5*time.Second); !ok {
		t.Error("the short ban did not expire within 5s")
	} else {
		t.Logf("the 1.5s ban lifted %s after the check started", took.Round(10*time.Millisecond))
	}
	// A longer decision for an address already in the set replaces its element.
	ban("Ip", attacker.Addr4, 1500*time.Millisecond)
	ban("Ip", attacker.Addr4, time.Hour)
	time.Sleep(2 * time.Second)
	if attacker.Reaches(protected4, time.Second) {
		t.Error("a ban extended to an hour lifted with the first, shorter timeout")
	}
	// A range covering the other host.
	pfx := netip.PrefixFrom(netip.MustParseAddr(other.Addr4), 30).Masked()
	ban("Range", pfx.String(), time.Hour)
	if other.Reaches(protected4, time.Second) {
		t.Errorf("a host inside the banned range %s still gets through", pfx)
	}
	if got, err := nft.Banned(); err != nil || len(got) != 2 || got[1] != pfx {
		t.Errorf("sets hold %v (%v), want the attacker's address and the range %s", got, err, pfx)
	}
	if err := nft.Close(); err != nil {
		t.Fatal(err)
	}
	if out := sensor.Run(t, "nft", "list", "tables"); strings.Contains(out, "lure") {
		t.Errorf("table inet lure is left after Close:\n%s", out)
	}
	if !attacker.Reaches(protected4, 2*time.Second) {
		t.Error("the attacker is still blocked after Close")
	}
}
