// Package ips owns the intrusion prevention room: detectors read events from the bus and raise
// alerts, the decision engine turns alerts into bans (with escalation, an allowlist, a cap and
// dry-run), and enforcers make firewalls apply them (a CrowdSec-compatible bouncer API, local
// nftables, a blocklist feed, a webhook). It never reaches into a frontend: events in,
// decisions out.
package ips

import (
	"net/netip"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Alert is one detection. It becomes a lure.ips.alert event and, unless the source is
// allowlisted, a decision.
type Alert struct {
	Time     time.Time
	Detector string     // "bruteforce", "portscan", "signature", ...
	Scenario string     // CrowdSec-style name, e.g. "lure/ssh-bf", "lure/portscan", "lure/sig-2000001"
	Source   netip.Addr // the address to act on
	Reason   string     // one line for the operator: what was seen
	// Evidence holds the ids (event.Event.ID) of the events that led to the alert.
	Evidence []string
	// Handshake tells that the evidence includes a completed TCP handshake from Source. An
	// alert without one (SYNs only) can be forged and gets at most a short decision.
	Handshake bool
	// Fields are detector-specific details copied into the alert event (sid, msg, ports, ...).
	Fields map[string]any
}

// Detector reads events and raises alerts. The engine calls Observe from one goroutine, in
// event order, so a detector needs no locking of its own.
type Detector interface {
	Name() string
	Observe(e event.Event, raise func(Alert))
}

// Decision is one ban, in CrowdSec's shape so that bouncers read it unchanged.
type Decision struct {
	ID        int64
	Scope     string // "Ip" or "Range"
	Value     string // "203.0.113.7" or "203.0.113.0/24"
	Type      string // "ban"
	Duration  time.Duration
	Origin    string // "lure" (detections) or "cli" (by hand)
	Scenario  string
	Reason    string
	Created   time.Time
	Until     time.Time
	Evidence  []string // event ids
	Simulated bool     // decided in dry-run mode: recorded, never enforced
}

// Active tells whether d is in force at t.
func (d Decision) Active(t time.Time) bool { return t.Before(d.Until) }
