// Package enforce owns the IPS enforcers, the ways lure's decisions reach firewalls: a
// CrowdSec-compatible bouncer API (so Debian's crowdsec-firewall-bouncer and every other
// CrowdSec bouncer enforce lure's bans unchanged), a blocklist feed for firewalls that import
// URL lists, local nftables, and a webhook.
package enforce

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
)

// Source answers decision queries; the SQLite store implements it. The API reads it on every
// pull, so decisions added by `lure decisions add` in another process reach bouncers at once.
type Source interface {
	Decisions(ctx context.Context, q ips.DecisionQuery) ([]ips.Decision, error)
}

// LAPI serves CrowdSec's bouncer API (the part bouncers use) from lure's decisions.
type LAPI struct {
	src      Source
	keys     [][]byte
	feedKeys [][]byte
	log      *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	lastPull map[string]time.Time // per API key: when its last stream pull started
}

// LAPIOptions configures the API.
type LAPIOptions struct {
	Source      Source
	BouncerKeys []string // X-Api-Key values of bouncers
	FeedKeys    []string // keys of the blocklist feed; none: the feed is off
	Logger      *slog.Logger
}

// NewLAPI returns the API; serve Handler() or call ListenAndServe.
func NewLAPI(o LAPIOptions) *LAPI {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	l := &LAPI{src: o.Source, log: o.Logger, now: time.Now, lastPull: map[string]time.Time{}}
	for _, k := range o.BouncerKeys {
		l.keys = append(l.keys, []byte(k))
	}
	for _, k := range o.FeedKeys {
		l.feedKeys = append(l.feedKeys, []byte(k))
	}
	return l
}

// overlap re-sends a little of the previous window: a decision committed by another process
// just after a pull began is still delivered (bouncers apply a repeat without harm).
const overlap = 2 * time.Second

// decisionJSON is CrowdSec's models.Decision as bouncers read it. duration is the time left,
// in Go's duration syntax ("3h59m58s"), rounded up to a whole second: bouncers set their own
// timeouts from it, and a ban must never lift before its time.
type decisionJSON struct {
	ID       int64  `json:"id"`
	Origin   string `json:"origin"`
	Type     string `json:"type"`
	Scope    string `json:"scope"`
	Value    string `json:"value"`
	Duration string `json:"duration"`
	Scenario string `json:"scenario"`
	Until    string `json:"until,omitempty"`
}

func toJSON(d ips.Decision, now time.Time) decisionJSON {
	return decisionJSON{
		ID: d.ID, Origin: d.Origin, Type: d.Type, Scope: d.Scope, Value: d.Value, Scenario: d.Scenario,
		Duration: ceilSecond(d.Until.Sub(now)).String(),
		Until:    d.Until.UTC().Format(time.RFC3339),
	}
}

func ceilSecond(d time.Duration) time.Duration {
	t := d.Truncate(time.Second)
	if t != d && d > 0 {
		return t + time.Second
	}
	return t
}

// Handler routes the bouncer API and the feed.
func (l *LAPI) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/decisions/stream", l.auth(l.stream))
	mux.HandleFunc("HEAD /v1/decisions/stream", l.auth(func(w http.ResponseWriter, r *http.Request) {}))
	mux.HandleFunc("GET /v1/decisions", l.auth(l.decisions))
	mux.HandleFunc("HEAD /v1/decisions", l.auth(func(w http.ResponseWriter, r *http.Request) {}))
	mux.HandleFunc("POST /v1/usage-metrics", l.auth(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	mux.HandleFunc("GET /v1/feed/blocklist.txt", l.feed(false))
	mux.HandleFunc("GET /v1/feed/blocklist.json", l.feed(true))
	return mux
}

func keyIn(keys [][]byte, k string) bool {
	ok := 0
	for _, want := range keys {
		ok |= subtle.ConstantTimeCompare(want, []byte(k))
	}
	return ok == 1 && k != ""
}

// auth answers 403 as CrowdSec's LAPI does when X-Api-Key is missing or unknown.
func (l *LAPI) auth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !keyIn(l.keys, r.Header.Get("X-Api-Key")) {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "access forbidden"})
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// filter holds the query parameters bouncers send (scopes, origins, scenarios_containing,
// scenarios_not_containing, and for GET /v1/decisions: scope, value, type, ip, range, contains).
type filter struct {
	scopes, origins, scenIn, scenOut []string
	scope, value, typ                string
	within                           netip.Prefix // ip= or range=
	contains                         bool
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

func parseFilter(r *http.Request) (filter, error) {
	q := r.URL.Query()
	f := filter{
		scopes: splitList(q.Get("scopes")), origins: splitList(q.Get("origins")),
		scenIn: splitList(q.Get("scenarios_containing")), scenOut: splitList(q.Get("scenarios_not_containing")),
		scope: strings.ToLower(q.Get("scope")), value: q.Get("value"), typ: q.Get("type"), contains: true,
	}
	if c := q.Get("contains"); c != "" {
		b, err := strconv.ParseBool(c)
		if err != nil {
			return f, fmt.Errorf("contains=%q is not true or false", c)
		}
		f.contains = b
	}
	if ip := q.Get("ip"); ip != "" {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return f, fmt.Errorf("ip=%q is not an IP address", ip)
		}
		f.within = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	}
	if rg := q.Get("range"); rg != "" {
		p, err := netip.ParsePrefix(rg)
		if err != nil {
			return f, fmt.Errorf("range=%q is not a CIDR range", rg)
		}
		f.within = p.Masked()
	}
	return f, nil
}

