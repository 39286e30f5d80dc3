package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"time"

	"github.com/lure-sensor/lure/internal/event"
	"github.com/lure-sensor/lure/internal/llm"
)

// serveMetrics answers GET /metrics on addr in Prometheus' text format (the responder's
// counters and the event sinks' counters) until ctx ends. It returns once listening.
func serveMetrics(ctx context.Context, addr string, m *llm.Metrics, bus *event.Bus, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics.listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if err := m.WritePrometheus(w); err != nil {
			return
		}
		stats := bus.Stats()
		names := make([]string, 0, len(stats))
		for n := range stats {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, f := range []struct {
			name, help string
			v          func(event.SinkStats) int64
		}{
			{"lure_events_written_total", "Events handed to a sink.", func(s event.SinkStats) int64 { return s.Written }},
			{"lure_events_dropped_total", "Events a slow sink lost because its queue was full.", func(s event.SinkStats) int64 { return s.Dropped }},
			{"lure_events_failed_total", "Events in batches a sink failed to write.", func(s event.SinkStats) int64 { return s.Failed }},
		} {
			fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", f.name, f.help, f.name)
			for _, n := range names {
				fmt.Fprintf(w, "%s{sink=%q} %d\n", f.name, n, f.v(stats[n]))
			}
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint stopped", "listen", addr, "err", err)
		}
	}()
	context.AfterFunc(ctx, func() { srv.Close() })
	log.Info("metrics endpoint on", "listen", addr, "path", "/metrics")
	return nil
}
