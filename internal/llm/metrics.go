package llm

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Metrics counts what the responder chain did. It is safe for concurrent use; read it with
// Snapshot. It is also an event sink (Name, Write, Close) that counts the command lines of
// cowrie.command.input events by the stage that answered them, so emulated lines are
// counted beside the chain's own answers.
type Metrics struct {
	lines     [4]atomic.Int64 // command lines by responder stage (from events)
	answers   [4]atomic.Int64 // chain answers by stage (cache, llm, fallback)
	limited   [5]atomic.Int64 // by limit
	failed    atomic.Int64    // endpoint errors (HTTP errors, malformed or runaway answers)
	rejected  atomic.Int64    // out-of-character answers replaced by the fallback
	calls     atomic.Int64    // completed LLM calls
	callNanos atomic.Int64    // their total latency
	firstNano atomic.Int64    // their total time to first token
	tokens    atomic.Int64    // tokens spent (prompt + answer)
}

// MetricsSnapshot is a copy of the counters.
type MetricsSnapshot struct {
	Lines    map[string]int64 // command lines by the stage that answered them
	Answers  map[string]int64 // answers of the chain by stage
	Limited  map[string]int64 // fallbacks by the limit that caused them
	Failed   int64
	Rejected int64
	Calls    int64
	Tokens   int64
	// MeanLatency and MeanFirstToken are over the completed calls.
	MeanLatency, MeanFirstToken time.Duration
}

var stageOrder = [4]string{StageEmulated, StageCache, StageLLM, StageFallback}
var limitOrder = [5]string{LimitRate, LimitIPBudget, LimitDailyBudget, LimitConcurrency, LimitTimeout}

func stageIndex(s string) int {
	for i, n := range stageOrder {
		if n == s {
			return i
		}
	}
	return 0
}

func (m *Metrics) answer(stage string) { m.answers[stageIndex(stage)].Add(1) }

func (m *Metrics) limit(name string) {
	for i, n := range limitOrder {
		if n == name {
			m.limited[i].Add(1)
		}
	}
}

func (m *Metrics) call(c Completion) {
	m.calls.Add(1)
	m.callNanos.Add(int64(c.Total))
	m.firstNano.Add(int64(c.FirstToken))
	m.tokens.Add(int64(c.Tokens()))
}

// Snapshot copies the counters.
func (m *Metrics) Snapshot() MetricsSnapshot {
	s := MetricsSnapshot{Lines: map[string]int64{}, Answers: map[string]int64{}, Limited: map[string]int64{},
		Failed: m.failed.Load(), Rejected: m.rejected.Load(), Calls: m.calls.Load(), Tokens: m.tokens.Load()}
	for i, n := range stageOrder {
		s.Lines[n] = m.lines[i].Load()
		if i > 0 {
			s.Answers[n] = m.answers[i].Load()
		}
	}
	for i, n := range limitOrder {
		s.Limited[n] = m.limited[i].Load()
	}
	if s.Calls > 0 {
		s.MeanLatency = time.Duration(m.callNanos.Load() / s.Calls)
		s.MeanFirstToken = time.Duration(m.firstNano.Load() / s.Calls)
	}
	return s
}

// Name implements event.Sink.
func (m *Metrics) Name() string { return "llm-metrics" }

// Write implements event.Sink: it counts command lines by their "responder" field.
func (m *Metrics) Write(_ context.Context, batch []event.Event) error {
	for _, e := range batch {
		if e.EventID != event.CommandInput {
			continue
		}
		if r, ok := e.Fields["responder"].(string); ok {
			m.lines[stageIndex(r)].Add(1)
		}
	}
	return nil
}

// Close implements event.Sink.
func (m *Metrics) Close() error { return nil }

// WritePrometheus writes the counters in the Prometheus text exposition format.
func (m *Metrics) WritePrometheus(w io.Writer) error {
	s := m.Snapshot()
	var b strings.Builder
	family := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	family("lure_command_lines_total", "counter", "Command lines by the responder stage that answered them.")
	for _, st := range stageOrder {
		fmt.Fprintf(&b, "lure_command_lines_total{responder=%q} %d\n", st, s.Lines[st])
	}
	family("lure_llm_answers_total", "counter", "Answers of the LLM responder chain by stage.")
	for _, st := range stageOrder[1:] {
		fmt.Fprintf(&b, "lure_llm_answers_total{stage=%q} %d\n", st, s.Answers[st])
	}
	family("lure_llm_limited_total", "counter", "Commands sent to the fallback by a limit.")
	for _, l := range limitOrder {
		fmt.Fprintf(&b, "lure_llm_limited_total{limit=%q} %d\n", l, s.Limited[l])
	}
	for _, c := range []struct {
		name, help string
		v          int64
	}{
		{"lure_llm_failed_total", "Failed calls to the LLM endpoint.", s.Failed},
		{"lure_llm_rejected_total", "LLM answers rejected as out of character.", s.Rejected},
		{"lure_llm_calls_total", "Completed LLM calls.", s.Calls},
		{"lure_llm_tokens_total", "Tokens spent on LLM calls (prompt and answer).", s.Tokens},
	} {
		family(c.name, "counter", c.help)
		fmt.Fprintf(&b, "%s %d\n", c.name, c.v)
	}
	family("lure_llm_call_seconds_sum", "counter", "Total latency of the completed LLM calls.")
	fmt.Fprintf(&b, "lure_llm_call_seconds_sum %g\n", time.Duration(m.callNanos.Load()).Seconds())
	_, err := io.WriteString(w, b.String())
	return err
}
