package llm

import (
	"sync"
	"time"
)

// Limits bound what attackers can make the sensor spend on the model. Zero fields take
// the defaults.
type Limits struct {
	Timeout       time.Duration // per call (default 4s)
	MaxConcurrent int           // calls in flight (default 4)
	RatePerIP     int           // calls per source IP per minute (default 20)
	TokensPerIP   int           // tokens per source IP per UTC day (default 100000)
	TokensPerDay  int           // tokens in total per UTC day (default 2000000)
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = 4 * time.Second
	}
	if l.MaxConcurrent <= 0 {
		l.MaxConcurrent = 4
	}
	if l.RatePerIP <= 0 {
		l.RatePerIP = 20
	}
	if l.TokensPerIP <= 0 {
		l.TokensPerIP = 100000
	}
	if l.TokensPerDay <= 0 {
		l.TokensPerDay = 2000000
	}
	return l
}

// Names of the limits, in lure.llm.limited events ("limit") and the metrics.
const (
	LimitRate        = "rate"         // the source IP's calls per minute
	LimitIPBudget    = "ip_tokens"    // the source IP's daily tokens
	LimitDailyBudget = "daily_tokens" // the sensor's daily tokens
	LimitConcurrency = "concurrency"  // calls in flight
	LimitTimeout     = "timeout"      // the call took longer than the timeout
)

// maxTrackedIPs bounds the per-IP state; beyond it the stalest IPs are forgotten (their
// rate and budget restart, while the total budget still holds).
const maxTrackedIPs = 65536

// limiter applies Limits. It is safe for concurrent use.
type limiter struct {
	lim  Limits
	now  func() time.Time
	sem  chan struct{}
	mu   sync.Mutex
	day  string // UTC date the budgets count for
	used int    // tokens today
	ips  map[string]*ipState
}

type ipState struct {
	tokens float64   // rate bucket: calls available
	last   time.Time // last refill
	used   int       // tokens today
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	l = l.withDefaults()
	return &limiter{lim: l, now: now, sem: make(chan struct{}, l.MaxConcurrent), ips: map[string]*ipState{}}
}

// admit decides whether ip may call the model now. On success it holds a concurrency slot
// that release must free; otherwise it names the limit that refused.
func (l *limiter) admit(ip string) (limit string) {
	l.mu.Lock()
	now := l.now()
	l.rollDay(now)
	st := l.ips[ip]
	if st == nil {
		if len(l.ips) >= maxTrackedIPs {
			l.evict()
		}
		st = &ipState{tokens: float64(min(l.lim.RatePerIP, 5)), last: now}
		l.ips[ip] = st
	}
	// refill: RatePerIP calls per minute, a burst of at most 5 (or the rate when lower)
	per := float64(l.lim.RatePerIP) / 60
	st.tokens += now.Sub(st.last).Seconds() * per
	if burst := float64(min(l.lim.RatePerIP, 5)); st.tokens > burst {
		st.tokens = burst
	}
	st.last = now
	switch {
	case l.used >= l.lim.TokensPerDay:
		l.mu.Unlock()
		return LimitDailyBudget
	case st.used >= l.lim.TokensPerIP:
		l.mu.Unlock()
		return LimitIPBudget
	case st.tokens < 1:
		l.mu.Unlock()
		return LimitRate
	}
	st.tokens--
	l.mu.Unlock()
	select {
	case l.sem <- struct{}{}:
		return ""
	default:
		return LimitConcurrency
	}
}

// release frees the slot admit took and charges the tokens the call cost.
func (l *limiter) release(ip string, tokens int) {
	<-l.sem
	l.charge(ip, tokens)
}

func (l *limiter) charge(ip string, tokens int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollDay(l.now())
	l.used += tokens
	if st := l.ips[ip]; st != nil {
		st.used += tokens
	}
}

// rollDay starts new budgets at 00:00 UTC.
func (l *limiter) rollDay(now time.Time) {
	d := now.UTC().Format(time.DateOnly)
	if d == l.day {
		return
	}
	l.day, l.used = d, 0
	for ip, st := range l.ips {
		st.used = 0
		if now.Sub(st.last) > time.Hour {
			delete(l.ips, ip)
		}
	}
}

// evict forgets the IP seen least recently.
func (l *limiter) evict() {
	var oldest string
	var t time.Time
	for ip, st := range l.ips {
		if oldest == "" || st.last.Before(t) {
			oldest, t = ip, st.last
		}
	}
	delete(l.ips, oldest)
}

// usage reports today's tokens in total and for ip.
func (l *limiter) usage(ip string) (total, perIP int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollDay(l.now())
	if st := l.ips[ip]; st != nil {
		perIP = st.used
	}
	return l.used, perIP
}
