package main

import (
	"fmt"
	"strings"
)

// The "use case (measured)" of a column is derived from its own figures, each held to a
// bar far from where pools actually sit, so that the noise of a run does not move a
// column across it. Ranking columns against the best one did: with every pool within a
// few tens of percent of the others, a noisy run moved them in and out of a 75% band.
//
//   - CPU: the speedup at 2 or at 4 workers, whichever is better, takes at least a
//     quarter of the gain the machine allows there (min(workers, cores) − 1). A pool that
//     runs one task at a time, as Python's threads do under the GIL, sits near 0; the
//     parallel ones sat at 0.5 to 1.2. The better of two counts, because more workers
//     than cores on a small machine make the 4-worker figure the noisiest of the run.
//   - I/O: the throughput at the table's worker count is at least a quarter of that
//     count times the throughput of 1 worker: the pool overlaps its tasks' waits. A pool
//     that did not would sit at 1/workers; every pool, Python's too, sat above 0.45.
//   - isolation: every healthy task survived a task that SIGKILLed its worker, and the
//     pool still ran every later task.
const (
	cpuGainBar = 0.25
	ioGainBar  = 0.25
)

// useCaseRule is the rule above in a sentence, for the report.
var useCaseRule = fmt.Sprintf("Use case: CPU where 2 or 4 workers take at least %.0f%% of the speedup the cores allow, "+
	"I/O where N workers download at least %.0f%% of N times what 1 worker does, "+
	"isolation where every healthy task survived a task that killed its worker and the pool still served.",
	100*cpuGainBar, 100*ioGainBar)

// cpuGain is the larger share of the machine's possible speedup that col's 2-worker
// and 4-worker runs took; ok is false when neither was measured or the machine has one
// core.
func (r *runner) cpuGain(col string) (gain float64, ok bool) {
	for _, w := range []int{2, cpuTableWorkers} {
		ideal := float64(min(w, r.machine.CPUs))
		f := r.res.get("cpu", "speedup", col, fmt.Sprintf("workers=%d", w))
		if f == nil || len(f.Samples) == 0 || ideal <= 1 {
			continue
		}
		if g := (f.Median - 1) / (ideal - 1); !ok || g > gain {
			gain, ok = g, true
		}
	}
	return gain, ok
}

// ioGain is col's throughput at the table's worker count over the worker count times
// its 1-worker throughput.
func (r *runner) ioGain(col string) (gain float64, ok bool) {
	n := r.cfg.IOTableSize
	one := r.res.get("download", "throughput", col, "workers=1")
	many := r.res.get("download", "throughput", col, fmt.Sprintf("workers=%d", n))
	if one == nil || many == nil || one.Median == 0 || len(many.Samples) == 0 || n <= 1 {
		return 0, false
	}
	return many.Median / one.Median / float64(n), true
}

// useCase derives the column's use case from its measured figures.
func (r *runner) useCase(col string) string {
	var uses []string
	if g, ok := r.ioGain(col); ok && g >= ioGainBar {
		uses = append(uses, "I/O")
	}
	if g, ok := r.cpuGain(col); ok && g >= cpuGainBar {
		uses = append(uses, "CPU")
	}
	if f := r.res.get("crash", "kill", col, ""); f != nil && len(f.Samples) > 0 && f.Samples[0] == 1 && strings.HasSuffix(f.Text, "serves") {
		uses = append(uses, "isolation")
	}
	if len(uses) == 0 {
		return "—"
	}
	return strings.Join(uses, ", ")
}
