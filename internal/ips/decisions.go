package ips

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"sync"
	"time"
)

// DecisionStore keeps decisions across restarts. The SQLite store implements it.
type DecisionStore interface {
	// AddDecision stores d and sets d.ID.
	AddDecision(ctx context.Context, d *Decision) error
	// Decisions lists the decisions q selects, oldest id first.
	Decisions(ctx context.Context, q DecisionQuery) ([]Decision, error)
	// RemoveDecisions ends the active decisions q selects at time at (their Until becomes at)
	// and returns them as they were before.
	RemoveDecisions(ctx context.Context, q DecisionQuery, at time.Time) ([]Decision, error)
}

// DecisionQuery selects decisions. Zero fields do not filter.
type DecisionQuery struct {
	ID int64
	// AfterID keeps decisions with a larger id (stored later).
	AfterID int64
	Value   string
	// ActiveAt keeps decisions in force at that time (Until after it).
	ActiveAt time.Time
	// CreatedAfter keeps decisions created after that time.
	CreatedAfter time.Time
	// EndedAfter and EndedBefore keep decisions whose Until is in (EndedAfter, EndedBefore].
	EndedAfter, EndedBefore time.Time
	// Simulated also returns dry-run decisions, which are otherwise left out.
	Simulated bool
	// NotRemoved leaves out decisions removed by hand.
	NotRemoved bool
	// Limit bounds the answer (0: no bound).
	Limit int
}

// Enforcer makes a firewall apply decisions. Ban and Unban must be safe for concurrent use and
// must not block for long (a slow enforcer queues); the decider calls them for decisions in
// force only, never for dry-run ones.
type Enforcer interface {
	Name() string
	Ban(ctx context.Context, d Decision) error
	// Unban lifts a decision that ended before its time (removed by hand). Expiry needs no call:
	// enforcers apply Until themselves.
	Unban(ctx context.Context, d Decision) error
}

// Policy is how alerts become decisions.
type Policy struct {
	// Allowlist is never banned, whatever the evidence; loopback is always in it.
	Allowlist []netip.Prefix
	// DryRun records decisions as simulated and enforces none.
	DryRun bool
	// BanDuration is a first offence's ban.
	BanDuration time.Duration
	// EscalationFactor multiplies the ban for each earlier ban of the same address within
	// EscalationWindow (fail2ban's bantime.increment), up to MaxBanDuration. 1 disables it.
	EscalationFactor int
	EscalationWindow time.Duration
	MaxBanDuration   time.Duration
	// SynOnlyDuration is the most an alert without a completed handshake gets: such evidence
	// can be forged with any source address.
	SynOnlyDuration time.Duration
	// MaxActive caps decisions in force; beyond it new ones are refused (and counted), so a
	// flood of addresses cannot grow firewall sets without bound.
	MaxActive int
}

// DefaultPolicy returns the defaults of the ips config section.
func DefaultPolicy() Policy {
	return Policy{
		BanDuration:      4 * time.Hour, // CrowdSec's default ban
		EscalationFactor: 2,
		EscalationWindow: 7 * 24 * time.Hour,
		MaxBanDuration:   7 * 24 * time.Hour,
		SynOnlyDuration:  2 * time.Minute,
		MaxActive:        100000,
	}
}

// Outcome tells what Decide did with an alert.
type Outcome string

// Outcomes of Decide.
const (
	OutcomeDecided     Outcome = "decided"     // a new decision (simulated in dry-run mode)
	OutcomeAllowlisted Outcome = "allowlisted" // the source is on the allowlist
	OutcomeAlready     Outcome = "already"     // a decision at least as long is in force
	OutcomeCap         Outcome = "cap"         // MaxActive decisions are in force
	OutcomeInvalid     Outcome = "invalid"     // the alert names no usable address
)

