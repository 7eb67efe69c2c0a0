// Package timing records the queue-wait and run-time distributions of a pool's tasks into
// the histograms of [executor.Stats], cheaply enough to stay on: one read of the
// monotonic clock per timestamp, and no allocation or lock per task.
package timing

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/executor"
)

var epoch = time.Now()

// Now is a timestamp: nanoseconds on the monotonic clock since the process started,
// never 0. It costs one read of the clock.
func Now() int64 { return int64(time.Since(epoch)) + 1 }

// Hist is a live [executor.Histogram].
type Hist struct {
	counts [executor.HistogramBuckets]atomic.Uint64
	sum    atomic.Int64
}

// Add records d; any goroutine may call it.
func (h *Hist) Add(d time.Duration) {
	h.counts[bucket(d)].Add(1)
	h.sum.Add(int64(d))
}

// AddOwned records d, standing for n durations like it (a sample of one in n), when only
// one goroutine ever records into h: it stores without a locked instruction, while
// AddTo may still read it from any goroutine.
func (h *Hist) AddOwned(d time.Duration, n uint32) {
	c := &h.counts[bucket(d)]
	c.Store(c.Load() + uint64(n))
	h.sum.Store(h.sum.Load() + int64(d)*int64(n))
}

// AddTo adds h's durations to dst.
func (h *Hist) AddTo(dst *executor.Histogram) {
	for i := range h.counts {
		n := h.counts[i].Load()
		dst.Counts[i] += n
		dst.Count += n
	}
	dst.Sum += time.Duration(h.sum.Load())
}

// bucket returns the index in executor.Histogram.Counts of d.
func bucket(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	i := int(first[bits.Len64(uint64(d))])
	for i < len(executor.HistogramBounds) && d > executor.HistogramBounds[i] {
		i++
	}
	return i
}

// first[n] is the first bucket that a duration of n significant bits can fall in.
var first = func() (t [65]uint8) {
	for n := 1; n < 65; n++ {
		low := time.Duration(1) << (n - 1) // the smallest duration of n bits
		if n == 64 {
			low = 1<<63 - 1
		}
		i := 0
		for i < len(executor.HistogramBounds) && low > executor.HistogramBounds[i] {
			i++
		}
		t[n] = uint8(i)
	}
	return t
}()

// Func holds one function's distributions.
type Func struct {
	Name           string
	QueueWait, Run Hist
}

// Funcs holds the distributions of each function, created on first use. A recorder keeps
// the *Func of the function it saw last, so that Get's lock is taken when the function
// changes, not per task.
type Funcs struct {
	mu sync.Mutex
	m  map[string]*Func
}

// Get returns the distributions of fn.
func (f *Funcs) Get(fn string) *Func {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.m[fn]
	if h == nil {
		if f.m == nil {
			f.m = map[string]*Func{}
		}
		h = &Func{Name: fn}
		f.m[fn] = h
	}
	return h
}

// AddTo adds the distributions to s: per function, and to the pool's totals.
func (f *Funcs) AddTo(s *executor.Stats) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, h := range f.m {
		if s.PerFunc == nil {
			s.PerFunc = map[string]executor.FuncStats{}
		}
		fs := s.PerFunc[name]
		h.QueueWait.AddTo(&fs.QueueWait)
		h.Run.AddTo(&fs.Run)
		s.PerFunc[name] = fs
	}
}

// Totals sets s.QueueWait and s.Run to the sums of s.PerFunc.
func Totals(s *executor.Stats) {
	s.QueueWait, s.Run = executor.Histogram{}, executor.Histogram{}
	for _, fs := range s.PerFunc {
		s.QueueWait.Merge(fs.QueueWait)
		s.Run.Merge(fs.Run)
	}
}

// addFrom adds o's durations to h with atomic adds.
func (h *Hist) addFrom(o *Hist) {
	for i := range o.counts {
		if n := o.counts[i].Load(); n != 0 {
			h.counts[i].Add(n)
		}
	}
	h.sum.Add(o.sum.Load())
}

// Absorb adds the distributions of o to f: those of a worker that is gone.
func (f *Funcs) Absorb(o *Funcs) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for name, h := range o.m {
		mine := f.Get(name)
		mine.QueueWait.addFrom(&h.QueueWait)
		mine.Run.addFrom(&h.Run)
	}
}
