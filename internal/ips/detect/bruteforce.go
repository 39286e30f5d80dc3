package detect

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

// BruteForceOptions are the brute-force detector's thresholds. The defaults are CrowdSec's
// ssh-bf and ssh-bf_user-enum scenarios: a bucket of capacity 5 leaking one attempt every
// 10 s overflows on the sixth fast failure, and a source is not alerted on again for a minute.
type BruteForceOptions struct {
	Capacity  int           // failed logins a bucket holds before it overflows (5)
	Leak      time.Duration // one attempt leaks out per Leak (10s)
	Blackhole time.Duration // after an alert, the source's bucket stays silent this long (1m)
	MaxKeys   int           // bound on tracked sources (100000)
}

// DefaultBruteForce returns CrowdSec ssh-bf's thresholds.
func DefaultBruteForce() BruteForceOptions {
	return BruteForceOptions{Capacity: 5, Leak: 10 * time.Second, Blackhole: time.Minute, MaxKeys: 100000}
}

// maxDistinct bounds a bucket's set of distinct values (users, sources).
const maxDistinct = 64

// BruteForce detects password guessing from one source across every protocol that emits
// login events (ssh, telnet, ...): one bucket per source address pours every failed login, and
// a second one pours only user names that source has not tried yet (user enumeration). A
// successful login after failures still in the bucket pours too: it is how a guessing run
// ends when it finds a password, and one more failure would have overflowed it anyway.
// Login events come only from connections that completed the TCP handshake, so its alerts
// carry Handshake.
type BruteForce struct {
	opt   BruteForceOptions
	perIP *table[netip.Addr]
	users *table[netip.Addr]
}

// NewBruteForce returns the detector; zero fields of o take the defaults.
func NewBruteForce(o BruteForceOptions) *BruteForce {
	d := DefaultBruteForce()
	if o.Capacity > 0 {
		d.Capacity = o.Capacity
	}
	if o.Leak > 0 {
		d.Leak = o.Leak
	}
	if o.Blackhole > 0 {
		d.Blackhole = o.Blackhole
	}
	if o.MaxKeys > 0 {
		d.MaxKeys = o.MaxKeys
	}
	return &BruteForce{opt: d, perIP: newTable[netip.Addr](d.MaxKeys, d.Leak), users: newTable[netip.Addr](d.MaxKeys, d.Leak)}
}

// Name implements ips.Detector.
func (d *BruteForce) Name() string { return "bruteforce" }

// Observe implements ips.Detector.
func (d *BruteForce) Observe(e event.Event, raise func(ips.Alert)) {
	failed := e.EventID == event.LoginFailed
	if !failed && e.EventID != event.LoginSuccess {
		return
	}
	src, ok := source(e)
	if !ok {
		return
	}
	t := eventTime(e)
	user, _ := e.Fields["username"].(string)
	if b := d.perIP.get(src, t); b != nil && t.After(b.quiet) {
		// A success counts only on top of failures the bucket still holds.
		if failed || !b.leak(t, d.opt.Leak) {
			b.seen(user, maxDistinct)
			if b.pour(t, e.ID, d.opt.Capacity, d.opt.Leak) {
				raise(d.alert(e, src, t, b, "bf", fmt.Sprintf("%d login attempts", b.count)))
				b.reset(t.Add(d.opt.Blackhole))
			}
		}
	}
	if !failed {
		return
	}
	if b := d.users.get(src, t); b != nil && t.After(b.quiet) {
		b.leak(t, d.opt.Leak)
		if !b.seen(user, maxDistinct) && b.pour(t, e.ID, d.opt.Capacity, d.opt.Leak) {
			raise(d.alert(e, src, t, b, "bf_user-enum", fmt.Sprintf("%d distinct user names tried", b.count)))
			b.reset(t.Add(d.opt.Blackhole))
		}
	}
}

func (d *BruteForce) alert(e event.Event, src netip.Addr, t time.Time, b *bucket, kind, what string) ips.Alert {
	proto := protocol(e)
	users := sortedKeys(b.distinct, 5)
	return ips.Alert{
		Time:      t,
		Detector:  d.Name(),
		Scenario:  "lure/" + proto + "-" + kind,
		Source:    src,
		Reason:    fmt.Sprintf("%s over %s faster than one per %s (users %s)", what, proto, d.opt.Leak, strings.Join(users, ", ")),
		Evidence:  evidence(b.evidence),
		Handshake: true,
		Fields:    map[string]any{"attempts": b.count, "users": users, "capacity": d.opt.Capacity, "leak": d.opt.Leak.String()},
	}
}

// protocol names the event's protocol for scenario names ("ssh", "telnet"), "login" when unset.
func protocol(e event.Event) string {
	if e.Protocol == "" {
		return "login"
	}
	return e.Protocol
}

// sortedKeys returns up to n keys of m, sorted, with "..." when some were left out.
func sortedKeys(m map[string]struct{}, n int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) > n {
		out = append(out[:n], "...")
	}
	return out
}
