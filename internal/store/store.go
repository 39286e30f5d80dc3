// Package store owns persistence of events and what is derived from them (sessions) behind one
// Store interface: SQLite is the embedded default (modernc.org/sqlite, no cgo); PostgreSQL comes
// for fleets.
package store

import (
	"context"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

// Store keeps events and answers questions about sessions.
type Store interface {
	// WriteEvents stores a batch atomically.
	WriteEvents(ctx context.Context, batch []event.Event) error
	// Sessions lists sessions, newest first, at most limit (0: 100).
	Sessions(ctx context.Context, limit int) ([]Session, error)
	// Events returns a session's events in order.
	Events(ctx context.Context, session string) ([]event.Event, error)
	Close() error
}

// Session is the summary of one connection.
type Session struct {
	ID       string
	SrcIP    string
	SrcPort  int
	Protocol string
	Sensor   string
	Start    time.Time
	End      time.Time // zero while open
	Username string    // of the successful login, if any
	Password string
	Client   string // client version
	HASSH    string
	Commands int
}

// Sink adapts a Store to the event bus.
type Sink struct{ S Store }

// Name implements event.Sink.
func (s Sink) Name() string { return "store" }

// Write implements event.Sink.
func (s Sink) Write(ctx context.Context, b []event.Event) error { return s.S.WriteEvents(ctx, b) }

// Close implements event.Sink.
func (s Sink) Close() error { return s.S.Close() }
