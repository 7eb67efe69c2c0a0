package executor

import "time"

// HistogramBounds are the upper bounds of a [Histogram]'s buckets, in the 1-2-5 series
// from 1µs to 100s: a bucket counts the durations over the bound before it and up to its
// own. The last bucket of Counts, past the last bound, counts what took longer.
var HistogramBounds = [HistogramBuckets - 1]time.Duration{
	1 * time.Microsecond, 2 * time.Microsecond, 5 * time.Microsecond,
	10 * time.Microsecond, 20 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 200 * time.Microsecond, 500 * time.Microsecond,
	1 * time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	1 * time.Second, 2 * time.Second, 5 * time.Second,
	10 * time.Second, 20 * time.Second, 50 * time.Second,
	100 * time.Second,
}

// HistogramBuckets is the number of buckets of a [Histogram]: one per bound of
// [HistogramBounds], and one for the durations over the last.
const HistogramBuckets = 26

// Histogram is a distribution of durations in the fixed buckets of [HistogramBounds]: how
// long tasks waited in the queue, or ran, as [Stats] reports them. Its zero value is an
// empty histogram. Backends fill it at a cost of a few nanoseconds a task; the buckets
// are coarse (a factor 2 to 2.5 apart), so a quantile read from them is an estimate.
type Histogram struct {
	Counts [HistogramBuckets]uint64 // per bucket, not cumulative
	Count  uint64                   // durations recorded: the sum of Counts
	Sum    time.Duration            // their total
}

// Merge adds the durations of o to h.
func (h *Histogram) Merge(o Histogram) {
	for i, n := range o.Counts {
		h.Counts[i] += n
	}
	h.Count += o.Count
	h.Sum += o.Sum
}

// Mean returns the mean duration, 0 for an empty histogram.
func (h Histogram) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / time.Duration(h.Count)
}

// Quantile estimates the q-quantile (0 ≤ q ≤ 1) of the durations: the upper bound of the
// bucket in which it falls, interpolated linearly within that bucket. It returns 0 for an
// empty histogram, and the last bound when the quantile falls past it.
func (h Histogram) Quantile(q float64) time.Duration {
	if h.Count == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := q * float64(h.Count)
	var seen float64
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		if seen+float64(n) >= rank {
			if i == len(HistogramBounds) {
				return HistogramBounds[i-1]
			}
			lo := time.Duration(0)
			if i > 0 {
				lo = HistogramBounds[i-1]
			}
			hi := HistogramBounds[i]
			frac := (rank - seen) / float64(n)
			return lo + time.Duration(frac*float64(hi-lo))
		}
		seen += float64(n)
	}
	return HistogramBounds[len(HistogramBounds)-1]
}

// FuncStats are the distributions of one registered function's tasks, in [Stats.PerFunc].
type FuncStats struct {
	QueueWait Histogram // from Submit to the task's start
	Run       Histogram // from its start to its end: in a process pool, the round trip
}
