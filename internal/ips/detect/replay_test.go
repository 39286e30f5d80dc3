package detect

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/config"
	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/ips"
)

// uqoSession is one row of the UQO ml_ids session files: connection, authentication and timing
// features of one Cowrie session (no commands, no user names or passwords).
type uqoSession struct {
	id         string
	start, end time.Time
	src        string
	dstPort    int
	proto      string
	failed     int
	success    bool
	avgGap     time.Duration
}

func readUQO(path string) ([]uqoSession, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"session_id", "start_time", "end_time", "src_ip", "dst_port", "protocol", "login_success", "login_failed", "avg_time_between_failed"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: no column %s", path, c)
		}
	}
	var out []uqoSession
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		s := uqoSession{id: rec[col["session_id"]], src: rec[col["src_ip"]], proto: rec[col["protocol"]]}
		if s.start, err = time.Parse(time.RFC3339Nano, rec[col["start_time"]]); err != nil {
			continue // a few rows have no times
		}
		if s.end, err = time.Parse(time.RFC3339Nano, rec[col["end_time"]]); err != nil {
			s.end = s.start
		}
		s.dstPort, _ = strconv.Atoi(rec[col["dst_port"]])
		s.failed, _ = strconv.Atoi(rec[col["login_failed"]])
		s.success = rec[col["login_success"]] == "1"
		gap, _ := strconv.ParseFloat(rec[col["avg_time_between_failed"]], 64)
		s.avgGap = time.Duration(gap * float64(time.Second))
		out = append(out, s)
	}
	return out, nil
}

