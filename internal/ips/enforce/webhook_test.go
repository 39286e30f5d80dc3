package enforce

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
)

func TestWebhookRetriesAndQueue(t *testing.T) {
	var mu sync.Mutex
	var got []WebhookPayload
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 { // the first attempt fails: the retry must deliver
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var p WebhookPayload
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &p) != nil {
			t.Errorf("webhook body %q (%s) is not JSON", b, r.Header.Get("Content-Type"))
		}
		got = append(got, p)
	}))
	defer srv.Close()
	w := NewWebhook(WebhookOptions{URL: srv.URL, Retries: 2, Backoff: 10 * time.Millisecond, Queue: 4, Logger: slog.New(slog.DiscardHandler)})
	now := time.Now()
	d := ips.Decision{ID: 7, Scope: "Ip", Value: "198.51.100.7", Type: "ban", Origin: "lure", Scenario: "lure/ssh-bf", Duration: time.Hour, Created: now, Until: now.Add(time.Hour), Evidence: []string{"e1"}}
	if err := w.Ban(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if err := w.Unban(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].Action != "ban" || got[0].Value != "198.51.100.7" || got[0].Duration != "1h0m0s" || len(got[0].Evidence) != 1 || got[1].Action != "unban" {
		t.Errorf("webhook received %+v", got)
	}
	if sent, failed, dropped := w.Stats(); sent != 2 || failed != 0 || dropped != 0 {
		t.Errorf("stats: sent %d failed %d dropped %d", sent, failed, dropped)
	}
	if err := w.Ban(context.Background(), d); err == nil {
		t.Error("Ban after Close was accepted")
	}
}

func TestWebhookBoundedQueue(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	w := NewWebhook(WebhookOptions{URL: srv.URL, Queue: 2, Timeout: 10 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	d := ips.Decision{Scope: "Ip", Value: "198.51.100.7"}
	errs := 0
	for range 10 {
		if w.Ban(context.Background(), d) != nil {
			errs++
		}
	}
	// One in flight, two queued: the other seven are dropped and counted, none blocks.
	if _, _, dropped := w.Stats(); dropped < 7 || int(dropped) != errs {
		t.Errorf("dropped %d (errors %d), want at least 7 with a queue of 2", dropped, errs)
	}
}
