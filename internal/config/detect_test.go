package config

import (
	"strings"
	"testing"
	"time"
)

func TestIPSDetectDefaultsAndKeys(t *testing.T) {
	d := Default().IPS.Detect
	if !d.BruteForce.Enabled || d.BruteForce.Capacity != 5 || time.Duration(d.BruteForce.Leak) != 10*time.Second ||
		!d.Scan.Enabled || len(d.Scan.Decoys) != 0 || !d.Scan.NFLog.Enabled || !d.Signatures.Builtin || d.Signatures.HomeNet != "any" {
		t.Errorf("defaults = %+v", d)
	}
	src := `ips:
  detect:
    bruteforce: {capacity: 3, leak: 20s}
    spray: {enabled: false}
    scan:
      ports: 4
      window: 30s
      decoys: ["0.0.0.0:2323", "[::]:8080"]
      nflog: {enabled: false, group: 42}
    signatures:
      builtin: false
      home_net: "[198.18.0.0/15]"
`
	cfg, err := Parse("lure.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d = cfg.IPS.Detect
	if d.BruteForce.Capacity != 3 || time.Duration(d.BruteForce.Leak) != 20*time.Second || time.Duration(d.BruteForce.Blackhole) != time.Minute ||
		d.Spray.Enabled || d.Scan.Ports != 4 || len(d.Scan.Decoys) != 2 || d.Scan.NFLog.Enabled || d.Scan.NFLog.Group != 42 ||
		d.Signatures.Builtin || d.Signatures.HomeNet != "[198.18.0.0/15]" || d.Signatures.ExternalNet != "any" {
		t.Errorf("read as %+v", d)
	}
}

func TestIPSDetectErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"ips:\n  detect:\n    bruteforce:\n      capacity: 0\n", "lure.yaml:4: ips.detect.bruteforce.capacity: must be at least 1"},
		{"ips:\n  detect:\n    spray:\n      leak: 0s\n", "lure.yaml:4: ips.detect.spray.leak: must be a positive duration"},
		{"ips:\n  detect:\n    scan:\n      decoys: [\"2323\"]\n", "ips.detect.scan.decoys[0]: \"2323\" is not HOST:PORT"},
		{"ips:\n  detect:\n    scan:\n      decoys: [\"0.0.0.0:0\"]\n", "has no valid port"},
		{"ips:\n  detect:\n    scan:\n      nflog: {group: 70000}\n", "ips.detect.scan.nflog.group: 70000 is not an NFLOG group"},
		{"ips:\n  detect:\n    signatures:\n      files: [/nonexistent/lure.rules]\n", "ips.detect.signatures.files[0]: cannot read rule file"},
		{"ips:\n  detect:\n    signatures:\n      home_net: \"\"\n", "ips.detect.signatures.home_net: must not be empty"},
		{"ips:\n  detect:\n    portscan: {}\n", "lure.yaml:3: ips.detect.portscan: unknown key"},
	} {
		_, err := Parse("lure.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}
