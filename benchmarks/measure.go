package main

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat"
)

// figure is one measured quantity for one backend: the samples of its repetitions and
// their median and spread. Text carries what is not a number (a completion order, what a
// crash did).
type figure struct {
	Workload string    `json:"workload"`
	Metric   string    `json:"metric"`
	Backend  string    `json:"backend"`
	Params   string    `json:"params,omitempty"`
	Unit     string    `json:"unit,omitempty"`
	Samples  []float64 `json:"samples,omitempty"`
	Median   float64   `json:"median"`
	Min      float64   `json:"min"`
	Max      float64   `json:"max"`
	Q1       float64   `json:"q1"` // the lower quartile
	Q3       float64   `json:"q3"` // the upper quartile
	// Spread is the half-width of the samples' interquartile range relative to the
	// median (0.05 = ±5%): how much to trust the median.
	Spread float64  `json:"spread"`
	Text   string   `json:"text,omitempty"`
	texts  []string // the Text of each merged figure
	// Ratio is Median divided by the same figure of the baseline column in this run.
	Ratio float64 `json:"ratio,omitempty"`
}

// summarize fills Median, Min, Max, the quartiles and Spread from Samples.
//
// The quantiles are gonum's empirical ones: each is a sample, never a value between two.
// The median of an odd number of samples (every mode's repetitions are odd) is the
// middle one; of an even number, the lower of the two middle ones. With 3 repetitions
// the quartiles are the lowest and the highest sample, so the spread is half the range.
func (f *figure) summarize() {
	if len(f.Samples) == 0 {
		return
	}
	s := slices.Clone(f.Samples)
	slices.Sort(s)
	f.Min, f.Max = s[0], s[len(s)-1]
	f.Median = quantile(s, 0.5)
	f.Q1, f.Q3 = quantile(s, 0.25), quantile(s, 0.75)
	f.Spread = 0
	if f.Median != 0 {
		f.Spread = (f.Q3 - f.Q1) / 2 / math.Abs(f.Median)
	}
}

// quantile is the empirical p-quantile of sorted s.
func quantile(s []float64, p float64) float64 {
	return stat.Quantile(p, stat.Empirical, s, nil)
}

// results collects the figures of a run. Safe for concurrent use.
type results struct {
	mu   sync.Mutex
	figs []*figure
	// lat keeps the one-task round-trip samples, per backend, for the latency plot.
	lat map[string][]float64
}

// add records f; a figure already recorded under the same name (workload, metric,
// backend, params) takes f's samples instead, so that the repetitions of one figure can be
// taken in separate rounds. The Text becomes the most common of the texts.
func (r *results) add(f *figure) *figure {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.figs {
		if g.Workload == f.Workload && g.Metric == f.Metric && g.Backend == f.Backend && g.Params == f.Params {
			g.Samples = append(g.Samples, f.Samples...)
			g.texts = append(g.texts, f.Text)
			g.Text = mostCommon(g.texts)
			g.summarize()
			return g
		}
	}
	f.texts = []string{f.Text}
	f.summarize()
	r.figs = append(r.figs, f)
	return f
}

// mostCommon returns the text seen most often, with its share when not unanimous.
func mostCommon(texts []string) string {
	counts := map[string]int{}
	for _, t := range texts {
		counts[t]++
	}
	best, n := "", 0
	for k, c := range counts {
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	if n < len(texts) {
		return fmt.Sprintf("%s (%d of %d runs)", best, n, len(texts))
	}
	return best
}

// get returns the figure, or nil if it was not measured.
func (r *results) get(workload, metric, backend, params string) *figure {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.figs {
		if f.Workload == workload && f.Metric == metric && f.Backend == backend && f.Params == params {
			return f
		}
	}
	return nil
}

// fillRatios sets each figure's Ratio against the baseline column's same figure.
func (r *results) fillRatios() {
	for _, f := range r.figs {
		if b := r.get(f.Workload, f.Metric, baseline, f.Params); b != nil && b.Median != 0 && len(f.Samples) > 0 {
			f.Ratio = f.Median / b.Median
		}
	}
}

// timeOps measures fn(n) for growing n until one call lasts at least target, as
// testing.B does, and returns the time per op of that last call.
func timeOps(target time.Duration, maxN int, fn func(n int) error) (time.Duration, error) {
	n := 1
	for {
		start := time.Now()
		if err := fn(n); err != nil {
			return 0, err
		}
		el := time.Since(start)
		if el >= target || n >= maxN {
			return el / time.Duration(n), nil
		}
		// Aim 20% past the target from the rate seen, at most 100× more.
		next := int(float64(n) * 1.2 * float64(target) / float64(max(el, time.Microsecond)))
		n = min(max(next, n+1), 100*n, maxN)
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// human prints v (in unit) compactly: 0.25µs, 3.1ms, 12 MiB.
func human(v float64, unit string) string {
	switch unit {
	case "ms":
		return human(v*1e3, "µs")
	case "µs":
		switch {
		case v >= 1e6:
			return fmt.Sprintf("%.3gs", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.3gms", v/1e3)
		case v >= 1:
			return fmt.Sprintf("%.3gµs", v)
		default:
			return fmt.Sprintf("%.0fns", v*1e3)
		}
	case "KiB":
		if v >= 1024 {
			return fmt.Sprintf("%.3g MiB", v/1024)
		}
		return fmt.Sprintf("%.3g KiB", v)
	case "x":
		return fmt.Sprintf("%.2f×", v)
	}
	if v >= 1000 {
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return fmt.Sprintf("%.3g %s", v, unit)
}
