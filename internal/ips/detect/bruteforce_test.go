package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// seq builds events with ids e1, e2, ... in order.
type seq struct{ n int }

func (s *seq) ev(id string, at time.Duration, src string, fields map[string]any) event.Event {
	s.n++
	return event.Event{ID: fmt.Sprintf("e%d", s.n), EventID: id, Time: t0.Add(at), SrcIP: src, DstIP: "198.18.7.2", DstPort: 22, Protocol: "ssh", Fields: fields}
}

func login(user, pw string) map[string]any { return map[string]any{"username": user, "password": pw} }

// run feeds events to d and returns the alerts.
func run(d ips.Detector, evs ...event.Event) []ips.Alert {
	var out []ips.Alert
	for _, e := range evs {
		d.Observe(e, func(a ips.Alert) { out = append(out, a) })
	}
	return out
}

func TestBruteForceSixthFastFailureOverflows(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{})
	var evs []event.Event
	for i := range 5 {
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i)*time.Second, "203.0.113.7", login("root", fmt.Sprint("pw", i))))
	}
	if a := run(d, evs...); len(a) != 0 {
		t.Fatalf("five failures must fill the bucket without overflowing it (capacity 5), got %v", a)
	}
	a := run(d, s.ev(event.LoginFailed, 5*time.Second, "203.0.113.7", login("root", "pw5")))
	if len(a) != 1 {
		t.Fatalf("the sixth failure within 5s overflows: got %d alerts", len(a))
	}
	got := a[0]
	if got.Scenario != "lure/ssh-bf" || got.Detector != "bruteforce" || got.Source.String() != "203.0.113.7" || !got.Handshake {
		t.Errorf("alert = %+v", got)
	}
	if want := []string{"e1", "e2", "e3", "e4", "e5", "e6"}; !slices.Equal(got.Evidence, want) {
		t.Errorf("evidence = %v, want %v", got.Evidence, want)
	}
	if !got.Time.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("alert time %v is not the deciding event's", got.Time)
	}
	// The blackhole: more failures within the minute raise nothing more.
	for i := range 10 {
		if a := run(d, s.ev(event.LoginFailed, 6*time.Second+time.Duration(i)*time.Second, "203.0.113.7", login("root", "x"))); len(a) != 0 {
			t.Fatalf("alert inside the blackhole: %v", a)
		}
	}
	// After it, a new run overflows again.
	var again []ips.Alert
	for i := range 6 {
		again = append(again, run(d, s.ev(event.LoginFailed, 70*time.Second+time.Duration(i)*time.Second, "203.0.113.7", login("root", "y")))...)
	}
	if len(again) != 1 {
		t.Errorf("after the blackhole, six fast failures give %d alerts, want 1", len(again))
	}
}

func TestBruteForceSlowFailuresLeak(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{})
	// One failure every 10s leaks as fast as it pours: it never overflows.
	var evs []event.Event
	for i := range 30 {
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i)*10*time.Second, "203.0.113.8", login("root", "x")))
	}
	if a := run(d, evs...); len(a) != 0 {
		t.Errorf("one failure per 10s must not overflow a bucket leaking one per 10s: %v", a)
	}
	// One every 8s fills it slowly: 1 + n*(1-0.8) > 5 after about 21 failures.
	d = NewBruteForce(BruteForceOptions{})
	evs = nil
	for i := range 40 {
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i)*8*time.Second, "203.0.113.8", login("root", "x")))
	}
	if a := run(d, evs...); len(a) == 0 {
		t.Error("one failure per 8s outpaces the leak and must overflow in the end")
	}
}

func TestBruteForceMistypedPasswordIsNotAlerted(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{})
	a := run(d,
		s.ev(event.LoginFailed, 0, "198.51.100.4", login("alice", "hunter")),
		s.ev(event.LoginFailed, 2*time.Second, "198.51.100.4", login("alice", "hunter1")),
		s.ev(event.LoginSuccess, 4*time.Second, "198.51.100.4", login("alice", "hunter2")),
	)
	if len(a) != 0 {
		t.Errorf("two typos and a success raised %v", a)
	}
}

