package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

// ScanOptions are the port-scan detector's thresholds.
type ScanOptions struct {
	Ports   int           // distinct ports from one source that make a scan (5)
	Window  time.Duration // within this long (10s)
	MaxKeys int           // bound on tracked sources (100000)
}

// DefaultScan returns the defaults: five distinct ports of the sensor within ten seconds.
// Nothing legitimate touches five ports of a honeypot that fast; nmap's default scan touches
// a thousand in about a second.
func DefaultScan() ScanOptions {
	return ScanOptions{Ports: 5, Window: 10 * time.Second, MaxKeys: 100000}
}

// maxPortsPerSource bounds the ports remembered for one source: a scan has long been
// alerted on when it is reached.
const maxPortsPerSource = 256

// PortScan detects port scans from two kinds of evidence. A completed handshake (a decoy
// port's lure.tcp.connect, or any frontend's cowrie.session.connect) cannot come from a
// forged address; a logged SYN (lure.tcp.syn) can. Ports distinct ports within Window raise
// an alert: with Handshake when the handshakes alone reach the threshold, without it when
// SYNs were needed (the decision engine gives those only a short ban). A SYN-only alert is
// followed by a handshake one if the handshakes reach the threshold later, as for nmap -sT
// when lure both logs SYNs and answers on decoys.
type PortScan struct {
	opt ScanOptions
	m   map[netip.Addr]*scanState
	// refused counts sources not tracked because the table was full.
	refused int64
}

type scanState struct {
	ports    map[int]*portHit
	last     time.Time
	synQuiet time.Time // no SYN-level alert before then
	hsQuiet  time.Time // no handshake alert before then
}

type portHit struct {
	syn, hs     time.Time // last SYN, last handshake (zero: none)
	synID, hsID string
}

// NewPortScan returns the detector; zero fields of o take the defaults.
func NewPortScan(o ScanOptions) *PortScan {
	d := DefaultScan()
	if o.Ports > 0 {
		d.Ports = o.Ports
	}
	if o.Window > 0 {
		d.Window = o.Window
	}
	if o.MaxKeys > 0 {
		d.MaxKeys = o.MaxKeys
	}
	return &PortScan{opt: d, m: map[netip.Addr]*scanState{}}
}

// Name implements ips.Detector.
func (d *PortScan) Name() string { return "portscan" }

// Observe implements ips.Detector.
func (d *PortScan) Observe(e event.Event, raise func(ips.Alert)) {
	var hs bool
	switch e.EventID {
	case event.SessionConnect, event.TCPConnect:
		hs = true
	case event.TCPSyn:
	default:
		return
	}
	src, ok := source(e)
	if !ok || e.DstPort <= 0 {
		return
	}
	t := eventTime(e)
	s := d.get(src, t)
	if s == nil {
		return
	}
	if t.After(s.last) {
		s.last = t
	}
	from := t.Add(-d.opt.Window)
	p := s.ports[e.DstPort]
	if p == nil {
		d.prune(s, from)
		if len(s.ports) >= maxPortsPerSource {
			return
		}
		p = &portHit{}
		s.ports[e.DstPort] = p
	}
	if hs {
		p.hs, p.hsID = t, e.ID
	} else {
		p.syn, p.synID = t, e.ID
	}
	// Sorted ports keep the evidence in a stable order.
	var all, shaken []int
	var allIDs, hsIDs []string
	for port, h := range s.ports {
		if h.hs.After(from) || h.syn.After(from) {
			all = append(all, port)
		}
	}
	slices.Sort(all)
	for _, port := range all {
		h := s.ports[port]
		if h.hs.After(from) {
			shaken = append(shaken, port)
			allIDs, hsIDs = appendID(allIDs, h.hsID), appendID(hsIDs, h.hsID)
		} else {
			allIDs = appendID(allIDs, h.synID)
		}
	}
	quiet := t.Add(max(d.opt.Window, time.Minute))
	switch {
	case len(shaken) >= d.opt.Ports && t.After(s.hsQuiet):
		s.hsQuiet, s.synQuiet = quiet, quiet
		raise(d.alert(e, src, t, true, shaken, len(shaken), hsIDs))
	case len(all) >= d.opt.Ports && len(shaken) < d.opt.Ports && t.After(s.synQuiet):
		s.synQuiet = quiet
		raise(d.alert(e, src, t, false, all, len(shaken), allIDs))
	}
}

func appendID(ids []string, id string) []string {
	if id == "" || len(ids) >= maxEvidence {
		return ids
	}
	return append(ids, id)
}

// prune forgets ports last touched before from.
func (d *PortScan) prune(s *scanState, from time.Time) {
	for port, h := range s.ports {
		if !h.hs.After(from) && !h.syn.After(from) {
			delete(s.ports, port)
		}
	}
}

func (d *PortScan) get(src netip.Addr, t time.Time) *scanState {
	if s, ok := d.m[src]; ok {
		return s
	}
	if len(d.m) >= d.opt.MaxKeys {
		from := t.Add(-d.opt.Window)
		for a, s := range d.m {
			if s.last.Before(from) && t.After(s.hsQuiet) && t.After(s.synQuiet) {
				delete(d.m, a)
			}
		}
		if len(d.m) >= d.opt.MaxKeys {
			d.refused++
			return nil
		}
	}
	s := &scanState{ports: map[int]*portHit{}}
	d.m[src] = s
	return s
}

func (d *PortScan) alert(e event.Event, src netip.Addr, t time.Time, hs bool, ports []int, shaken int, ids []string) ips.Alert {
	listed := ports
	if len(listed) > 32 {
		listed = listed[:32]
	}
	scenario, how := "lure/portscan", "completed handshakes"
	if !hs {
		scenario, how = "lure/portscan-syn", fmt.Sprintf("SYNs (%d with a completed handshake; the source may be forged)", shaken)
	}
	return ips.Alert{
		Time:      t,
		Detector:  d.Name(),
		Scenario:  scenario,
		Source:    src,
		Reason:    fmt.Sprintf("%d ports of the sensor within %s, seen by %s: %v", len(ports), d.opt.Window, how, listed),
		Evidence:  ids,
		Handshake: hs,
		Fields:    map[string]any{"ports": listed, "port_count": len(ports), "handshake_ports": shaken},
	}
}
