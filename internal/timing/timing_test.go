package timing

import (
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
)

func TestBucket(t *testing.T) {
	b := executor.HistogramBounds
	for i, bound := range b {
		if got := bucket(bound); got != i {
			t.Errorf("bucket(%v) = %d; want %d", bound, got, i)
		}
		if got := bucket(bound + 1); got != i+1 {
			t.Errorf("bucket(%v+1ns) = %d; want %d", bound, got, i+1)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{-1, 0}, {0, 0}, {1, 0}, {1500 * time.Nanosecond, 1}, {time.Hour, len(b)}, {1<<63 - 1, len(b)}} {
		if got := bucket(c.d); got != c.want {
			t.Errorf("bucket(%v) = %d; want %d", c.d, got, c.want)
		}
	}
}

func TestFuncs(t *testing.T) {
	var f Funcs
	f.Get("a").Run.Add(3 * time.Millisecond)
	f.Get("a").QueueWait.AddOwned(time.Microsecond, 1)
	f.Get("b").Run.AddOwned(time.Second, 1)
	f.Get("b").QueueWait.AddOwned(2*time.Microsecond, 8) // a sample standing for 8
	var s executor.Stats
	f.AddTo(&s)
	Totals(&s)
	if s.Run.Count != 2 || s.Run.Sum != time.Second+3*time.Millisecond || s.QueueWait.Count != 9 || s.QueueWait.Sum != 17*time.Microsecond {
		t.Errorf("totals = %+v, %+v; want 2 runs of 1.003s, 9 waits of 17µs", s.Run, s.QueueWait)
	}
	if b := s.PerFunc["b"].QueueWait; b.Counts[1] != 8 {
		t.Errorf(`PerFunc["b"].QueueWait = %+v; want 8 counts in the 2µs bucket`, b)
	}
	if a := s.PerFunc["a"].Run; a.Count != 1 || a.Counts[11] != 1 {
		t.Errorf(`PerFunc["a"].Run = %+v; want one count in the 5ms bucket`, a)
	}
}

func TestNowMonotonic(t *testing.T) {
	a := Now()
	b := Now()
	if a <= 0 || b < a {
		t.Errorf("Now() = %d then %d; want positive and not decreasing", a, b)
	}
}
