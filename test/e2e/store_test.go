package e2e

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lure-sensor/lure/internal/store"
)

// TestEventsReachSQLite checks the second sink of the event bus: after a session, the SQLite
// store holds its summary and every event, and survives the sensor's shutdown.
func TestEventsReachSQLite(t *testing.T) {
	l := startLure(t)
	if _, _, code := l.runSSH(t, nil, "id; whoami"); code != 0 {
		t.Fatalf("exec failed with %d", code)
	}
	l.waitEvent(t, "cowrie.session.closed", nil)
	l.stop() // SIGTERM: the bus drains into the store before exit

	db, err := store.OpenSQLite(filepath.Join(l.DataDir, "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	ss, err := db.Sessions(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// startLure's readiness probe is a session too (connect, no SSH): find the login.
	var s store.Session
	for _, x := range ss {
		if x.Username != "" {
			if s.ID != "" {
				t.Fatalf("two logged-in sessions: %+v", ss)
			}
			s = x
		}
	}
	if s.Username != "root" || s.Password != password || s.Commands != 1 || s.SrcIP != "127.0.0.1" || s.End.IsZero() || len(s.HASSH) != 32 {
		t.Errorf("session summary %+v", s)
	}
	evs, err := db.Events(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	json := l.events(t)
	n := 0
	for _, e := range json {
		if e["session"] == s.ID {
			n++
		}
	}
	if len(evs) != n || n < 6 {
		t.Errorf("SQLite has %d events of the session, the JSON log %d", len(evs), n)
	}
}
