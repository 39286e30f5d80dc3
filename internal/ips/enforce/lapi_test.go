package enforce

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
	"github.com/lure-sensor/lure/internal/store"
)

const key = "0123456789abcdef-bouncer"

type streamResp struct {
	New     []map[string]any `json:"new"`
	Deleted []map[string]any `json:"deleted"`
}

func newAPI(t *testing.T) (*store.SQLite, *httptest.Server, *LAPI) {
	t.Helper()
	s, err := store.OpenSQLite(filepath.Join(t.TempDir(), "lure.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	l := NewLAPI(LAPIOptions{Source: s, BouncerKeys: []string{key}, FeedKeys: []string{"feed-key-0123456789"}, Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(l.Handler())
	t.Cleanup(srv.Close)
	return s, srv, l
}

func add(t *testing.T, s *store.SQLite, scope, value string, created, until time.Duration) ips.Decision {
	t.Helper()
	now := time.Now()
	d := ips.Decision{Scope: scope, Value: value, Type: "ban", Origin: "lure", Scenario: "lure/ssh-bf", Duration: until - created, Created: now.Add(created), Until: now.Add(until)}
	if err := s.AddDecision(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func get(t *testing.T, method, url, apiKey string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if apiKey != "" {
		req.Header.Set("X-Api-Key", apiKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStreamStartupAndDeltas(t *testing.T) {
	s, srv, _ := newAPI(t)
	u := srv.URL + "/v1/decisions/stream"
	if code, _ := get(t, "GET", u+"?startup=true", ""); code != 403 {
		t.Errorf("no key: %d, want 403", code)
	}
	if code, _ := get(t, "GET", u+"?startup=true", "wrong-key-0123456789"); code != 403 {
		t.Errorf("wrong key: %d, want 403", code)
	}
	code, body := get(t, "GET", u+"?startup=true", key)
	if code != 200 || strings.TrimSpace(body) != `{"new":[],"deleted":[]}` {
		t.Errorf("empty startup: %d %s; want empty arrays, never null", code, body)
	}
	add(t, s, "Ip", "198.51.100.7", -time.Minute, 4*time.Hour)
	add(t, s, "Range", "203.0.113.0/24", -time.Minute, time.Hour)
	time.Sleep(10 * time.Millisecond)
	var r streamResp
	_, body = get(t, "GET", u+"?startup=true&scopes=ip,range", key)
	json.Unmarshal([]byte(body), &r)
	if len(r.New) != 2 || len(r.Deleted) != 0 {
		t.Fatalf("startup: %s", body)
	}
	d := r.New[0]
	for _, f := range []string{"id", "origin", "type", "scope", "value", "duration", "scenario", "until"} {
		if _, ok := d[f]; !ok {
			t.Errorf("decision lacks %q: %v", f, d)
		}
	}
	if dur, err := time.ParseDuration(d["duration"].(string)); err != nil || dur < 3*time.Hour+59*time.Minute || dur > 4*time.Hour || strings.Contains(d["duration"].(string), ".") {
		t.Errorf("duration %v (%v): want the time left in whole seconds, like 3h59m59s", d["duration"], err)
	}
	if d["scope"] != "Ip" || d["value"] != "198.51.100.7" || d["type"] != "ban" || d["origin"] != "lure" {
		t.Errorf("decision = %v", d)
	}
	// Only the Ip scope asked for: ranges are left out.
	_, body = get(t, "GET", u+"?startup=true&scopes=ip", key)
	r = streamResp{}
	json.Unmarshal([]byte(body), &r)
	if len(r.New) != 1 {
		t.Errorf("scopes=ip: %s", body)
	}

	// A delta: one new, one removed by hand, nothing repeated from before the overlap window.
	time.Sleep(2100 * time.Millisecond)
	add(t, s, "Ip", "2001:db8::9", 0, time.Hour)
	if _, err := s.RemoveDecisions(context.Background(), ips.DecisionQuery{Value: "203.0.113.0/24"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, "GET", u+"?startup=false", key)
	r = streamResp{}
	json.Unmarshal([]byte(body), &r)
	if len(r.New) != 1 || r.New[0]["value"] != "2001:db8::9" || len(r.Deleted) != 1 || r.Deleted[0]["value"] != "203.0.113.0/24" {
		t.Errorf("delta: %s; want new 2001:db8::9 and deleted 203.0.113.0/24", body)
	}
	// A value still banned by a longer decision is not deleted when a shorter one ends.
	add(t, s, "Ip", "192.0.2.50", -time.Hour, time.Millisecond)
	add(t, s, "Ip", "192.0.2.50", -time.Second, time.Hour)
	time.Sleep(20 * time.Millisecond)
	_, body = get(t, "GET", u, key)
	if strings.Contains(body[strings.Index(body, `"deleted"`):], "192.0.2.50") {
		t.Errorf("delta deleted a value still in force: %s", body)
	}
	if code, body := get(t, "HEAD", u, key); code != 200 || body != "" {
		t.Errorf("HEAD: %d %q", code, body)
	}
}

func TestDecisionsFiltersAndMetrics(t *testing.T) {
	s, srv, _ := newAPI(t)
	add(t, s, "Ip", "198.51.100.7", -time.Minute, time.Hour)
	add(t, s, "Range", "203.0.113.0/24", -time.Minute, time.Hour)
	add(t, s, "Ip", "198.51.100.8", -time.Hour, -time.Minute) // expired
	count := func(q string) int {
		t.Helper()
		code, body := get(t, "GET", srv.URL+"/v1/decisions"+q, key)
		if code != 200 {
			t.Fatalf("%s: %d %s", q, code, body)
		}
		var out []map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil || out == nil {
			t.Fatalf("%s: %q is not a JSON array", q, body)
		}
		return len(out)
	}
	for q, want := range map[string]int{
		"":                                   2,
		"?ip=198.51.100.7":                   1,
		"?ip=198.51.100.8":                   0,
		"?ip=203.0.113.77":                   1, // inside the banned range
		"?range=203.0.113.0/25":              1, // contained in it
		"?range=203.0.0.0/16&contains=false": 1,
		"?scope=range":                       1,
		"?scope=ip&value=198.51.100.7":       1,
		"?type=captcha":                      0,
		"?origins=cli":                       0,
		"?scenarios_containing=ssh":          2,
		"?scenarios_not_containing=ssh-bf":   0,
	} {
		if got := count(q); got != want {
			t.Errorf("GET /v1/decisions%s: %d decisions, want %d", q, got, want)
		}
	}
	if code, _ := get(t, "GET", srv.URL+"/v1/decisions?ip=nonsense", key); code != 400 {
		t.Errorf("a bad ip filter: %d, want 400", code)
	}
	if code, _ := get(t, "HEAD", srv.URL+"/v1/decisions", ""); code != 403 {
		t.Errorf("HEAD without key: %d, want 403", code)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/v1/usage-metrics", strings.NewReader(`{"remediation_components":[]}`))
	req.Header.Set("X-Api-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Errorf("usage metrics: %v %v, want 201", resp.StatusCode, err)
	}
}

func TestFeed(t *testing.T) {
	s, srv, _ := newAPI(t)
	add(t, s, "Ip", "198.51.100.7", -time.Minute, time.Hour)
	add(t, s, "Range", "203.0.113.0/24", -time.Minute, time.Hour)
	if code, _ := get(t, "GET", srv.URL+"/v1/feed/blocklist.txt", ""); code != 403 {
		t.Errorf("feed without key: %d", code)
	}
	if code, _ := get(t, "GET", srv.URL+"/v1/feed/blocklist.txt?key="+key, ""); code != 403 {
		t.Errorf("feed with a bouncer key (not a feed key): %d, want 403", code)
	}
	code, body := get(t, "GET", srv.URL+"/v1/feed/blocklist.txt?key=feed-key-0123456789", "")
	if code != 200 || body != "198.51.100.7\n203.0.113.0/24\n" {
		t.Errorf("text feed: %d %q", code, body)
	}
	code, body = get(t, "GET", srv.URL+"/v1/feed/blocklist.json", "feed-key-0123456789")
	var items []map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &items) != nil || len(items) != 2 || items[1]["value"] != "203.0.113.0/24" {
		t.Errorf("JSON feed: %d %s", code, body)
	}
}
