package config

import (
	"strings"
	"testing"
	"time"
)

func TestIPSContract(t *testing.T) {
	src := `ips:
  allowlist: ["127.0.0.0/8", "::1/128", "192.0.2.7"]
  dry_run: true
  ban_duration: 1h
  max_ban_duration: 24h
  syn_only_duration: 30s
  lapi:
    listen: "127.0.0.1:8081"
    bouncer_keys: ["0123456789abcdef0123"]
  nftables:
    enabled: true
    exempt_ports: [2222, 23]
  webhook:
    url: https://hooks.example.test/lure
`
	cfg, err := Parse("lure.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.IPS
	if !c.Enabled || !c.DryRun || len(c.Allowlist) != 3 || time.Duration(c.BanDuration) != time.Hour || time.Duration(c.SynOnlyDuration) != 30*time.Second ||
		c.LAPI.Listen != "127.0.0.1:8081" || len(c.LAPI.BouncerKeys) != 1 || !c.NFTables.Enabled || len(c.NFTables.ExemptPorts) != 2 || c.NFTables.ExemptPorts[1] != 23 ||
		c.Webhook.URL == "" || c.Webhook.Queue != 1024 || c.EscalationFactor != 2 {
		t.Errorf("ips section read as %+v", c)
	}
	if p, err := ParsePrefix("192.0.2.7"); err != nil || p.String() != "192.0.2.7/32" {
		t.Errorf("ParsePrefix(192.0.2.7) = %v, %v", p, err)
	}
}

func TestIPSErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"ips:\n  allowlist: [\"10.0.0.0/33\"]\n", "lure.yaml:2: ips.allowlist[0]: \"10.0.0.0/33\" is not an address or CIDR"},
		{"ips:\n  lapi:\n    bouncer_keys: [change-me]\n", "lure.yaml:3: ips.lapi.bouncer_keys[0]: replace the example key"},
		{"ips:\n  lapi:\n    bouncer_keys: [short]\n", "shorter than 16 characters"},
		{"ips:\n  syn_only_duration: 5h\n", "ips.syn_only_duration: is longer than ips.ban_duration"},
		{"ips:\n  max_ban_duration: 1m\n", "ips.max_ban_duration: is shorter than ips.ban_duration"},
		{"ips:\n  nftables:\n    exempt_ports: [70000]\n", "ips.nftables.exempt_ports[0]: 70000 is not a TCP port"},
		{"ips:\n  lapi:\n    listen: nowhere\n", "ips.lapi.listen: \"nowhere\" is not HOST:PORT"},
		{"ips:\n  webhook:\n    url: ftp://x\n", "ips.webhook.url"},
		{"ips:\n  escalation_factor: 0\n", "ips.escalation_factor: must be at least 1"},
	} {
		_, err := Parse("lure.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.src, err, c.want)
		}
	}
}
