package event

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Sink consumes events in batches, in its own goroutine. A slow sink only fills its own queue.
type Sink interface {
	// Name identifies the sink in logs and counters ("json", "sqlite", "ips").
	Name() string
	// Write stores or forwards one batch. An error is logged and counted; the batch is not retried.
	Write(ctx context.Context, batch []Event) error
	// Close flushes and releases the sink.
	Close() error
}

// SinkStats are the counters of one sink: nothing is dropped without being counted.
type SinkStats struct {
	Queued  int   // events waiting now
	Written int64 // events handed to Write without error
	Failed  int64 // events in batches whose Write returned an error
	Dropped int64 // events dropped because the queue was full
}

// Bus fans events out to sinks through one bounded queue per sink. Emit never blocks.
type Bus struct {
	ids    *idSource
	log    *slog.Logger
	mu     sync.RWMutex
	sinks  []*sinkQueue
	closed bool
	wg     sync.WaitGroup
}

type sinkQueue struct {
	sink    Sink
	ch      chan Event
	written atomic.Int64
	failed  atomic.Int64
	dropped atomic.Int64
}

// DefaultQueue is the per-sink queue length when Add is given 0.
const DefaultQueue = 8192

// maxBatch bounds one Write call.
const maxBatch = 256

// NewBus returns a bus with no sinks.
func NewBus(log *slog.Logger) *Bus {
	if log == nil {
		log = slog.Default()
	}
	return &Bus{log: log, ids: newIDSource()}
}

// Add attaches a sink with a queue of the given length (0: DefaultQueue) and starts its writer.
func (b *Bus) Add(s Sink, queue int) {
	if queue <= 0 {
		queue = DefaultQueue
	}
	q := &sinkQueue{sink: s, ch: make(chan Event, queue)}
	b.mu.Lock()
	b.sinks = append(b.sinks, q)
	b.mu.Unlock()
	b.wg.Add(1)
	go b.run(q)
}

// Emit hands e to every sink without blocking; a sink whose queue is full loses e and counts it.
// A zero Time is set to now.
func (b *Bus) Emit(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.ID == "" {
		e.ID = b.ids.next()
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return
	}
	for _, q := range b.sinks {
		select {
		case q.ch <- e:
		default:
			if n := q.dropped.Add(1); n&(n-1) == 0 { // log at 1, 2, 4, 8, ... drops
				b.log.Warn("event sink is too slow; dropping events", "sink", q.sink.Name(), "dropped_total", n)
			}
		}
	}
}

func (b *Bus) run(q *sinkQueue) {
	defer b.wg.Done()
	batch := make([]Event, 0, maxBatch)
	for e := range q.ch {
		batch = append(batch[:0], e)
	fill:
		for len(batch) < maxBatch {
			select {
			case e, ok := <-q.ch:
				if !ok {
					break fill
				}
				batch = append(batch, e)
			default:
				break fill
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := q.sink.Write(ctx, batch)
		cancel()
		if err != nil {
			q.failed.Add(int64(len(batch)))
			b.log.Error("event sink failed to write a batch; those events are lost for this sink", "sink", q.sink.Name(), "events", len(batch), "err", err)
			continue
		}
		q.written.Add(int64(len(batch)))
	}
}

// Stats returns the counters of every sink by name.
func (b *Bus) Stats() map[string]SinkStats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make(map[string]SinkStats, len(b.sinks))
	for _, q := range b.sinks {
		out[q.sink.Name()] = SinkStats{Queued: len(q.ch), Written: q.written.Load(), Failed: q.failed.Load(), Dropped: q.dropped.Load()}
	}
	return out
}

// Close stops accepting events, drains every queue into its sink, then closes the sinks.
// It gives up waiting when ctx ends.
func (b *Bus) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	for _, q := range b.sinks {
		close(q.ch)
	}
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return errors.New("event bus: sinks did not drain before shutdown deadline; some events may be lost")
	}
	var errs []error
	for _, q := range b.sinks {
		if err := q.sink.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
