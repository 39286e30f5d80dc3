package analyst

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/store"
)

// EventID is the event the analyst emits for every analysed session. Its fields are the
// analysis: summary, risk, intents, techniques (ids), iocs, source.
const EventID = "lure.session.analysis"

// Completer is what the analyst needs from an LLM: one chat completion of a system and a
// user message, returning the model's text. The llm package's client satisfies it through a
// small adapter; tests use a scripted OpenAI-compatible server behind the same client.
type Completer interface {
	Complete(ctx context.Context, system, user string) (string, error)
}

// CompleterFunc adapts a function to Completer.
type CompleterFunc func(ctx context.Context, system, user string) (string, error)

// Complete calls f.
func (f CompleterFunc) Complete(ctx context.Context, system, user string) (string, error) {
	return f(ctx, system, user)
}

// Saver keeps analyses; *store.SQLite implements it.
type Saver interface {
	SaveAnalysis(ctx context.Context, a store.Analysis) error
}

// Options configure an Analyst. Zero values take the defaults.
type Options struct {
	// Queue bounds the sessions waiting for analysis (default 256). A session that finds the
	// queue full is not analysed, and counted as dropped.
	Queue int
	// MaxOpen bounds the sessions whose events are accumulated at once (default 4096). When
	// more are open, the oldest is forgotten and counted as evicted.
	MaxOpen int
	// LLM, when set, deepens each analysis; nil means the rules alone.
	LLM Completer
	// Model names the LLM's model in the analyses it contributed to.
	Model string
	// Timeout bounds one LLM analysis (default 60s); the rules' result is kept after it.
	Timeout time.Duration
	// LLMPerDay and LLMPerIPPerDay bound the sessions sent to the LLM per UTC day, in total
	// (default 1000) and per source address (default 5), so a flood of bot sessions cannot
	// spend the model's budget: beyond them sessions get the rules' analysis. Bots repeat
	// their script, so the first analyses of an address say what the rest would.
	LLMPerDay, LLMPerIPPerDay int
	// Store keeps the analyses; nil keeps none (the event is still emitted).
	Store Saver
	// Events receives the lure.session.analysis events; nil emits none.
	Events event.Emitter
	Logger *slog.Logger
	// Now tells the time (tests); nil means time.Now.
	Now func() time.Time
	// OnDone, when set, is called after each analysis is stored and emitted (tests, metrics).
	OnDone func(Analysis)
}

// Stats are the analyst's counters.
type Stats struct {
	Open      int   // sessions being accumulated now
	Queued    int   // closed sessions waiting for analysis
	Analysed  int64 // analyses stored and emitted
	Skipped   int64 // sessions that never tried to log in (port scans, probes): not analysed
	Dropped   int64 // closed sessions not analysed because the queue was full
	Evicted   int64 // open sessions forgotten because too many were open
	LLMFailed int64 // LLM analyses that failed or timed out (the rules' result was kept)
	Failed    int64 // analyses that could not be stored
}

// Analyst is an event sink that analyses every session when it closes. Events are folded
// into per-session transcripts as they arrive (bounded per session and in number of
// sessions); a closed session's transcript goes through a bounded queue to one background
// worker, so a slow LLM never holds up the event bus.
type Analyst struct {
	opt   Options
	log   *slog.Logger
	queue chan *Transcript

	mu    sync.Mutex
	open  map[string]*Transcript
	order []string // session ids in the order they opened, for eviction
	done  bool

	ctx    context.Context // cancelled by Close so a pending LLM call gives way to the rules
	cancel context.CancelFunc
	wg     sync.WaitGroup

	analysed, skipped, dropped, evicted, llmFailed, failed atomic.Int64

	// The LLM budget of the current UTC day.
	budgetMu  sync.Mutex
	budgetDay string
	llmToday  int
	llmPerIP  map[string]int
}

