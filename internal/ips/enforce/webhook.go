package enforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lure-sensor/lure/internal/ips"
)

// Webhook POSTs every decision (and every early removal) as JSON to one URL that the operator
// configured. Ban and Unban only queue: one worker sends, with retries and backoff, and a full
// queue drops (and counts) rather than slowing the decider.
type Webhook struct {
	url     string
	client  *http.Client
	retries int
	backoff time.Duration
	log     *slog.Logger
	queue   chan webhookMsg
	dropped atomic.Int64
	failed  atomic.Int64
	sent    atomic.Int64
	done    chan struct{}
	mu      sync.RWMutex // closed and the queue's closing
	closed  bool
}

// WebhookOptions configures the webhook.
type WebhookOptions struct {
	URL     string
	Queue   int           // decisions waiting (default 1024)
	Retries int           // attempts after the first
	Timeout time.Duration // per attempt (default 5s)
	Backoff time.Duration // before the first retry, doubling (default 1s)
	Logger  *slog.Logger
}

// WebhookPayload is the JSON body: the action and the decision in CrowdSec's field names, plus
// what lure knows about it.
type WebhookPayload struct {
	Action   string    `json:"action"` // "ban" or "unban"
	ID       int64     `json:"id"`
	Origin   string    `json:"origin"`
	Type     string    `json:"type"`
	Scope    string    `json:"scope"`
	Value    string    `json:"value"`
	Duration string    `json:"duration"`
	Scenario string    `json:"scenario"`
	Reason   string    `json:"reason"`
	Created  time.Time `json:"created"`
	Until    time.Time `json:"until"`
	Evidence []string  `json:"evidence"`
}

type webhookMsg struct {
	body  []byte
	value string
}

// NewWebhook starts the sender; Close stops it after the queue drains (or ctx of Close ends).
func NewWebhook(o WebhookOptions) *Webhook {
	if o.Queue <= 0 {
		o.Queue = 1024
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	w := &Webhook{url: o.URL, client: &http.Client{Timeout: o.Timeout}, retries: o.Retries, backoff: o.Backoff, log: o.Logger,
		queue: make(chan webhookMsg, o.Queue), done: make(chan struct{})}
	go w.run()
	return w
}

// Name implements ips.Enforcer.
func (w *Webhook) Name() string { return "webhook" }

// Ban implements ips.Enforcer.
func (w *Webhook) Ban(_ context.Context, d ips.Decision) error { return w.enqueue("ban", d) }

// Unban implements ips.Enforcer.
func (w *Webhook) Unban(_ context.Context, d ips.Decision) error { return w.enqueue("unban", d) }

func (w *Webhook) enqueue(action string, d ips.Decision) error {
	ev := d.Evidence
	if ev == nil {
		ev = []string{}
	}
	body, err := json.Marshal(WebhookPayload{Action: action, ID: d.ID, Origin: d.Origin, Type: d.Type, Scope: d.Scope, Value: d.Value,
		Duration: d.Duration.String(), Scenario: d.Scenario, Reason: d.Reason, Created: d.Created.UTC(), Until: d.Until.UTC(), Evidence: ev})
	if err != nil {
		return err
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return fmt.Errorf("webhook is closed; decision for %s not sent", d.Value)
	}
	select {
	case w.queue <- webhookMsg{body: body, value: d.Value}:
		return nil
	default:
		n := w.dropped.Add(1)
		return fmt.Errorf("webhook queue is full (ips.webhook.queue); decision for %s not sent (%d dropped so far)", d.Value, n)
	}
}

func (w *Webhook) run() {
	defer close(w.done)
	for m := range w.queue {
		var err error
		wait := w.backoff
		for attempt := 0; attempt <= w.retries; attempt++ {
			if attempt > 0 {
				time.Sleep(wait)
				wait *= 2
			}
			if err = w.post(m.body); err == nil {
				break
			}
		}
		if err != nil {
			w.failed.Add(1)
			w.log.Error("IPS webhook: giving up on a decision after retries", "url", w.url, "value", m.value, "attempts", w.retries+1, "err", err)
			continue
		}
		w.sent.Add(1)
	}
}

func (w *Webhook) post(body []byte) error {
	resp, err := w.client.Post(w.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}

// Stats returns the counters: sent, failed after retries, dropped on a full queue.
func (w *Webhook) Stats() (sent, failed, dropped int64) {
	return w.sent.Load(), w.failed.Load(), w.dropped.Load()
}

// Close stops accepting decisions and waits for the queue to drain until ctx ends.
func (w *Webhook) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("IPS webhook: %d decisions still queued at shutdown", len(w.queue))
	}
}
