package event

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type memSink struct {
	mu     sync.Mutex
	got    []Event
	block  chan struct{} // Write waits on it when non-nil
	closed bool
}

func (m *memSink) Name() string { return "mem" }
func (m *memSink) Write(_ context.Context, b []Event) error {
	if m.block != nil {
		<-m.block
	}
	m.mu.Lock()
	m.got = append(m.got, b...)
	m.mu.Unlock()
	return nil
}
func (m *memSink) Close() error { m.closed = true; return nil }

func TestEventJSONHasCowrieShape(t *testing.T) {
	e := Event{EventID: LoginFailed, Time: time.Date(2026, 11, 26, 5, 35, 28, 123456789, time.FixedZone("x", 3600)),
		Session: "a1b2c3d4e5f6", SrcIP: "198.51.100.7", SrcPort: 40122, DstIP: "10.0.0.5", DstPort: 22,
		Sensor: "s1", Protocol: "ssh", Message: "login attempt [root/123456] failed",
		Fields: map[string]any{"username": "root", "password": "123456"}}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"eventid": LoginFailed, "timestamp": "2026-11-26T04:35:28.123456Z", "session": "a1b2c3d4e5f6",
		"src_ip": "198.51.100.7", "src_port": 40122.0, "dst_ip": "10.0.0.5", "dst_port": 22.0, "sensor": "s1",
		"protocol": "ssh", "message": "login attempt [root/123456] failed", "username": "root", "password": "123456"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if len(m) != len(want) {
		t.Errorf("unexpected keys: %v", m)
	}
}

func TestSlowSinkNeverBlocksAndDropsAreCounted(t *testing.T) {
	bus := NewBus(nil)
	slow := &memSink{block: make(chan struct{})}
	fast := &memSink{}
	bus.Add(slow, 4)
	bus.Add(fast, 1000)
	done := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			bus.Emit(Event{EventID: CommandInput})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Emit blocked on a slow sink")
	}
	close(slow.block)
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(fast.got) != 100 {
		t.Errorf("fast sink got %d of 100", len(fast.got))
	}
	// The slow sink holds at most its queue plus the batch in flight; the rest are counted drops.
	var slowStats SinkStats
	for _, q := range bus.sinks {
		if q.sink == slow {
			slowStats = SinkStats{Written: q.written.Load(), Dropped: q.dropped.Load()}
		}
	}
	if slowStats.Dropped == 0 || slowStats.Written+slowStats.Dropped != 100 {
		t.Errorf("slow sink: written %d + dropped %d != 100", slowStats.Written, slowStats.Dropped)
	}
	if !slow.closed || !fast.closed {
		t.Error("Close must close the sinks")
	}
}

func TestJSONLogAppendsLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log", "lure.json")
	for round := 0; round < 2; round++ {
		j, err := OpenJSONLog(p)
		if err != nil {
			t.Fatal(err)
		}
		bus := NewBus(nil)
		bus.Add(j, 0)
		bus.Emit(Event{EventID: SessionConnect, Session: "s", Fields: map[string]any{"n": round}})
		bus.Emit(Event{EventID: SessionClosed, Session: "s"})
		if err := bus.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		ids = append(ids, m["eventid"].(string))
		if ts, _ := m["timestamp"].(string); len(ts) != len("2026-11-26T05:35:28.000000Z") {
			t.Errorf("timestamp %q is not RFC 3339 with microseconds", ts)
		}
	}
	want := []string{SessionConnect, SessionClosed, SessionConnect, SessionClosed}
	if len(ids) != len(want) {
		t.Fatalf("got %v", ids)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("order: got %v", ids)
		}
	}
}

func BenchmarkEmit(b *testing.B) {
	bus := NewBus(nil)
	bus.Add(&memSink{}, 1<<16)
	e := Event{EventID: CommandInput, Fields: map[string]any{"input": "uname -a"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bus.Emit(e)
	}
	b.StopTimer()
	bus.Close(context.Background())
}

func TestFieldsOverrideCommonFieldsAsCowrie(t *testing.T) {
	e := Event{EventID: DirectTCPIPRequest, SrcIP: "198.51.100.7", DstIP: "10.0.0.5", DstPort: 22,
		Fields: map[string]any{"dst_ip": "192.0.2.80", "dst_port": 443}}
	b, _ := json.Marshal(e)
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["dst_ip"] != "192.0.2.80" || m["dst_port"] != 443.0 || m["src_ip"] != "198.51.100.7" {
		t.Fatalf("got %v", m)
	}
}

func TestBusGivesEveryEventAUniqueID(t *testing.T) {
	bus := NewBus(nil)
	m := &memSink{}
	bus.Add(m, 0)
	for i := 0; i < 100; i++ {
		bus.Emit(Event{EventID: SessionConnect})
	}
	bus.Emit(Event{ID: "given", EventID: SessionConnect})
	if err := bus.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range m.got {
		if e.ID == "" || seen[e.ID] {
			t.Fatalf("event id %q empty or repeated", e.ID)
		}
		seen[e.ID] = true
	}
	if len(seen) != 101 || !seen["given"] {
		t.Fatalf("want 101 ids including the given one, got %d", len(seen))
	}
}
