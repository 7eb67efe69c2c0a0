package executor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
)

func TestHistogram(t *testing.T) {
	var h executor.Histogram
	if q := h.Quantile(0.5); q != 0 || h.Mean() != 0 {
		t.Errorf("empty: Quantile(0.5) = %v, Mean() = %v; want 0, 0", q, h.Mean())
	}
	var o executor.Histogram
	o.Counts[9] = 4 // (500µs, 1ms]
	o.Counts[len(o.Counts)-1] = 1
	o.Count, o.Sum = 5, 4*time.Millisecond+200*time.Second
	h.Merge(o)
	h.Merge(o)
	if h.Count != 10 || h.Counts[9] != 8 {
		t.Errorf("Merge twice: Count %d, Counts[9] %d; want 10, 8", h.Count, h.Counts[9])
	}
	if q := h.Quantile(0.4); q <= 500*time.Microsecond || q > time.Millisecond {
		t.Errorf("Quantile(0.4) = %v; want in (500µs, 1ms]", q)
	}
	if q := h.Quantile(1); q != 100*time.Second {
		t.Errorf("Quantile(1) = %v; want the last bound, 100s", q)
	}
	if m := h.Mean(); m != (8*time.Millisecond+400*time.Second)/10 {
		t.Errorf("Mean() = %v", m)
	}
}

func ExampleHistogram() {
	var h executor.Histogram           // as in Stats.Run
	h.Counts[3], h.Counts[12] = 90, 10 // 90 tasks of 5-10µs, 10 of 5-10ms
	h.Count, h.Sum = 100, 90*7*time.Microsecond+10*8*time.Millisecond
	fmt.Println(h.Quantile(0.5), h.Quantile(0.99), h.Mean())
	// Output: 7.777µs 9.5ms 806.3µs
}
