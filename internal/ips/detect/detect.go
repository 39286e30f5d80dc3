// Package detect owns the IPS detectors: brute force and user enumeration from one source,
// password spraying from many, port scans (decoy connections and logged SYNs), and signatures
// (Suricata/Snort rules over event buffers, see package rules). Each reads events in order
// from the IPS engine and raises ips.Alert values that cite their evidence by event id. They
// keep their clock from the events, so a replayed log raises what the live run raised, and
// every table they keep is bounded.
package detect

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/ips/rules"
)

// New returns the detectors ips.detect enables. Rules that fail to load are logged one by one
// (file, line, reason) and left out; the others run. The error is set only when rule files
// could not be read at all, and the detectors are returned anyway; a home_net or external_net
// that is not an address group is an error with no detectors.
func New(c config.IPSDetect, log *slog.Logger) ([]ips.Detector, error) {
	if log == nil {
		log = slog.Default()
	}
	var ds []ips.Detector
	if c.BruteForce.Enabled {
		ds = append(ds, NewBruteForce(BruteForceOptions{Capacity: c.BruteForce.Capacity, Leak: time.Duration(c.BruteForce.Leak), Blackhole: time.Duration(c.BruteForce.Blackhole)}))
	}
	if c.Spray.Enabled {
		ds = append(ds, NewSpray(SprayOptions{Capacity: c.Spray.Capacity, Leak: time.Duration(c.Spray.Leak), Active: time.Duration(c.Spray.Active)}))
	}
	if c.Scan.Enabled {
		ds = append(ds, NewPortScan(ScanOptions{Ports: c.Scan.Ports, Window: time.Duration(c.Scan.Window)}))
	}
	var errs []error
	if c.Signatures.Enabled {
		vars := rules.DefaultVars(c.Signatures.HomeNet, c.Signatures.ExternalNet)
		if err := vars.Check(); err != nil {
			return nil, fmt.Errorf("ips.detect.signatures: %w", err)
		}
		rs, bad := rules.LoadFiles(c.Signatures.Builtin, c.Signatures.Files, vars)
		for _, err := range bad {
			var pe *rules.ParseError
			if errors.As(err, &pe) {
				log.Warn("IPS: a signature rule was not loaded; fix it or remove it (the other rules run)", "rule", err.Error())
				continue
			}
			errs = append(errs, err)
		}
		ds = append(ds, NewSignature(rs))
		log.Info("IPS signatures loaded", "rules", len(rs), "skipped", len(bad), "builtin", c.Signatures.Builtin, "files", len(c.Signatures.Files))
	}
	return ds, errors.Join(errs...)
}
