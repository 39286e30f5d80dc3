// Package session owns the protocol-independent part of a logged-in session: building the
// emulated shell for a user, running exec requests and interactive terminals (line editing,
// continuation lines at PS2, history kept across logins, Tab completion and its listing,
// window changes, Ctrl-C/Ctrl-D, CRLF on the pty) with the bytes bash 5.2's readline
// writes, emitting the command and session events, and recording interactive sessions as
// asciicast v2. The SSH frontend uses it today; Telnet will reuse it.
package session

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Meta is what every event of one connection carries.
type Meta struct {
	ID       string // 12 hex characters, as Cowrie's session ids
	SrcIP    string
	SrcPort  int
	DstIP    string
	DstPort  int
	Sensor   string
	Protocol string // "ssh", "telnet"
}

// NewID returns a fresh session id: 12 random hex characters, as Cowrie makes them.
func NewID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Events publishes events with a connection's common fields filled in.
// It exists from the first byte of a connection, before anyone logged in.
type Events struct {
	meta Meta
	out  event.Emitter
	now  func() time.Time
}

// NewEvents returns an Events for one connection. out may be nil (events are dropped).
func NewEvents(meta Meta, out event.Emitter) *Events {
	return &Events{meta: meta, out: out, now: time.Now}
}

// Meta returns the connection's common fields.
func (e *Events) Meta() Meta { return e.meta }

// SetClock replaces the clock (tests).
func (e *Events) SetClock(now func() time.Time) { e.now = now }

// Emit publishes one event. fields is owned by the event afterwards.
func (e *Events) Emit(eventID, message string, fields map[string]any) {
	if e == nil || e.out == nil {
		return
	}
	e.emitAt(e.now(), eventID, message, fields)
}

// emitAt publishes one event that happened at t.
func (e *Events) emitAt(t time.Time, eventID, message string, fields map[string]any) {
	e.out.Emit(event.Event{
		EventID:  eventID,
		Time:     t.UTC(),
		Session:  e.meta.ID,
		SrcIP:    e.meta.SrcIP,
		SrcPort:  e.meta.SrcPort,
		DstIP:    e.meta.DstIP,
		DstPort:  e.meta.DstPort,
		Sensor:   e.meta.Sensor,
		Protocol: e.meta.Protocol,
		Message:  message,
		Fields:   fields,
	})
}
