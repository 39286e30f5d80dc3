package detect

import (
	"net/netip"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// maxEvidence bounds the event ids one bucket keeps: an alert cites the latest ones.
const maxEvidence = 16

// bucket is a leaky bucket in CrowdSec's sense: each event pours one unit, the bucket leaks one
// unit per leak interval, and it overflows when its level goes above its capacity. Time is the
// events' own time, so a replayed log gives the same alerts as the live run did.
type bucket struct {
	level    float64
	last     time.Time // time of the last pour
	quiet    time.Time // after an overflow, events are ignored until then (CrowdSec's blackhole)
	evidence []string  // latest event ids, oldest first
	count    int       // events poured since the bucket was last empty
	distinct map[string]struct{}
}

// leak drains the bucket up to t and reports whether it is empty. Events out of order (t
// before the last one) leak nothing.
func (b *bucket) leak(t time.Time, leak time.Duration) bool {
	if !b.last.IsZero() && t.After(b.last) && leak > 0 {
		b.level -= float64(t.Sub(b.last)) / float64(leak)
	}
	if t.After(b.last) {
		b.last = t
	}
	if b.level <= 0 {
		b.level = 0
		b.count = 0
		b.evidence = b.evidence[:0]
		b.distinct = nil
		return true
	}
	return false
}

// pour adds one event at t and reports whether the bucket overflowed.
func (b *bucket) pour(t time.Time, id string, capacity int, leak time.Duration) bool {
	b.leak(t, leak)
	b.level++
	b.count++
	b.addEvidence(id)
	return b.level > float64(capacity)
}

func (b *bucket) addEvidence(id string) {
	if id == "" {
		return
	}
	if len(b.evidence) == maxEvidence {
		copy(b.evidence, b.evidence[1:])
		b.evidence = b.evidence[:maxEvidence-1]
	}
	b.evidence = append(b.evidence, id)
}

// seen records v in the bucket's distinct set (CrowdSec's `distinct`) and reports whether it
// was there already. The set is bounded: past limit values, new ones count as seen, so a
// flood of distinct values cannot grow memory (the bucket has overflowed long before).
func (b *bucket) seen(v string, limit int) bool {
	if _, ok := b.distinct[v]; ok {
		return true
	}
	if b.distinct == nil {
		b.distinct = map[string]struct{}{}
	}
	if len(b.distinct) >= limit {
		return true
	}
	b.distinct[v] = struct{}{}
	return false
}

// reset empties the bucket after an overflow and silences it until quiet.
func (b *bucket) reset(quiet time.Time) {
	b.level, b.count = 0, 0
	b.evidence = b.evidence[:0]
	b.distinct = nil
	b.quiet = quiet
}

// table holds buckets by key with a bound on their number. Buckets that leaked empty and are
// past their quiet time are swept when the table fills; if it is still full, new keys are
// refused and counted (an address flood then degrades detection for new keys only).
type table[K comparable] struct {
	m       map[K]*bucket
	max     int
	leak    time.Duration
	refused int64
}

func newTable[K comparable](limit int, leak time.Duration) *table[K] {
	return &table[K]{m: map[K]*bucket{}, max: limit, leak: leak}
}

// get returns k's bucket, creating it when there is room; nil when the table is full.
func (t *table[K]) get(k K, now time.Time) *bucket {
	if b, ok := t.m[k]; ok {
		return b
	}
	if len(t.m) >= t.max {
		t.sweep(now)
		if len(t.m) >= t.max {
			t.refused++
			return nil
		}
	}
	b := &bucket{}
	t.m[k] = b
	return b
}

func (t *table[K]) sweep(now time.Time) {
	for k, b := range t.m {
		if now.After(b.quiet) && b.leak(now, t.leak) {
			delete(t.m, k)
		}
	}
}

// eventTime is the clock of the detectors: the event's own time (replays give the same
// answers), or now for an event without one.
func eventTime(e event.Event) time.Time {
	if e.Time.IsZero() {
		return time.Now()
	}
	return e.Time
}

// source parses the event's source address; ok is false for events without a usable one.
func source(e event.Event) (netip.Addr, bool) {
	a, err := netip.ParseAddr(e.SrcIP)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// evidence copies ids so an alert does not share a bucket's reused slice.
func evidence(ids []string) []string {
	return append([]string(nil), ids...)
}
