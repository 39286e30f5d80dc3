package ips

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Event ids the IPS emits.
const (
	// AlertEvent is one detection, with the evidence events' ids in "evidence".
	AlertEvent = "lure.ips.alert"
	// DecisionEvent tells what became of an alert: a decision (with its id, duration and
	// expiry) or why none was made ("outcome": allowlisted, already, cap).
	DecisionEvent = "lure.ips.decision"
)

// Engine is the IPS's event sink: it runs the detectors over every event in one goroutine (the
// bus's writer for this sink), emits each alert back onto the bus as a lure.ips.alert event, and
// has the decider turn it into a decision.
type Engine struct {
	detectors []Detector
	decider   *Decider
	emit      event.Emitter
	sensor    string
	log       *slog.Logger
	alerts    []Alert // reused between events
}

// EngineOptions are the engine's dependencies.
type EngineOptions struct {
	Detectors []Detector
	Decider   *Decider
	Events    event.Emitter // where alerts and decisions are emitted (the bus)
	Sensor    string
	Logger    *slog.Logger
}

// NewEngine returns an engine; add it to the bus with bus.Add.
func NewEngine(o EngineOptions) *Engine {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Engine{detectors: o.Detectors, decider: o.Decider, emit: o.Events, sensor: o.Sensor, log: o.Logger}
}

// Name implements event.Sink.
func (e *Engine) Name() string { return "ips" }

// Close implements event.Sink. The decider's store and enforcers belong to the caller.
func (e *Engine) Close() error { return nil }

// Write implements event.Sink: detectors see every event in order, except the IPS's own.
func (e *Engine) Write(ctx context.Context, batch []event.Event) error {
	raise := func(a Alert) { e.alerts = append(e.alerts, a) }
	for _, ev := range batch {
		if strings.HasPrefix(ev.EventID, "lure.ips.") {
			continue
		}
		for _, d := range e.detectors {
			d.Observe(ev, raise)
		}
		for i, a := range e.alerts {
			e.handle(ctx, ev, a)
			e.alerts[i] = Alert{}
		}
		e.alerts = e.alerts[:0]
	}
	return nil
}

// handle emits the alert and decides on it. The deciding event is the one the detector was
// observing when it raised the alert; the decision event carries the time from it.
func (e *Engine) handle(ctx context.Context, ev event.Event, a Alert) {
	if a.Time.IsZero() {
		a.Time = ev.Time
	}
	src := a.Source.Unmap().String()
	fields := make(map[string]any, len(a.Fields)+6)
	for k, v := range a.Fields {
		fields[k] = v
	}
	evidence := a.Evidence
	if evidence == nil {
		evidence = []string{}
	}
	fields["detector"], fields["scenario"], fields["reason"] = a.Detector, a.Scenario, a.Reason
	fields["evidence"], fields["handshake"] = evidence, a.Handshake
	e.emit.Emit(event.Event{
		EventID: AlertEvent, Time: a.Time, Session: ev.Session, SrcIP: src, DstIP: ev.DstIP, DstPort: ev.DstPort,
		Sensor: e.sensorName(ev), Protocol: ev.Protocol, Message: fmt.Sprintf("IPS alert %s from %s: %s", a.Scenario, src, a.Reason), Fields: fields,
	})
	dec, outcome, err := e.decider.Decide(ctx, a)
	if err != nil {
		e.log.Error("IPS: no decision could be made for an alert", "scenario", a.Scenario, "source", src, "err", err)
		return
	}
	df := map[string]any{"outcome": string(outcome), "scenario": a.Scenario, "evidence": evidence}
	msg := fmt.Sprintf("IPS: no decision for %s (%s)", src, outcome)
	if outcome == OutcomeDecided || outcome == OutcomeAlready {
		df["decision_id"], df["duration"], df["until"], df["simulated"] = dec.ID, dec.Duration.String(), event.FormatTime(dec.Until), dec.Simulated
	}
	if outcome == OutcomeDecided {
		// From the deciding event's arrival to the stored decision: the figure issue 5 asks for.
		df["latency_ms"] = float64(time.Since(ev.Time).Microseconds()) / 1000
		verb := "ban"
		if dec.Simulated {
			verb = "dry-run ban"
		}
		msg = fmt.Sprintf("IPS decision %d: %s %s for %s (%s)", dec.ID, verb, src, dec.Duration, a.Scenario)
		e.log.Info("IPS decision", "id", dec.ID, "value", dec.Value, "duration", dec.Duration.String(), "scenario", a.Scenario, "simulated", dec.Simulated, "handshake", a.Handshake)
	}
	e.emit.Emit(event.Event{
		EventID: DecisionEvent, Session: ev.Session, SrcIP: src, DstIP: ev.DstIP, DstPort: ev.DstPort,
		Sensor: e.sensorName(ev), Protocol: ev.Protocol, Message: msg, Fields: df,
	})
}

func (e *Engine) sensorName(ev event.Event) string {
	if ev.Sensor != "" {
		return ev.Sensor
	}
	return e.sensor
}
