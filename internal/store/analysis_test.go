package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

func TestAnalysisRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lure.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	var batch []event.Event
	for i, sess := range []struct{ id, ip string }{{"aaaaaaaaaaa1", "203.0.113.1"}, {"aaaaaaaaaaa2", "203.0.113.2"}, {"aaaaaaaaaaa3", "203.0.113.1"}} {
		base := event.Event{Session: sess.id, SrcIP: sess.ip, SrcPort: 4000 + i, Sensor: "s1", Protocol: "ssh"}
		for j, id := range []string{event.SessionConnect, event.LoginSuccess, event.CommandInput, event.SessionClosed} {
			e := base
			e.EventID, e.Time = id, t0.Add(time.Duration(i)*time.Minute+time.Duration(j)*time.Second)
			e.Fields = map[string]any{"username": "root", "password": "pw" + sess.id[11:], "input": "uname -a"}
			batch = append(batch, e)
		}
	}
	if err := s.WriteEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Analysis(ctx, "aaaaaaaaaaa1"); ok || err != nil {
		t.Fatalf("analysis before any was saved: ok=%v err=%v", ok, err)
	}
	doc := json.RawMessage(`{"intents":["persistence"]}`)
	a := Analysis{Session: "aaaaaaaaaaa1", Created: t0.Add(time.Hour), Risk: 85, Source: "rules", Summary: "installed a key", Doc: doc}
	if err := s.SaveAnalysis(ctx, a); err != nil {
		t.Fatal(err)
	}
	// A second analysis of the same session replaces the first.
	a.Risk, a.Source = 90, "llm"
	if err := s.SaveAnalysis(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnalysis(ctx, Analysis{}); err == nil {
		t.Error("an analysis without a session must be refused")
	}
	s.Close()

	// Reopen: the table survives and a second open does not fail on the existing table.
	s, err = OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.Analysis(ctx, "aaaaaaaaaaa1")
	if err != nil || !ok {
		t.Fatalf("analysis: ok=%v err=%v", ok, err)
	}
	if got.Risk != 90 || got.Source != "llm" || got.Summary != "installed a key" || !got.Created.Equal(t0.Add(time.Hour)) || string(got.Doc) != string(doc) {
		t.Errorf("round trip: %+v", got)
	}

	all, err := s.ListSessions(ctx, SessionQuery{})
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %v %v", all, err)
	}
	if all[0].ID != "aaaaaaaaaaa3" || all[2].ID != "aaaaaaaaaaa1" {
		t.Errorf("not newest first: %s %s %s", all[0].ID, all[1].ID, all[2].ID)
	}
	if !all[2].Analysed || all[2].Risk != 90 || all[0].Analysed || all[2].Commands != 1 || all[2].Username != "root" {
		t.Errorf("risk join: %+v / %+v", all[2], all[0])
	}
	byIP, err := s.ListSessions(ctx, SessionQuery{SrcIP: "203.0.113.1", Limit: 1})
	if err != nil || len(byIP) != 1 || byIP[0].ID != "aaaaaaaaaaa3" {
		t.Errorf("by ip with limit: %+v %v", byIP, err)
	}
	one, ok, err := s.Session(ctx, "aaaaaaaaaaa2")
	if err != nil || !ok || one.SrcIP != "203.0.113.2" || one.Password != "pw2" {
		t.Errorf("session: %+v %v %v", one, ok, err)
	}
	if _, ok, err := s.Session(ctx, "nope"); ok || err != nil {
		t.Errorf("unknown session: ok=%v err=%v", ok, err)
	}
}