// prefixOf is the addresses a decision covers.
func prefixOf(d ips.Decision) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(d.Value); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(d.Value); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func (f filter) match(d ips.Decision) bool {
	scope := strings.ToLower(d.Scope)
	if len(f.scopes) > 0 && !contains(f.scopes, scope) {
		return false
	}
	if len(f.origins) > 0 && !contains(f.origins, strings.ToLower(d.Origin)) {
		return false
	}
	scen := strings.ToLower(d.Scenario)
	if len(f.scenIn) > 0 && !anySub(scen, f.scenIn) {
		return false
	}
	if anySub(scen, f.scenOut) {
		return false
	}
	if (f.scope != "" && scope != f.scope) || (f.value != "" && d.Value != f.value) || (f.typ != "" && d.Type != f.typ) {
		return false
	}
	if f.within.IsValid() {
		p, ok := prefixOf(d)
		if !ok {
			return false
		}
		if f.contains { // the decision covers the asked address or range
			return p.Bits() <= f.within.Bits() && p.Contains(f.within.Addr())
		}
		return f.within.Bits() <= p.Bits() && f.within.Contains(p.Addr()) // inside the asked range
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func anySub(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// stream is GET /v1/decisions/stream: with startup=true every decision in force; otherwise
// what started and what ended since this key's previous pull. A value still banned by another
// decision is never sent as deleted, so a bouncer never lifts a ban that is still in force.
func (l *LAPI) stream(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	if len(f.scopes) == 0 {
		f.scopes = []string{"ip", "range"} // CrowdSec's default for the stream
	}
	key := r.Header.Get("X-Api-Key")
	now := l.now()
	l.mu.Lock()
	last, known := l.lastPull[key]
	l.mu.Unlock()
	startup := r.URL.Query().Get("startup") == "true" || !known
	ctx := r.Context()
	// A delta reads only what started or ended since the last pull, so a pull costs what
	// changed, not the number of decisions in force.
	q := ips.DecisionQuery{ActiveAt: now}
	if !startup {
		q.CreatedAfter = last.Add(-overlap)
	}
	started, err := l.src.Decisions(ctx, q)
	if err != nil {
		l.fail(w, err)
		return
	}
	resp := struct {
		New     []decisionJSON `json:"new"`
		Deleted []decisionJSON `json:"deleted"`
	}{New: []decisionJSON{}, Deleted: []decisionJSON{}}
	inForce := map[string]bool{}
	for _, d := range started {
		if f.match(d) {
			inForce[d.Value] = true
			resp.New = append(resp.New, toJSON(d, now))
		}
	}
	if !startup {
		ended, err := l.src.Decisions(ctx, ips.DecisionQuery{EndedAfter: last.Add(-overlap), EndedBefore: now})
		if err != nil {
			l.fail(w, err)
			return
		}
		sent := map[string]bool{}
		for _, d := range ended {
			if !f.match(d) || inForce[d.Value] || sent[d.Value] {
				continue
			}
			sent[d.Value] = true
			still, err := l.src.Decisions(ctx, ips.DecisionQuery{Value: d.Value, ActiveAt: now, Limit: 1})
			if err != nil {
				l.fail(w, err)
				return
			}
			if len(still) == 0 {
				resp.Deleted = append(resp.Deleted, toJSON(d, now))
			}
		}
	}
	l.mu.Lock()
	l.lastPull[key] = now
	l.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// decisions is GET /v1/decisions: the decisions in force matching the filters, as an array.
func (l *LAPI) decisions(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		return
	}
	now := l.now()
	active, err := l.src.Decisions(r.Context(), ips.DecisionQuery{ActiveAt: now})
	if err != nil {
		l.fail(w, err)
		return
	}
	out := []decisionJSON{}
	for _, d := range active {
		if f.match(d) {
			out = append(out, toJSON(d, now))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (l *LAPI) fail(w http.ResponseWriter, err error) {
	l.log.Error("bouncer API: reading decisions failed", "err", err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "reading decisions failed"})
}

// feed serves the addresses and ranges in force, as text (one per line) or JSON. The key comes
// as X-Api-Key or, for firewalls that only take a URL, as ?key=.
func (l *LAPI) feed(asJSON bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(l.feedKeys) == 0 {
			http.Error(w, "the blocklist feed is off (set ips.feed.keys)", http.StatusNotFound)
			return
		}
		k := r.Header.Get("X-Api-Key")
		if k == "" {
			k = r.URL.Query().Get("key")
		}
		if !keyIn(l.feedKeys, k) {
			http.Error(w, "access forbidden", http.StatusForbidden)
			return
		}
		now := l.now()
		active, err := l.src.Decisions(r.Context(), ips.DecisionQuery{ActiveAt: now})
		if err != nil {
			l.fail(w, err)
			return
		}
		seen := map[string]bool{}
		var values []string
		var items []decisionJSON
		for _, d := range active {
			if d.Type != "ban" || seen[d.Value] {
				continue
			}
			if _, ok := prefixOf(d); !ok {
				continue
			}
			seen[d.Value] = true
			values = append(values, d.Value)
			items = append(items, toJSON(d, now))
		}
		if asJSON {
			if items == nil {
				items = []decisionJSON{}
			}
			writeJSON(w, http.StatusOK, items)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, v := range values {
			fmt.Fprintln(w, v)
		}
	}
}

// ListenAndServe serves the API on addr until ctx ends. ready, when not nil, receives the
// bound address (useful with port 0) or is closed on a listen error.
func (l *LAPI) ListenAndServe(ctx context.Context, addr string, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if ready != nil {
			close(ready)
		}
		return fmt.Errorf("bouncer API: listening on %s (ips.lapi.listen): %w", addr, err)
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	srv := &http.Server{Handler: l.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