// loopback is always allowlisted: a sensor must never ban itself.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// Decider turns alerts into decisions: it applies the allowlist, the cap, escalation and the
// spoofing rule, persists decisions, and hands those in force to the enforcers. It also
// notices decisions added or removed by hand (`lure decisions`) in the store.
type Decider struct {
	policy    Policy
	store     DecisionStore
	enforcers []Enforcer
	log       *slog.Logger
	now       func() time.Time

	mu      sync.Mutex
	active  map[int64]Decision // in force, simulated ones included
	byValue map[string]int64   // value -> the longest decision in force
	inForce int                // decisions in active that are not simulated
	refused int64              // decisions refused by the cap
	lastID  int64              // the highest id Sync has read
	synced  time.Time          // when Sync last read the store
}

// NewDecider loads the decisions in force from s and hands them to the enforcers (so a
// restart re-applies them).
func NewDecider(ctx context.Context, p Policy, s DecisionStore, enforcers []Enforcer, log *slog.Logger) (*Decider, error) {
	if log == nil {
		log = slog.Default()
	}
	if p.EscalationFactor < 1 {
		p.EscalationFactor = 1
	}
	d := &Decider{policy: p, store: s, enforcers: enforcers, log: log, now: time.Now, active: map[int64]Decision{}, byValue: map[string]int64{}}
	if err := d.Sync(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// Allowed tells whether a is allowlisted (never banned).
func (d *Decider) Allowed(a netip.Addr) bool { return Allowlisted(d.policy.Allowlist, a) }

// Allowlisted tells whether a is loopback or inside one of the prefixes.
func Allowlisted(allow []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range loopback {
		if p.Contains(a) {
			return true
		}
	}
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Decide turns one alert into a decision, or says why not.
func (d *Decider) Decide(ctx context.Context, a Alert) (Decision, Outcome, error) {
	src := a.Source.Unmap()
	if !src.IsValid() || src.IsUnspecified() {
		return Decision{}, OutcomeInvalid, nil
	}
	if d.Allowed(src) {
		return Decision{}, OutcomeAllowlisted, nil
	}
	now := d.now()
	value := src.String()
	// Most alerts for a source already banned end here, before any store read.
	d.mu.Lock()
	cur, banned := d.active[d.byValue[value]]
	d.mu.Unlock()
	if banned && cur.Active(now) && (cur.Duration > d.policy.SynOnlyDuration || !a.Handshake) {
		return cur, OutcomeAlready, nil
	}
	dur := d.policy.SynOnlyDuration
	if a.Handshake {
		n, err := d.priorBans(ctx, value, now)
		if err != nil {
			return Decision{}, "", err
		}
		dur = d.escalate(n)
	}
	dec := Decision{
		Scope: "Ip", Value: value, Type: "ban", Duration: dur, Origin: "lure",
		Scenario: a.Scenario, Reason: a.Reason, Created: now, Until: now.Add(dur),
		Evidence: a.Evidence, Simulated: d.policy.DryRun,
	}
	// The store write happens under mu so that Sync never sees the decision stored but not
	// tracked (it would take it for one removed by hand).
	d.mu.Lock()
	if id, ok := d.byValue[value]; ok {
		// A repeat alert while banned (the attacker still reaches the honeypot's exempt ports)
		// adds nothing, unless a full ban replaces a short SYN-only one; escalation applies to
		// offences after a ban ended, as fail2ban's bantime.increment does.
		if cur := d.active[id]; cur.Active(now) && (cur.Duration >= dec.Duration || cur.Duration > d.policy.SynOnlyDuration) {
			d.mu.Unlock()
			return cur, OutcomeAlready, nil
		}
	}
	if !dec.Simulated && d.inForce >= d.policy.MaxActive {
		d.refused++
		n := d.refused
		d.mu.Unlock()
		if n&(n-1) == 0 { // log at 1, 2, 4, 8, ... refusals
			d.log.Warn("IPS: the cap on active decisions is reached; new bans are refused until some expire (raise ips.max_decisions if this is expected)", "max_decisions", d.policy.MaxActive, "refused_total", n, "source", value)
		}
		return Decision{}, OutcomeCap, nil
	}
	if err := d.store.AddDecision(ctx, &dec); err != nil {
		d.mu.Unlock()
		return Decision{}, "", fmt.Errorf("storing the decision to ban %s: %w", value, err)
	}
	d.track(dec)
	d.mu.Unlock()
	if !dec.Simulated {
		d.enforce(ctx, dec, true)
	}
	return dec, OutcomeDecided, nil
}

// priorBans counts the earlier full bans of value within the escalation window; short
// SYN-only decisions and decisions removed by hand do not count.
func (d *Decider) priorBans(ctx context.Context, value string, now time.Time) (int, error) {
	if d.policy.EscalationFactor <= 1 {
		return 0, nil
	}
	prior, err := d.store.Decisions(ctx, DecisionQuery{Value: value, CreatedAfter: now.Add(-d.policy.EscalationWindow), Simulated: d.policy.DryRun, NotRemoved: true})
	if err != nil {
		return 0, fmt.Errorf("reading earlier decisions for %s: %w", value, err)
	}
	n := 0
	for _, p := range prior {
		if p.Origin == "lure" && p.Duration > d.policy.SynOnlyDuration && p.Simulated == d.policy.DryRun {
			n++
		}
	}
	return n, nil
}

// escalate is BanDuration * factor^n, at most MaxBanDuration.
func (d *Decider) escalate(n int) time.Duration {
	f := math.Pow(float64(d.policy.EscalationFactor), float64(n))
	if v := float64(d.policy.BanDuration) * f; v < float64(d.policy.MaxBanDuration) {
		return time.Duration(v)
	}
	return d.policy.MaxBanDuration
}

// track records dec as in force; the caller holds mu.
func (d *Decider) track(dec Decision) {
	if _, ok := d.active[dec.ID]; !ok && !dec.Simulated {
		d.inForce++
	}
	d.active[dec.ID] = dec
	if id, ok := d.byValue[dec.Value]; !ok || d.active[id].Until.Before(dec.Until) {
		d.byValue[dec.Value] = dec.ID
	}
}

func (d *Decider) enforce(ctx context.Context, dec Decision, ban bool) {
	for _, e := range d.enforcers {
		var err error
		if ban {
			err = e.Ban(ctx, dec)
		} else {
			err = e.Unban(ctx, dec)
		}
		if err != nil {
			d.log.Error("IPS enforcer failed to apply a decision", "enforcer", e.Name(), "ban", ban, "value", dec.Value, "decision", dec.ID, "err", err)
		}
	}
}

// Add stores a decision made by hand (origin "cli") and enforces it; it refuses allowlisted
// addresses.
func (d *Decider) Add(ctx context.Context, dec Decision) (Decision, error) {
	if err := CheckManual(d.policy.Allowlist, dec); err != nil {
		return Decision{}, err
	}
	d.mu.Lock()
	if err := d.store.AddDecision(ctx, &dec); err != nil {
		d.mu.Unlock()
		return Decision{}, err
	}
	d.track(dec)
	d.mu.Unlock()
	if !dec.Simulated {
		d.enforce(ctx, dec, true)
	}
	return dec, nil
}

// ErrAllowlisted is returned for a decision on an allowlisted address or range.
var ErrAllowlisted = errors.New("allowlisted")

// CheckManual validates a hand-made decision: a parseable Ip or Range value, a positive
// duration, and nothing that overlaps the allowlist (or loopback).
func CheckManual(allow []netip.Prefix, dec Decision) error {
	var p netip.Prefix
	switch dec.Scope {
	case "Ip":
		a, err := netip.ParseAddr(dec.Value)
		if err != nil {
			return fmt.Errorf("%q is not an IP address", dec.Value)
		}
		p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	case "Range":
		var err error
		if p, err = netip.ParsePrefix(dec.Value); err != nil {
			return fmt.Errorf("%q is not a CIDR range such as 203.0.113.0/24", dec.Value)
		}
		p = p.Masked()
	default:
		return fmt.Errorf("scope %q is not Ip or Range", dec.Scope)
	}
	if dec.Until.Sub(dec.Created) <= 0 {
		return errors.New("the duration must be positive")
	}
	for _, a := range append(append([]netip.Prefix{}, loopback...), allow...) {
		if a.Overlaps(p) {
			return fmt.Errorf("%s overlaps the allowlist entry %s, which is never banned: %w", dec.Value, a, ErrAllowlisted)
		}
	}
	return nil
}

// Remove ends the decisions in force that q selects and lifts them in the enforcers.
func (d *Decider) Remove(ctx context.Context, q DecisionQuery) ([]Decision, error) {
	now := d.now()
	q.ActiveAt, q.Simulated = now, true
	d.mu.Lock()
	gone, err := d.store.RemoveDecisions(ctx, q, now)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	for _, g := range gone {
		d.untrack(g.ID)
	}
	d.mu.Unlock()
	for _, g := range gone {
		if !g.Simulated {
			d.enforce(ctx, g, false)
		}
	}
	return gone, nil
}

// untrack forgets a decision; the caller holds mu.
func (d *Decider) untrack(id int64) {
	dec, ok := d.active[id]
	if !ok {
		return
	}
	delete(d.active, id)
	if !dec.Simulated {
		d.inForce--
	}
	// A shorter decision for the same value may still be in force; it is not looked for (that
	// would cost a scan of every decision): the next alert for the value then decides anew.
	if d.byValue[dec.Value] == id {
		delete(d.byValue, dec.Value)
	}
}

// Active returns the decisions in force (without simulated ones unless simulated is set).
func (d *Decider) Active(simulated bool) []Decision {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Decision, 0, len(d.active))
	for _, x := range d.active {
		if x.Active(now) && (simulated || !x.Simulated) {
			out = append(out, x)
		}
	}
	return out
}

// Sync reads what changed in the store since its last call: it enforces decisions added by
// another process (`lure decisions add`), lifts those removed by hand, and forgets expired ones.
// Its cost follows the changes, not the number of decisions in force.
func (d *Decider) Sync(ctx context.Context) error {
	now := d.now()
	// Read under mu: Decide, Add and Remove change the store and the map together.
	d.mu.Lock()
	first := d.synced.IsZero()
	// Ids grow in commit order (SQLite has one writer), so ids above the last one read are
	// exactly the decisions stored since, by any process.
	fresh, err := d.store.Decisions(ctx, DecisionQuery{AfterID: d.lastID, ActiveAt: now, Simulated: true})
	var ended []Decision
	if err == nil && !first {
		ended, err = d.store.Decisions(ctx, DecisionQuery{EndedAfter: d.synced.Add(-2 * time.Second), EndedBefore: now, Simulated: true})
	}
	if err != nil {
		d.mu.Unlock()
		return fmt.Errorf("reading the decisions in force: %w", err)
	}
	var added, lifted []Decision
	for _, x := range fresh {
		d.lastID = max(d.lastID, x.ID)
		if _, ok := d.active[x.ID]; !ok {
			d.track(x)
			added = append(added, x)
		}
	}
	for _, x := range ended {
		if cur, ok := d.active[x.ID]; ok && cur.Until.After(x.Until) { // ended early: removed by hand
			d.untrack(x.ID)
			lifted = append(lifted, cur)
		}
	}
	for id, x := range d.active {
		if !x.Active(now) {
			d.untrack(id)
		}
	}
	d.synced = now
	d.mu.Unlock()
	for _, x := range added {
		if !x.Simulated {
			d.enforce(ctx, x, true)
		}
	}
	for _, x := range lifted {
		if !x.Simulated {
			d.enforce(ctx, x, false)
		}
	}
	return nil
}

// Run calls Sync every interval until ctx ends, so changes made with `lure decisions` reach
// the enforcers of a running sensor.
func (d *Decider) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := d.Sync(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("IPS: reading decisions from the store failed; hand-made changes wait for the next try", "err", err)
			}
		}
	}
}