func TestBruteForceSuccessAfterFailuresCounts(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{})
	var evs []event.Event
	for i := range 5 {
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i)*time.Second, "203.0.113.9", login("root", fmt.Sprint(i))))
	}
	evs = append(evs, s.ev(event.LoginSuccess, 5*time.Second, "203.0.113.9", login("root", "123456")))
	a := run(d, evs...)
	if len(a) != 1 || a[0].Scenario != "lure/ssh-bf" || a[0].Evidence[5] != "e6" {
		t.Fatalf("five failures then the found password must overflow with the success as evidence: %+v", a)
	}
	// A success from a source without failures pours nothing.
	d = NewBruteForce(BruteForceOptions{})
	for i := range 20 {
		if a := run(d, s.ev(event.LoginSuccess, time.Duration(i)*time.Second, "198.51.100.5", login("bob", "right"))); len(a) != 0 {
			t.Fatalf("successful logins alone raised %v", a)
		}
	}
}

func TestBruteForceIsPerSourceAndAcrossProtocols(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{})
	var evs []event.Event
	for i := range 3 {
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i)*time.Second, "203.0.113.10", login("root", "a")))
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i)*time.Second, "203.0.113.11", login("root", "a")))
	}
	if a := run(d, evs...); len(a) != 0 {
		t.Fatalf("three failures from each of two sources raised %v", a)
	}
	tel := s.ev(event.LoginFailed, 3*time.Second, "203.0.113.10", login("root", "b"))
	tel.Protocol = "telnet"
	tel2 := tel
	tel2.ID, tel2.Time = "t2", tel.Time.Add(time.Second)
	tel3 := tel
	tel3.ID, tel3.Time = "t3", tel.Time.Add(2*time.Second)
	a := run(d, tel, tel2, tel3)
	if len(a) != 1 || a[0].Source.String() != "203.0.113.10" || a[0].Scenario != "lure/telnet-bf" {
		t.Fatalf("three ssh and three telnet failures from one source must overflow one bucket: %+v", a)
	}
}

func TestBruteForceUserEnumeration(t *testing.T) {
	var s seq
	// A slow leak keeps the plain bucket from mattering: capacity 20 for failures, but the
	// user bucket has the same capacity, so use distinct users with repeats in between.
	d := NewBruteForce(BruteForceOptions{Capacity: 5, Leak: 10 * time.Second})
	var a []ips.Alert
	users := []string{"root", "admin", "ubuntu", "pi", "oracle", "test"}
	for i, u := range users {
		a = append(a, run(d, s.ev(event.LoginFailed, time.Duration(i)*3*time.Second, "203.0.113.12", login(u, "x")))...)
	}
	// Six failures 3s apart: the plain bucket is at 6 - 15/10 = 4.5, no overflow; the
	// user bucket pours the same (all names new), so neither overflows yet.
	if len(a) != 0 {
		t.Fatalf("six failures 3s apart raised %v", a)
	}
	d = NewBruteForce(BruteForceOptions{})
	a = nil
	for i, u := range users {
		a = append(a, run(d, s.ev(event.LoginFailed, time.Duration(i)*time.Second, "203.0.113.13", login(u, "x")))...)
	}
	scen := map[string]bool{}
	for _, x := range a {
		scen[x.Scenario] = true
	}
	if !scen["lure/ssh-bf"] || !scen["lure/ssh-bf_user-enum"] || len(a) != 2 {
		t.Fatalf("six distinct users in 6s overflow both buckets: %+v", a)
	}
	// The same user again and again pours only the plain bucket.
	d = NewBruteForce(BruteForceOptions{})
	a = nil
	for i := range 6 {
		a = append(a, run(d, s.ev(event.LoginFailed, time.Duration(i)*time.Second, "203.0.113.14", login("root", fmt.Sprint(i))))...)
	}
	if len(a) != 1 || a[0].Scenario != "lure/ssh-bf" {
		t.Fatalf("one user six times must overflow only the plain bucket: %+v", a)
	}
}

