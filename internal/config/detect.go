package config

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// IPSDetect configures the IPS detectors (ips.detect) and the frontends that feed the port-scan
// detector (decoy TCP ports, logged SYNs).
type IPSDetect struct {
	BruteForce BruteForceDetect `yaml:"bruteforce"`
	Spray      SprayDetect      `yaml:"spray"`
	Scan       ScanDetect       `yaml:"scan"`
	Signatures SignatureDetect  `yaml:"signatures"`
}

// BruteForceDetect is a leaky bucket per source over failed logins (CrowdSec ssh-bf: capacity
// 5, one attempt leaks per 10s, a minute of silence after an alert).
type BruteForceDetect struct {
	Enabled   bool     `yaml:"enabled"`
	Capacity  int      `yaml:"capacity"`
	Leak      Duration `yaml:"leak"`
	Blackhole Duration `yaml:"blackhole"`
}

// SprayDetect is a leaky bucket per password over distinct sources.
type SprayDetect struct {
	Enabled  bool     `yaml:"enabled"`
	Capacity int      `yaml:"capacity"` // sources
	Leak     Duration `yaml:"leak"`
	// Active is how long, after a spray is detected, every new source of that password is
	// alerted on at once.
	Active Duration `yaml:"active"`
}

// ScanDetect finds port scans: Ports distinct ports of the sensor touched from one source
// within Window.
type ScanDetect struct {
	Enabled bool     `yaml:"enabled"`
	Ports   int      `yaml:"ports"`
	Window  Duration `yaml:"window"`
	// Decoys are HOST:PORT addresses where lure accepts TCP connections and closes them at
	// once: no one has a reason to connect there, so a completed handshake is evidence that
	// cannot be forged. Off (empty) by default: pick ports the host does not use.
	Decoys StringList `yaml:"decoys"`
	NFLog  NFLog      `yaml:"nflog"`
}

// NFLog has lure install table inet lure_scan, whose rule logs inbound TCP SYNs to an NFLOG
// group that lure reads: SYN-only scans (nmap -sS) complete no handshake anywhere. It needs
// CAP_NET_ADMIN; without it lure says so and runs on.
type NFLog struct {
	Enabled bool `yaml:"enabled"`
	Group   int  `yaml:"group"` // NFLOG group, 1-65535, not used by another program
}

// SignatureDetect runs Suricata/Snort-style rules over event buffers (shell command lines,
// HTTP fields).
type SignatureDetect struct {
	Enabled bool `yaml:"enabled"`
	// Builtin loads the rule file shipped inside lure (bot droppers, implants, miners, ...).
	Builtin bool `yaml:"builtin"`
	// Files are more rule files; a bad rule is reported with its file and line and skipped.
	Files StringList `yaml:"files"`
	// HomeNet and ExternalNet are the rules' $HOME_NET and $EXTERNAL_NET. On a honeypot every
	// source is external and the sensor is home, so both default to "any".
	HomeNet     string `yaml:"home_net"`
	ExternalNet string `yaml:"external_net"`
}

// DefaultIPSDetect returns the detectors' defaults.
func DefaultIPSDetect() IPSDetect {
	return IPSDetect{
		BruteForce: BruteForceDetect{Enabled: true, Capacity: 5, Leak: Duration(10 * time.Second), Blackhole: Duration(time.Minute)},
		Spray:      SprayDetect{Enabled: true, Capacity: 5, Leak: Duration(time.Minute), Active: Duration(10 * time.Minute)},
		Scan: ScanDetect{Enabled: true, Ports: 5, Window: Duration(10 * time.Second), Decoys: StringList{},
			NFLog: NFLog{Enabled: true, Group: 7667}},
		Signatures: SignatureDetect{Enabled: true, Builtin: true, Files: StringList{}, HomeNet: "any", ExternalNet: "any"},
	}
}

// validate checks ips.detect; bad builds an error for a dotted key.
func (d *IPSDetect) validate(bad func(key, msg string, a ...any) error) error {
	for _, p := range []struct {
		key string
		v   int
	}{{"ips.detect.bruteforce.capacity", d.BruteForce.Capacity}, {"ips.detect.spray.capacity", d.Spray.Capacity}, {"ips.detect.scan.ports", d.Scan.Ports}} {
		if p.v < 1 {
			return bad(p.key, "must be at least 1")
		}
	}
	for _, p := range []struct {
		key string
		v   Duration
	}{{"ips.detect.bruteforce.leak", d.BruteForce.Leak}, {"ips.detect.bruteforce.blackhole", d.BruteForce.Blackhole},
		{"ips.detect.spray.leak", d.Spray.Leak}, {"ips.detect.spray.active", d.Spray.Active}, {"ips.detect.scan.window", d.Scan.Window}} {
		if p.v <= 0 {
			return bad(p.key, "must be a positive duration")
		}
	}
	for i, a := range d.Scan.Decoys {
		key := fmt.Sprintf("ips.detect.scan.decoys[%d]", i)
		_, port, err := net.SplitHostPort(a)
		if err != nil {
			return bad(key, "%q is not HOST:PORT (for example 0.0.0.0:2323)", a)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return bad(key, "%q has no valid port (1-65535)", a)
		}
	}
	if g := d.Scan.NFLog.Group; g < 1 || g > 65535 {
		return bad("ips.detect.scan.nflog.group", "%d is not an NFLOG group (1-65535)", g)
	}
	for i, f := range d.Signatures.Files {
		if _, err := os.Stat(f); err != nil {
			return bad(fmt.Sprintf("ips.detect.signatures.files[%d]", i), "cannot read rule file: %v", err)
		}
	}
	if d.Signatures.HomeNet == "" {
		return bad("ips.detect.signatures.home_net", `must not be empty ("any" matches every address)`)
	}
	if d.Signatures.ExternalNet == "" {
		return bad("ips.detect.signatures.external_net", `must not be empty ("any" matches every address)`)
	}
	return nil
}
