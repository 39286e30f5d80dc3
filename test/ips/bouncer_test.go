//go:build linux

package ips

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHydraBanReachesCrowdSecBouncer is the paper's attack scenario, automated: hydra guesses
// SSH passwords on the real `lure serve` from the attacker's namespace; lure bans the attacker;
// Debian's stock crowdsec-firewall-bouncer (nftables mode, update frequency 1s) on a protected
// host, pointed at lure's bouncer API, starts dropping the attacker's packets within seconds
// while a bystander still gets through; when the short ban ends, the block lifts.
//
// It logs the figures of the README's IPS section: the deciding event to the decision, the
// decision to the first dropped connection on the protected host, and the end of the ban to the
// block lifting.
func TestHydraBanReachesCrowdSecBouncer(t *testing.T) {
	tools := RequireRoot(t, "hydra", "crowdsec-firewall-bouncer", "nft")
	lab := NewLab(t)
	// The attacker is host 4, so the range 198.18.7.4/30 holds it and no other host.
	sensor, protected, bystander, attacker := lab.Host("sensor"), lab.Host("protected"), lab.Host("bystander"), lab.Host("attacker")

	key := randomHex(t, 24)
	const ban = 10 * time.Second
	l := StartLure(t, sensor, fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
  credentials: [{user: root, password: "k7#Qv9-not-in-the-wordlist"}]
  auth_fail_delay: 50ms
ips:
  ban_duration: %s
  max_ban_duration: %s
  syn_only_duration: 2s
  lapi:
    listen: "%s:8081"
    bouncer_keys: ["%s"]
`, sensor.Addr4, ban, ban, sensor.Addr4, key), 2222)

	// The protected host: a service, and the stock bouncer run directly (its systemd unit is
	// not used) with a config this test writes.
	protected.Serve(t, ":8080")
	service := HostPort(protected.Addr4, 8080)
	dir := t.TempDir()
	bcfg := filepath.Join(dir, "crowdsec-firewall-bouncer.yaml")
	if err := os.WriteFile(bcfg, []byte(fmt.Sprintf(`mode: nftables
pid_dir: %s
update_frequency: 1s
daemonize: false
log_mode: file
log_dir: %s
log_level: debug
api_url: http://%s/
api_key: %s
disable_ipv6: false
deny_action: DROP
deny_log: false
supported_decisions_types:
  - ban
blacklists_ipv4: crowdsec-blacklists
blacklists_ipv6: crowdsec6-blacklists
nftables:
  ipv4:
    enabled: true
    set-only: false
    table: crowdsec
    chain: crowdsec-chain
  ipv6:
    enabled: true
    set-only: false
    table: crowdsec6
    chain: crowdsec6-chain
prometheus:
  enabled: false
`, dir, dir, HostPort(sensor.Addr4, 8081), key)), 0o600); err != nil {
		t.Fatal(err)
	}
	bctx, stopBouncer := context.WithCancel(context.Background())
	bouncer := protected.Command(bctx, tools["crowdsec-firewall-bouncer"], "-c", bcfg)
	bout := &SyncBuffer{}
	bouncer.Stdout, bouncer.Stderr = bout, bout
	if err := bouncer.Start(); err != nil {
		t.Fatal(err)
	}
	bouncerDone := make(chan struct{})
	go func() { bouncer.Wait(); close(bouncerDone) }()
	t.Cleanup(func() {
		stopBouncer()
		<-bouncerDone
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "crowdsec-firewall-bouncer.log"))
			t.Logf("bouncer output:\n%s\nbouncer log:\n%s", bout.String(), log)
		}
	})
	// The bouncer has pulled once it made its table.
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(protected.Run(t, "nft", "list", "tables"), "crowdsec") {
		select {
		case <-bouncerDone:
			log, _ := os.ReadFile(filepath.Join(dir, "crowdsec-firewall-bouncer.log"))
			t.Fatalf("crowdsec-firewall-bouncer exited:\n%s\n%s", bout.String(), log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("crowdsec-firewall-bouncer made no nftables table within 15s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, h := range []*Host{attacker, bystander} {
		if !h.Reaches(service, 2*time.Second) {
			t.Fatalf("before the attack %s does not reach the protected service", h.Name)
		}
	}

	// The attack: hydra, bounded (4 tasks, 12 wrong passwords, 60 s at most).
	words := filepath.Join(dir, "passwords.txt")
	os.WriteFile(words, []byte("123456\npassword\nadmin\nroot\n12345678\nqwerty\ntoor\nletmein\n111111\nabc123\nraspberry\nubnt\n"), 0o600)
	hctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hydra := attacker.Command(hctx, tools["hydra"], "-I", "-l", "root", "-P", words, "-t", "4", "-w", "10", "-s", "2222", sensor.Addr4, "ssh")
	hydraDone := make(chan []byte, 1)
	go func() {
		out, _ := hydra.CombinedOutput()
		hydraDone <- out
	}()

	dec := l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
		return e["outcome"] == "decided" && e["src_ip"] == attacker.Addr4
	}, 45*time.Second)
	decidedAt, err := time.Parse(time.RFC3339Nano, dec["timestamp"].(string))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("decision %v: %v for %v (%v); deciding event to decision %.3f ms", dec["decision_id"], dec["scenario"], dec["duration"], dec["src_ip"], dec["latency_ms"])
	if ev, _ := dec["evidence"].([]any); len(ev) < 5 {
		t.Errorf("the decision cites %d evidence events, want the failed logins (at least 5)", len(ev))
	}

	// Within a few seconds the protected host drops the attacker, and only the attacker.
	blockedAt, ok := firstBlocked(attacker, service, 10*time.Second)
	if !ok {
		t.Fatalf("the protected host still lets the attacker in 10s after the decision; its nftables:\n%s", protected.Run(t, "nft", "list", "ruleset"))
	}
	t.Logf("decision to drop on the protected host: %s", blockedAt.Sub(decidedAt).Round(time.Millisecond))
	if !bystander.Reaches(service, 2*time.Second) {
		t.Error("the bystander is blocked too")
	}
	if set := protected.Run(t, "nft", "list", "table", "ip", "crowdsec"); !strings.Contains(set, attacker.Addr4) || strings.Contains(set, bystander.Addr4) {
		t.Errorf("the bouncer's set does not hold exactly the attacker:\n%s", set)
	}
	cancel() // hydra has done its part: the rest of its list would only add alerts for a banned source
	if out := <-hydraDone; strings.Contains(string(out), "password: ") {
		t.Errorf("hydra found a password that is not in its list:\n%s", out)
	}

	// The ban ends and the block lifts.
	until, err := time.Parse(time.RFC3339Nano, dec["until"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if time.Until(until) > 1500*time.Millisecond && !isBlocked(attacker, service) {
		t.Error("the block lifted before the ban ended")
	}
	if _, ok := attacker.WaitReach(service, true, time.Until(until)+10*time.Second); !ok {
		t.Fatalf("the attacker is still blocked 10s after the ban ended at %s", until.Format(time.RFC3339))
	}
	lifted := time.Since(until)
	t.Logf("ban end to block lifted: %s", lifted.Round(time.Millisecond))
	if lifted < -50*time.Millisecond { // lure rounds the time left up, so bouncers never lift early
		t.Errorf("the block lifted %s before the ban ended", -lifted)
	}

	// Decisions made by hand reach the bouncer too, and so do their removals: an IPv6 address
	// and an IPv4 range.
	service6 := HostPort(protected.Addr6, 8080)
	rng := netip.PrefixFrom(netip.MustParseAddr(attacker.Addr4), 30).Masked().String()
	if rng != "198.18.7.4/30" {
		t.Fatalf("the attacker's /30 is %s; the lab's numbering changed", rng)
	}
	for _, a := range [][]string{{"--ip", attacker.Addr6}, {"--range", rng}} {
		if out, err := l.Lure(t, append([]string{"decisions", "add", "--data-dir", l.DataDir, "--duration", "5m"}, a...)...); err != nil {
			t.Fatalf("lure decisions add %v: %v\n%s", a, err, out)
		}
	}
	for _, a := range []string{service, service6} {
		if _, ok := attacker.WaitReach(a, false, 5*time.Second); !ok {
			t.Errorf("the hand-made ban does not block the attacker's %s within 5s", a)
		}
	}
	if !bystander.Reaches(service6, 2*time.Second) || !bystander.Reaches(service, 2*time.Second) {
		t.Error("the hand-made bans block the bystander")
	}
	for _, a := range [][]string{{"--ip", attacker.Addr6}, {"--range", rng}} {
		if out, err := l.Lure(t, append([]string{"decisions", "rm", "--data-dir", l.DataDir}, a...)...); err != nil {
			t.Fatalf("lure decisions rm %v: %v\n%s", a, err, out)
		}
	}
	for _, a := range []string{service, service6} {
		if _, ok := attacker.WaitReach(a, true, 5*time.Second); !ok {
			t.Errorf("removing the hand-made bans does not lift the block on %s within 5s", a)
		}
	}
}

func isBlocked(h *Host, addr string) bool { return !h.Reaches(addr, 500*time.Millisecond) }

// firstBlocked starts a connection attempt every 20 ms and returns the start time of the first
// attempt from which every later attempt failed too: a dropped SYN is decided when it is sent,
// so this measures the drop to 20 ms while each attempt waits up to 300 ms for its answer.
func firstBlocked(h *Host, addr string, within time.Duration) (time.Time, bool) {
	type try struct {
		at time.Time
		ok bool
	}
	var mu sync.Mutex
	var tries []try
	var wg sync.WaitGroup
	start := time.Now()
	for time.Since(start) < within {
		at := time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok := h.Reaches(addr, 300*time.Millisecond)
			mu.Lock()
			tries = append(tries, try{at, ok})
			mu.Unlock()
		}()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		sort.Slice(tries, func(i, j int) bool { return tries[i].at.Before(tries[j].at) })
		// Done once the attempts of the last 600 ms that have answered all failed.
		n, failed := 0, 0
		for _, x := range tries {
			if time.Since(x.at) < 600*time.Millisecond && time.Since(x.at) > 300*time.Millisecond {
				n++
				if !x.ok {
					failed++
				}
			}
		}
		stop := n >= 5 && failed == n
		mu.Unlock()
		if stop {
			break
		}
	}
	wg.Wait()
	sort.Slice(tries, func(i, j int) bool { return tries[i].at.Before(tries[j].at) })
	first := -1
	for i := len(tries) - 1; i >= 0 && !tries[i].ok; i-- {
		first = i
	}
	if first < 0 || len(tries)-first < 5 {
		return time.Time{}, false
	}
	return tries[first].at, true
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