func TestBruteForceIgnoresOtherEventsAndBadSources(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{})
	var evs []event.Event
	for i := range 20 {
		evs = append(evs, s.ev(event.CommandInput, time.Duration(i), "203.0.113.15", map[string]any{"input": "ls"}))
		evs = append(evs, s.ev(event.LoginFailed, time.Duration(i), "not-an-ip", login("root", "x")))
	}
	if a := run(d, evs...); len(a) != 0 {
		t.Errorf("raised %v", a)
	}
}

func TestBruteForceTableIsBounded(t *testing.T) {
	var s seq
	d := NewBruteForce(BruteForceOptions{MaxKeys: 10})
	for i := range 50 {
		run(d, s.ev(event.LoginFailed, 0, fmt.Sprintf("203.0.113.%d", i), login("root", "x")))
	}
	if n := len(d.perIP.m); n > 10 {
		t.Fatalf("table holds %d sources, bound is 10", n)
	}
	if d.perIP.refused != 40 {
		t.Errorf("refused = %d, want 40 (buckets still full cannot be swept)", d.perIP.refused)
	}
	// Once they leaked, the sweep makes room.
	run(d, s.ev(event.LoginFailed, time.Minute, "198.51.100.99", login("root", "x")))
	if _, ok := d.perIP.m[netip.MustParseAddr("198.51.100.99")]; !ok {
		t.Error("a new source after the old buckets leaked was not tracked")
	}
}

func TestSprayNamesEverySource(t *testing.T) {
	var s seq
	d := NewSpray(SprayOptions{})
	var a []ips.Alert
	for i := range 5 {
		a = append(a, run(d, s.ev(event.LoginFailed, time.Duration(i)*10*time.Second, fmt.Sprintf("203.0.113.%d", 20+i), login(fmt.Sprint("u", i), "Winter2026!")))...)
	}
	// Repeats from a source already in the bucket pour nothing.
	for i := range 5 {
		a = append(a, run(d, s.ev(event.LoginFailed, 50*time.Second+time.Duration(i), "203.0.113.20", login("u0", "Winter2026!")))...)
	}
	// Other passwords from other sources do not mix in.
	a = append(a, run(d, s.ev(event.LoginFailed, 51*time.Second, "203.0.113.99", login("x", "other")))...)
	if len(a) != 0 {
		t.Fatalf("five sources of one password must not overflow (capacity 5): %+v", a)
	}
	a = run(d, s.ev(event.LoginFailed, 55*time.Second, "203.0.113.25", login("u5", "Winter2026!")))
	if len(a) != 6 {
		t.Fatalf("the sixth source overflows and every source gets an alert: %d alerts %+v", len(a), a)
	}
	for i, x := range a {
		if want := fmt.Sprintf("203.0.113.%d", 20+i); x.Source.String() != want || x.Scenario != "lure/ssh-spray" || len(x.Evidence) == 0 || !x.Handshake {
			t.Errorf("alert %d = %+v, want source %s with evidence", i, x, want)
		}
	}
	if len(a[0].Evidence) != 4 {
		t.Errorf("the first source tried 6 times; its evidence keeps %d ids, want the bound 4", len(a[0].Evidence))
	}
	// While active, a newcomer is named at once, only once.
	a = run(d, s.ev(event.LoginFailed, 60*time.Second, "198.51.100.30", login("root", "Winter2026!")),
		s.ev(event.LoginFailed, 61*time.Second, "198.51.100.30", login("root", "Winter2026!")))
	if len(a) != 1 || a[0].Source.String() != "198.51.100.30" {
		t.Errorf("newcomer during an active spray: %+v", a)
	}
}

func TestSpraySlowSourcesLeak(t *testing.T) {
	var s seq
	d := NewSpray(SprayOptions{})
	for i := range 30 {
		// One new source per minute leaks as fast as it pours.
		if a := run(d, s.ev(event.LoginFailed, time.Duration(i)*time.Minute, fmt.Sprintf("203.0.113.%d", i), login("root", "123456"))); len(a) != 0 {
			t.Fatalf("one source per minute raised %v", a)
		}
	}
}

func mustParseAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
