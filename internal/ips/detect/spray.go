package detect

import (
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

// SprayOptions are the password-spraying detector's thresholds.
type SprayOptions struct {
	Capacity int           // distinct sources one password may come from before it overflows (5)
	Leak     time.Duration // one source leaks out per Leak (1m): distributed runs are slower
	Active   time.Duration // after an overflow, new sources of that password are alerted on at once for this long (10m)
	MaxKeys  int           // bound on tracked passwords (100000)
}

// DefaultSpray returns the defaults: a sixth source trying the same password within about
// five minutes is a spray.
func DefaultSpray() SprayOptions {
	return SprayOptions{Capacity: 5, Leak: time.Minute, Active: 10 * time.Minute, MaxKeys: 100000}
}

// maxPasswordKey bounds the bytes of a password used as a key.
const maxPasswordKey = 128

// maxNamed bounds the sources one active spray alerts on.
const maxNamed = 4096

// maxIDsPerSource bounds the evidence kept for each source of a spray.
const maxIDsPerSource = 4

// Spray detects password spraying: one password tried from many sources, as a botnet shares a
// list. It keeps one bucket per password that pours each source once; when it overflows, every
// source in it gets its own alert (a decision is per address), and sources that try the
// password while the spray is active are alerted on at once.
type Spray struct {
	opt SprayOptions
	m   map[string]*spray
	// refused counts passwords not tracked because the table was full.
	refused int64
}

type spray struct {
	b       bucket
	sources map[netip.Addr][]string // evidence ids per source in the bucket
	active  time.Time               // alerts go out at once until then
	named   map[netip.Addr]struct{} // sources already alerted on in this spray
}

// NewSpray returns the detector; zero fields of o take the defaults.
func NewSpray(o SprayOptions) *Spray {
	d := DefaultSpray()
	if o.Capacity > 0 {
		d.Capacity = o.Capacity
	}
	if o.Leak > 0 {
		d.Leak = o.Leak
	}
	if o.Active > 0 {
		d.Active = o.Active
	}
	if o.MaxKeys > 0 {
		d.MaxKeys = o.MaxKeys
	}
	return &Spray{opt: d, m: map[string]*spray{}}
}

// Name implements ips.Detector.
func (d *Spray) Name() string { return "spray" }

// Observe implements ips.Detector.
func (d *Spray) Observe(e event.Event, raise func(ips.Alert)) {
	if e.EventID != event.LoginFailed {
		return
	}
	src, ok := source(e)
	if !ok {
		return
	}
	pw, _ := e.Fields["password"].(string)
	if len(pw) > maxPasswordKey {
		pw = pw[:maxPasswordKey]
	}
	t := eventTime(e)
	s := d.get(pw, t)
	if s == nil {
		return
	}
	if t.Before(s.active) {
		if _, done := s.named[src]; !done && len(s.named) < maxNamed {
			s.named[src] = struct{}{}
			raise(d.alert(e, pw, src, []string{e.ID}, t, len(s.named)))
		}
		return
	}
	if s.b.leak(t, d.opt.Leak) {
		s.sources, s.named = nil, nil
	}
	if s.sources == nil {
		s.sources = map[netip.Addr][]string{}
	}
	if ids, ok := s.sources[src]; ok {
		if len(ids) < maxIDsPerSource && e.ID != "" {
			s.sources[src] = append(ids, e.ID)
		}
		return
	}
	if len(s.sources) >= maxDistinct {
		return
	}
	s.sources[src] = []string{e.ID}
	if !s.b.pour(t, e.ID, d.opt.Capacity, d.opt.Leak) {
		return
	}
	srcs := make([]netip.Addr, 0, len(s.sources))
	for a := range s.sources {
		srcs = append(srcs, a)
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Less(srcs[j]) })
	s.named = map[netip.Addr]struct{}{}
	for _, a := range srcs {
		s.named[a] = struct{}{}
		raise(d.alert(e, pw, a, s.sources[a], t, len(srcs)))
	}
	s.b.reset(t.Add(d.opt.Active))
	s.active = t.Add(d.opt.Active)
	s.sources = nil
}

func (d *Spray) get(pw string, t time.Time) *spray {
	if s, ok := d.m[pw]; ok {
		return s
	}
	if len(d.m) >= d.opt.MaxKeys {
		for k, s := range d.m {
			if t.After(s.active) && s.b.leak(t, d.opt.Leak) {
				delete(d.m, k)
			}
		}
		if len(d.m) >= d.opt.MaxKeys {
			d.refused++
			return nil
		}
	}
	s := &spray{}
	d.m[pw] = s
	return s
}

func (d *Spray) alert(e event.Event, pw string, src netip.Addr, ids []string, t time.Time, sources int) ips.Alert {
	proto := protocol(e)
	return ips.Alert{
		Time:      t,
		Detector:  d.Name(),
		Scenario:  "lure/" + proto + "-spray",
		Source:    src,
		Reason:    fmt.Sprintf("one password %q tried over %s from %d sources (this one among them)", pw, proto, sources),
		Evidence:  evidence(ids),
		Handshake: true,
		Fields:    map[string]any{"password": pw, "sources": sources},
	}
}
