package bench

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(v uint64) {
		i := bucketOf(v)
		if up := bucketUpper(i); up < v {
			t.Fatalf("value %d in bucket %d whose upper edge is %d", v, i, up)
		}
		if i > 0 && bucketUpper(i-1) >= v {
			t.Fatalf("value %d in bucket %d but bucket %d already reaches %d", v, i, i-1, bucketUpper(i-1))
		}
		if v >= histSub {
			if rel := float64(bucketUpper(i)-v) / float64(v); rel > 1.0/histHalf {
				t.Fatalf("value %d: bucket upper %d is %.4f above", v, bucketUpper(i), rel)
			}
		} else if bucketUpper(i) != v {
			t.Fatalf("small value %d not exact", v)
		}
	}
	for v := uint64(0); v < 5000; v++ {
		check(v)
	}
	for range 100000 {
		check(r.Uint64() >> r.IntN(64))
	}
	check(math.MaxUint64)
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var h histogram
	var exact []time.Duration
	for range 20000 {
		d := time.Duration(r.ExpFloat64() * float64(2*time.Millisecond))
		h.record(d)
		exact = append(exact, d)
	}
	sort.Slice(exact, func(i, j int) bool { return exact[i] < exact[j] })
	for _, q := range []float64{0.5, 0.9, 0.99, 1} {
		want := exact[int(math.Ceil(q*float64(len(exact))))-1]
		got := h.quantile(q)
		if got < want || float64(got-want) > float64(want)/histHalf+1 {
			t.Errorf("q%v = %v, exact %v", q, got, want)
		}
	}
	if h.maximum() != exact[len(exact)-1] {
		t.Errorf("max %v, want %v", h.maximum(), exact[len(exact)-1])
	}
	if h.count() != uint64(len(exact)) {
		t.Errorf("count %d", h.count())
	}
}

func TestHistogramSmall(t *testing.T) {
	var h histogram
	if h.quantile(0.5) != 0 || h.maximum() != 0 {
		t.Error("empty histogram not zero")
	}
	for _, d := range []time.Duration{10, 20, 30, 40, 50, 60, 70, 80, 90, 100} {
		h.record(d)
	}
	// Nearest rank: p50 is the 5th sample, p90 the 9th, p99 the 10th.
	for q, want := range map[float64]time.Duration{0.5: 50, 0.9: 90, 0.99: 100, 0.1: 10} {
		if got := h.quantile(q); got != want {
			t.Errorf("q%v = %v, want %v", q, got, want)
		}
	}
	h.record(-5) // clock oddities count as zero, never panic
	if h.quantile(0) != 0 {
		t.Errorf("negative sample: q0 = %v", h.quantile(0))
	}
}