// New starts an analyst.
func New(opt Options) *Analyst {
	if opt.Queue <= 0 {
		opt.Queue = 256
	}
	if opt.MaxOpen <= 0 {
		opt.MaxOpen = 4096
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 60 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.LLMPerDay <= 0 {
		opt.LLMPerDay = 1000
	}
	if opt.LLMPerIPPerDay <= 0 {
		opt.LLMPerIPPerDay = 5
	}
	lg := opt.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	a := &Analyst{opt: opt, log: lg, queue: make(chan *Transcript, opt.Queue), open: map[string]*Transcript{}}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.wg.Add(1)
	go a.work()
	return a
}

// Name implements event.Sink.
func (a *Analyst) Name() string { return "analyst" }

// Write implements event.Sink: it folds the batch into the open sessions' transcripts and
// queues those that closed. It never blocks on the analysis.
func (a *Analyst) Write(_ context.Context, batch []event.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range batch {
		if e.Session == "" || e.EventID == EventID {
			continue
		}
		t := a.open[e.Session]
		if t == nil {
			if a.done {
				continue
			}
			t = &Transcript{}
			a.evictFor()
			a.open[e.Session] = t
			a.order = append(a.order, e.Session)
		}
		t.Add(e)
		if e.EventID == event.SessionClosed {
			delete(a.open, e.Session)
			a.enqueue(t)
		}
	}
	return nil
}

// evictFor makes room for one more open session. Callers hold mu.
func (a *Analyst) evictFor() {
	for len(a.open) >= a.opt.MaxOpen && len(a.order) > 0 {
		id := a.order[0]
		a.order = a.order[1:]
		if _, ok := a.open[id]; ok {
			delete(a.open, id)
			if n := a.evicted.Add(1); n&(n-1) == 0 {
				a.log.Warn("analyst: too many sessions open at once; forgetting the oldest, which will not be analysed", "max_open", a.opt.MaxOpen, "evicted_total", n)
			}
		}
	}
	// Closed sessions leave their ids behind in order; compact so it stays bounded.
	if len(a.order) > 2*a.opt.MaxOpen {
		kept := a.order[:0]
		for _, id := range a.order {
			if _, ok := a.open[id]; ok {
				kept = append(kept, id)
			}
		}
		a.order = kept
	}
}

// enqueue hands a closed session to the worker, or counts it as dropped. Callers hold mu.
func (a *Analyst) enqueue(t *Transcript) {
	if a.done {
		return
	}
	select {
	case a.queue <- t:
	default:
		if n := a.dropped.Add(1); n&(n-1) == 0 {
			a.log.Warn("analyst: queue full; a closed session was not analysed", "session", t.Session, "queue", a.opt.Queue, "dropped_total", n)
		}
	}
}

func (a *Analyst) work() {
	defer a.wg.Done()
	for t := range a.queue {
		if !t.worthAnalysing() {
			a.skipped.Add(1)
			continue
		}
		an := a.Analyse(a.ctx, t)
		a.publish(t, an)
	}
}

// Analyse produces the analysis of one transcript: the rules' result, deepened by the LLM
// when one is configured and answers in time with valid JSON.
func (a *Analyst) Analyse(ctx context.Context, t *Transcript) Analysis {
	an := Rules(t)
	an.Created = a.opt.Now().UTC()
	if a.opt.LLM == nil || !worthAsking(t) {
		return an
	}
	if reason := a.spend(t.SrcIP); reason != "" {
		an.LLMError = reason
		return an
	}
	lctx, cancel := context.WithTimeout(ctx, a.opt.Timeout)
	defer cancel()
	merged, err := askLLM(lctx, a.opt.LLM, t, an)
	if err != nil {
		a.llmFailed.Add(1)
		a.log.Warn("analyst: the LLM analysis failed; keeping the rule-based analysis", "session", t.Session, "err", err)
		an.LLMError = err.Error()
		return an
	}
	merged.Model = a.opt.Model
	return merged
}

// worthAnalysing is false for a connection that never tried to log in (a port scan, a
// banner grab): there is nothing to analyse, and scans must not fill the store.
func (t *Transcript) worthAnalysing() bool {
	return t.LoggedIn || t.LoginFailures > 0 || len(t.ClientKeys) > 0 || len(t.Forwards) > 0
}

// maxBudgetIPs bounds the addresses the daily budget remembers; past it every new address
// counts as over its budget until the day ends.
const maxBudgetIPs = 100000

// spend takes one LLM analysis from today's budgets, or says why not.
func (a *Analyst) spend(ip string) string {
	a.budgetMu.Lock()
	defer a.budgetMu.Unlock()
	day := a.opt.Now().UTC().Format("2006-01-02")
	if day != a.budgetDay {
		a.budgetDay, a.llmToday, a.llmPerIP = day, 0, map[string]int{}
	}
	switch {
	case a.llmToday >= a.opt.LLMPerDay:
		return fmt.Sprintf("not asked: the analyst's daily LLM budget (%d sessions) is spent", a.opt.LLMPerDay)
	case a.llmPerIP[ip] >= a.opt.LLMPerIPPerDay:
		return fmt.Sprintf("not asked: %s already had %d LLM analyses today", ip, a.opt.LLMPerIPPerDay)
	case a.llmPerIP[ip] == 0 && len(a.llmPerIP) >= maxBudgetIPs:
		return "not asked: too many addresses analysed by the LLM today"
	}
	a.llmToday++
	a.llmPerIP[ip]++
	return ""
}

// worthAsking skips the LLM for sessions with nothing to explain (no login, no command, no
// transfer): the rules say all there is, and the LLM budget goes to real sessions.
func worthAsking(t *Transcript) bool {
	return len(t.Commands) > 0 || len(t.Uploads) > 0 || len(t.Downloads) > 0 || len(t.Forwards) > 0
}

func (a *Analyst) publish(t *Transcript, an Analysis) {
	if a.opt.Store != nil {
		doc, err := json.Marshal(an)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = a.opt.Store.SaveAnalysis(ctx, store.Analysis{Session: an.Session, Created: an.Created, Risk: an.Risk, Source: an.Source, Summary: an.Summary, Doc: doc})
			cancel()
		}
		if err != nil {
			a.failed.Add(1)
			a.log.Error("analyst: cannot store an analysis", "session", an.Session, "err", err)
		}
	}
	if a.opt.Events != nil {
		techs := make([]string, len(an.Techniques))
		for i, x := range an.Techniques {
			techs[i] = x.ID
		}
		a.opt.Events.Emit(event.Event{
			EventID: EventID, Time: an.Created, Session: t.Session, SrcIP: t.SrcIP, DstIP: t.DstIP,
			Sensor: t.Sensor, Protocol: t.Protocol, Message: an.Summary,
			Fields: map[string]any{
				"summary": an.Summary, "risk": an.Risk, "intents": an.Intents, "techniques": techs,
				"iocs": an.IOCs, "source": an.Source,
			},
		})
	}
	a.analysed.Add(1)
	if a.opt.OnDone != nil {
		a.opt.OnDone(an)
	}
}

// Stats returns the counters.
func (a *Analyst) Stats() Stats {
	a.mu.Lock()
	open := len(a.open)
	a.mu.Unlock()
	return Stats{Open: open, Queued: len(a.queue), Analysed: a.analysed.Load(), Skipped: a.skipped.Load(), Dropped: a.dropped.Load(),
		Evicted: a.evicted.Load(), LLMFailed: a.llmFailed.Load(), Failed: a.failed.Load()}
}

// Close implements event.Sink: sessions still queued are analysed (an LLM call in flight is
// cancelled, so they get the rules' analysis at once), then the worker stops. Sessions still
// open are not analysed. Close it before the store it saves into.
func (a *Analyst) Close() error {
	a.mu.Lock()
	if a.done {
		a.mu.Unlock()
		return nil
	}
	a.done = true
	close(a.queue)
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
	st := a.Stats()
	a.log.Info("analyst totals", "analysed", st.Analysed, "skipped_no_login", st.Skipped, "dropped_queue_full", st.Dropped,
		"evicted_too_many_open", st.Evicted, "llm_failed", st.LLMFailed, "store_failed", st.Failed)
	return nil
}