// events turns sessions into the events lure would emit for them, in time order: connect,
// the failed logins (avg_time_between_failed apart, or spread over the session when the
// dataset gives no gap), the successful login, close. User names and passwords are not in
// the data: every attempt tries root with a password of its own, so user enumeration and
// spraying cannot fire on this replay (their rates here are not measured, only their absence
// of false alarms).
func events(ss []uqoSession) []event.Event {
	var out []event.Event
	for _, s := range ss {
		n := 0
		add := func(id string, at time.Time, f map[string]any) {
			n++
			out = append(out, event.Event{ID: fmt.Sprintf("%s-%d", s.id, n), EventID: id, Time: at, Session: s.id, SrcIP: s.src,
				DstIP: "192.0.2.1", DstPort: s.dstPort, Protocol: s.proto, Fields: f})
		}
		add(event.SessionConnect, s.start, nil)
		dur := s.end.Sub(s.start)
		gap := s.avgGap
		if gap <= 0 && s.failed > 0 {
			gap = dur / time.Duration(s.failed+1)
		}
		at := s.start
		for i := range s.failed {
			at = at.Add(gap)
			add(event.LoginFailed, at, map[string]any{"username": "root", "password": fmt.Sprintf("%s-%d", s.id, i)})
		}
		if s.success {
			add(event.LoginSuccess, at.Add(gap/2+time.Millisecond), map[string]any{"username": "root", "password": "right"})
		}
		add(event.SessionClosed, s.end, nil)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

type replayResult struct {
	sessions, sources  int
	alertedSources     map[string]map[string]bool // detector -> sources
	anySource          map[string]bool
	sessionsCovered    int // sessions whose source had an alert by the session's end
	alerts             map[string]int
	firstAlert         map[string]time.Time
	events             int
	sessionsBySource   map[string][]uqoSession
	sessionsAfterAlert int
}

// replay runs the default detectors over the sessions.
func replay(t *testing.T, ss []uqoSession) replayResult {
	t.Helper()
	ds, err := New(config.Default().IPS.Detect, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	res := replayResult{sessions: len(ss), alertedSources: map[string]map[string]bool{}, anySource: map[string]bool{}, alerts: map[string]int{},
		firstAlert: map[string]time.Time{}, sessionsBySource: map[string][]uqoSession{}}
	for _, s := range ss {
		res.sessionsBySource[s.src] = append(res.sessionsBySource[s.src], s)
	}
	res.sources = len(res.sessionsBySource)
	evs := events(ss)
	res.events = len(evs)
	for _, e := range evs {
		for _, d := range ds {
			d.Observe(e, func(a ips.Alert) {
				src := a.Source.String()
				if res.alertedSources[a.Detector] == nil {
					res.alertedSources[a.Detector] = map[string]bool{}
				}
				res.alertedSources[a.Detector][src] = true
				res.anySource[src] = true
				res.alerts[a.Detector]++
				if _, ok := res.firstAlert[src]; !ok {
					res.firstAlert[src] = a.Time
				}
			})
		}
	}
	for _, s := range ss {
		if at, ok := res.firstAlert[s.src]; ok && !at.After(s.end) {
			res.sessionsCovered++
			if at.Before(s.start) {
				res.sessionsAfterAlert++
			}
		}
	}
	return res
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// uqoDir is where the full dataset is, if anywhere.
func uqoDir() string {
	if d := os.Getenv("LURE_UQO_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared", "data", "uqo-ml-ids")
}

// TestReplayUQO replays real Cowrie sessions and sessions labelled legitimate through the
// default detectors. On the legitimate ones every alert is a false positive; on the Cowrie
// ones it reports how many attacking sources and sessions the detectors catch from login
// behaviour alone. The committed samples always run; the full files run when present.
func TestReplayUQO(t *testing.T) {
	sets := []struct{ name, legit, attack string }{
		{"sample (1,000 rows each, committed)", "testdata/uqo_legitimate_sample.csv", "testdata/uqo_cowrie_sample.csv"},
	}
	full := uqoDir()
	if _, err := os.Stat(filepath.Join(full, "ssh_legitimate_20k.csv")); err == nil {
		sets = append(sets, struct{ name, legit, attack string }{"full (20,000 rows each)", filepath.Join(full, "ssh_legitimate_20k.csv"), filepath.Join(full, "cowrie_sessions_20k.csv")})
	} else {
		t.Logf("the full UQO files are not in %s (set LURE_UQO_DIR): replaying the committed samples only", full)
	}
	for _, set := range sets {
		legit, err := readUQO(set.legit)
		if err != nil {
			t.Fatal(err)
		}
		attack, err := readUQO(set.attack)
		if err != nil {
			t.Fatal(err)
		}
		l := replay(t, legit)
		a := replay(t, attack)
		t.Logf("%s: legitimate: %d sessions from %d sources, %d events; alerted sources: %d (%.3f%%)", set.name, l.sessions, l.sources, l.events, len(l.anySource), pct(len(l.anySource), l.sources))
		for _, d := range []string{"bruteforce", "spray", "portscan", "signature"} {
			t.Logf("  %-10s false positives: %d sources of %d (%.3f%%), %d alerts", d, len(l.alertedSources[d]), l.sources, pct(len(l.alertedSources[d]), l.sources), l.alerts[d])
		}
		t.Logf("%s: Cowrie (attacks): %d sessions from %d sources, %d events; alerted sources: %d (%.1f%%); sessions from a source alerted by the session's end: %d (%.1f%%), of which %d began after the alert (a ban would have refused them)",
			set.name, a.sessions, a.sources, a.events, len(a.anySource), pct(len(a.anySource), a.sources), a.sessionsCovered, pct(a.sessionsCovered, a.sessions), a.sessionsAfterAlert)
		var some, many int
		for _, ss := range a.sessionsBySource {
			n := 0
			for _, s := range ss {
				n += s.failed
			}
			if n > 0 {
				some++
			}
			if n > 5 {
				many++
			}
		}
		t.Logf("  for scale: %d sources failed a login at all, %d failed more than 5 times over the whole capture (at any pace)", some, many)
		for _, d := range []string{"bruteforce", "spray", "portscan", "signature"} {
			t.Logf("  %-10s detected sources: %d of %d (%.1f%%), %d alerts", d, len(a.alertedSources[d]), a.sources, pct(len(a.alertedSources[d]), a.sources), a.alerts[d])
		}
		// A honeypot's detections must be nearly free of false positives: at most 0.1%.
		if pct(len(l.anySource), l.sources) > 0.1 {
			t.Errorf("%s: %.3f%% of legitimate sources alerted; want at most 0.1%%", set.name, pct(len(l.anySource), l.sources))
		}
		if len(a.anySource) == 0 {
			t.Errorf("%s: no attacking source detected at all", set.name)
		}
	}
}
