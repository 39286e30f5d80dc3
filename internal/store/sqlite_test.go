package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

func TestSQLiteSessionsAndEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lure.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	base := event.Event{Session: "abc123def456", SrcIP: "203.0.113.9", SrcPort: 5555, DstIP: "127.0.0.1", DstPort: 2222, Sensor: "s1", Protocol: "ssh"}
	mk := func(id string, dt time.Duration, f map[string]any) event.Event {
		e := base
		e.EventID, e.Time, e.Fields = id, t0.Add(dt), f
		return e
	}
	batch := []event.Event{
		mk(event.SessionConnect, 0, nil),
		mk(event.ClientVersion, time.Millisecond, map[string]any{"version": "SSH-2.0-OpenSSH_9.2p1"}),
		mk(event.ClientKex, 2*time.Millisecond, map[string]any{"hassh": "ec7378c1a92f5a8dde7e8b7a1ddf33d1"}),
		mk(event.LoginSuccess, time.Second, map[string]any{"username": "root", "password": "123456"}),
		mk(event.CommandInput, 2*time.Second, map[string]any{"input": "uname -a"}),
		mk(event.CommandInput, 3*time.Second, map[string]any{"input": "id"}),
		mk(event.SessionClosed, 4*time.Second, map[string]any{"duration": 4.0}),
	}
	if err := s.WriteEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Reopen: nothing is lost across restarts.
	s, err = OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ss, err := s.Sessions(ctx, 0)
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions: %v %v", ss, err)
	}
	got := ss[0]
	if got.ID != base.Session || got.Username != "root" || got.Password != "123456" || got.Commands != 2 ||
		got.Client != "SSH-2.0-OpenSSH_9.2p1" || got.HASSH != "ec7378c1a92f5a8dde7e8b7a1ddf33d1" ||
		!got.Start.Equal(t0) || !got.End.Equal(t0.Add(4*time.Second)) {
		t.Errorf("summary: %+v", got)
	}
	evs, err := s.Events(ctx, base.Session)
	if err != nil || len(evs) != len(batch) {
		t.Fatalf("events: %d %v", len(evs), err)
	}
	if evs[4].Fields["input"] != "uname -a" || evs[4].EventID != event.CommandInput || !evs[4].Time.Equal(batch[4].Time) {
		t.Errorf("event round trip: %+v", evs[4])
	}
}

func TestOpenSQLiteRejectsNonDatabase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.db")
	if err := writeFile(p, "this is not sqlite, just text padded to look like a file................................................................................................"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSQLite(p); err == nil {
		t.Fatal("opening a non-database must fail with an error")
	}
}

func BenchmarkWriteEvents(b *testing.B) {
	s, err := OpenSQLite(filepath.Join(b.TempDir(), "lure.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch := make([]event.Event, 100)
	for i := range batch {
		batch[i] = event.Event{EventID: event.CommandInput, Time: time.Now(), Session: "s", Fields: map[string]any{"input": "uname -a"}}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.WriteEvents(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
