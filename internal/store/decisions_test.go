package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
)

func TestDecisionsPersistQueryRemove(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lure.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mk := func(value string, created, until time.Duration, sim bool) *ips.Decision {
		return &ips.Decision{Scope: "Ip", Value: value, Type: "ban", Origin: "lure", Scenario: "lure/ssh-bf", Reason: "r",
			Duration: until - created, Created: now.Add(created), Until: now.Add(until), Evidence: []string{"e1"}, Simulated: sim}
	}
	ds := []*ips.Decision{
		mk("198.51.100.1", -time.Hour, time.Hour, false),       // in force
		mk("198.51.100.2", -2*time.Hour, -time.Minute, false),  // expired a minute ago
		mk("198.51.100.3", -time.Minute, time.Hour, true),      // dry run
		mk("2001:db8::3", -time.Second, 3*time.Hour, false),    // in force, new
		mk("198.51.100.1", -10*time.Hour, -9*time.Hour, false), // an earlier offence
	}
	for i, d := range ds {
		if err := s.AddDecision(ctx, d); err != nil {
			t.Fatal(err)
		}
		if d.ID != int64(i+1) {
			t.Errorf("decision %d got id %d", i+1, d.ID)
		}
	}
	s.Close()
	if s, err = OpenSQLite(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	values := func(q ips.DecisionQuery) []string {
		t.Helper()
		got, err := s.Decisions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, d := range got {
			out = append(out, d.Value)
		}
		return out
	}
	check := func(name string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	check("in force", values(ips.DecisionQuery{ActiveAt: now}), "198.51.100.1", "2001:db8::3")
	check("in force with dry runs", values(ips.DecisionQuery{ActiveAt: now, Simulated: true}), "198.51.100.1", "198.51.100.3", "2001:db8::3")
	check("created in the last minute", values(ips.DecisionQuery{CreatedAfter: now.Add(-30 * time.Second)}), "2001:db8::3")
	check("ended in the last 2 minutes", values(ips.DecisionQuery{EndedAfter: now.Add(-2 * time.Minute), EndedBefore: now}), "198.51.100.2")
	check("by value", values(ips.DecisionQuery{Value: "198.51.100.1"}), "198.51.100.1", "198.51.100.1")
	check("limit", values(ips.DecisionQuery{Limit: 2}), "198.51.100.1", "198.51.100.2")

	got, err := s.Decisions(ctx, ips.DecisionQuery{ID: 4})
	if err != nil || len(got) != 1 {
		t.Fatalf("by id: %v, %v", got, err)
	}
	d := got[0]
	if d.Scope != "Ip" || d.Duration != 3*time.Hour+time.Second || !d.Until.Equal(ds[3].Until) || len(d.Evidence) != 1 || d.Evidence[0] != "e1" || d.Scenario != "lure/ssh-bf" {
		t.Errorf("decision read back = %+v, want %+v", d, *ds[3])
	}

	at := now.Add(time.Second)
	gone, err := s.RemoveDecisions(ctx, ips.DecisionQuery{Value: "198.51.100.1"}, at)
	if err != nil || len(gone) != 1 || gone[0].ID != 1 {
		t.Fatalf("removing 198.51.100.1: %+v, %v; want only the decision in force", gone, err)
	}
	check("in force after removal", values(ips.DecisionQuery{ActiveAt: at}), "2001:db8::3")
	check("ended by removal", values(ips.DecisionQuery{EndedAfter: now, EndedBefore: at}), "198.51.100.1")
	check("not removed", values(ips.DecisionQuery{Value: "198.51.100.1", NotRemoved: true}), "198.51.100.1")
	if gone, _ := s.RemoveDecisions(ctx, ips.DecisionQuery{Value: "198.51.100.1"}, at); len(gone) != 0 {
		t.Errorf("removing again ended %d decisions, want none", len(gone))
	}
}
