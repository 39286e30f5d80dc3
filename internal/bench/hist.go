package bench

import (
	"math"
	"math/bits"
	"sync"
	"time"
)

// The histogram keeps latencies in log-linear buckets instead of a slice of samples, so memory stays
// fixed however many operations a 10-minute run with 1000 connections completes. Values below
// histSub nanoseconds are exact; above, each power of two is split into histSub/2 buckets, so a
// reported percentile is at most 1/64 (1.6 %) above the true sample, never below it.
const (
	histSubBits = 7
	histSub     = 1 << histSubBits // 128
	histHalf    = histSub / 2
)

// histogram is a concurrency-safe latency histogram. Percentiles are reported as the upper edge of
// the bucket holding the ranked sample, clipped to the exact maximum, which keeps
// p50 <= p90 <= p99 <= max by construction.
type histogram struct {
	mu     sync.Mutex
	counts []uint64 // grown on demand; index from bucketOf
	n      uint64
	max    uint64
}

// bucketOf maps a value to its bucket index.
func bucketOf(v uint64) int {
	if v < histSub {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits // >= 1 for v >= histSub
	m := v >> uint(shift)                // in [histHalf, histSub)
	return histSub + (shift-1)*histHalf + int(m-histHalf)
}

// bucketUpper is the largest value that falls into bucket i.
func bucketUpper(i int) uint64 {
	if i < histSub {
		return uint64(i)
	}
	shift := (i-histSub)/histHalf + 1
	m := uint64((i-histSub)%histHalf + histHalf)
	return (m+1)<<uint(shift) - 1
}

func (h *histogram) record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	i := bucketOf(v)
	h.mu.Lock()
	defer h.mu.Unlock()
	if i >= len(h.counts) {
		grown := make([]uint64, i+1)
		copy(grown, h.counts)
		h.counts = grown
	}
	h.counts[i]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

func (h *histogram) count() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// quantile returns the value at rank ceil(q*n) (nearest-rank definition), or 0 with no samples.
func (h *histogram) quantile(q float64) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == 0 {
		return 0
	}
	// The small epsilon keeps 0.9*10 (9.000000000000002 in floating point) at rank 9.
	rank := uint64(math.Ceil(q*float64(h.n) - 1e-9))
	if rank < 1 {
		rank = 1
	}
	if rank > h.n {
		rank = h.n
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketUpper(i), h.max))
		}
	}
	return time.Duration(h.max)
}

func (h *histogram) maximum() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Duration(h.max)
}
