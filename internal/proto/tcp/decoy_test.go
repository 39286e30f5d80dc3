package tcp

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/event"
)

type sink struct {
	mu  sync.Mutex
	evs []event.Event
}

func (s *sink) Emit(e event.Event) { s.mu.Lock(); s.evs = append(s.evs, e); s.mu.Unlock() }
func (s *sink) all() []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event.Event(nil), s.evs...)
}

func TestDecoysAcceptCloseAndEmit(t *testing.T) {
	var got sink
	ctx, cancel := context.WithCancel(context.Background())
	d, err := Listen(ctx, Options{Listen: []string{"127.0.0.1:0", "127.0.0.1:0", "256.0.0.1:1"}, Sensor: "s1", Events: &got, Logger: slog.New(slog.DiscardHandler), PerSourceRate: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Addrs()) != 2 {
		t.Fatalf("want the two good addresses bound and the bad one skipped, got %v", d.Addrs())
	}
	done := make(chan struct{})
	go func() { d.Serve(ctx); close(done) }()
	for _, a := range d.Addrs() {
		c, err := net.DialTimeout("tcp", a.String(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// The decoy closes at once and sends nothing.
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("read from a decoy: %d, %v; want EOF", n, err)
		}
		c.Close()
	}
	waitFor(t, func() bool { return len(got.all()) == 2 })
	for i, e := range got.all() {
		_, port, _ := net.SplitHostPort(d.Addrs()[i].String())
		if e.EventID != event.TCPConnect || e.SrcIP != "127.0.0.1" || e.DstIP != "127.0.0.1" || e.Protocol != "tcp" || e.Sensor != "s1" || e.Session == "" || e.DstPort == 0 || port == "" {
			t.Errorf("event %+v", e)
		}
	}
	// The per-source bound: 10 fast connections give at most 3 more events this second.
	for range 10 {
		if c, err := net.Dial("tcp", d.Addrs()[0].String()); err == nil {
			c.Close()
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(got.all()); n > 2+3+3 { // the second may roll over once
		t.Errorf("%d events after 10 fast connections; the bound is 3 per second", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := net.DialTimeout("tcp", d.Addrs()[0].String(), time.Second); err == nil {
		t.Error("decoy still listening after Serve returned")
	}
}

func TestListenFailsWhenNothingBinds(t *testing.T) {
	_, err := Listen(context.Background(), Options{Listen: []string{"256.0.0.1:1"}, Events: &sink{}, Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		t.Error("no address bound but no error")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
