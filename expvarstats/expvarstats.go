// Package expvarstats publishes an executor's [executor.Stats] with the standard library's
// expvar, so that /debug/vars shows a pool's counters, workers and latency distributions
// as JSON, with nothing to install. For Prometheus or OpenTelemetry, use the adapters of
// the module github.com/dualpool/dualpool/telemetry instead.
package expvarstats

import (
	"expvar"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// Publish publishes ex's Stats in expvar under name: read afresh each time /debug/vars is
// served (expvar.Handler, or net/http's DefaultServeMux once expvar is imported). As
// expvar.Publish, it panics when name is already published. Reading a process pool's
// Stats costs a few hundred microseconds per worker (see [executor.Executor.Stats]).
func Publish(name string, ex executor.Executor) {
	expvar.Publish(name, Var(ex))
}

// Var returns ex's Stats as an expvar.Var, for a program that publishes it itself (in an
// expvar.Map, say).
func Var(ex executor.Executor) expvar.Var {
	return expvar.Func(func() any { return View(ex.Stats()) })
}

// Stats is the JSON form of [executor.Stats] that Publish shows: durations in seconds,
// each histogram with its count, sum, three quantiles and its buckets.
type Stats struct {
	Submitted uint64 `json:"submitted"`
	Completed uint64 `json:"completed"`
	Failed    uint64 `json:"failed"`
	Cancelled uint64 `json:"cancelled"`
	Running   int    `json:"running"`
	Queued    int    `json:"queued"`
	Workers   int    `json:"workers"`
	Busy      int    `json:"busy"`
	Restarts  uint64 `json:"restarts"`

	QueueWait Histogram            `json:"queue_wait"`
	Run       Histogram            `json:"run"`
	PerFunc   map[string]FuncStats `json:"per_func,omitempty"`
	PerWorker []Worker             `json:"per_worker,omitempty"`
}

// FuncStats is the JSON form of [executor.FuncStats].
type FuncStats struct {
	QueueWait Histogram `json:"queue_wait"`
	Run       Histogram `json:"run"`
}

// Histogram is the JSON form of [executor.Histogram]. Buckets[i] counts the durations up
// to Bounds[i] seconds (and over the one before); the last bucket, those over the last
// bound.
type Histogram struct {
	Count   uint64    `json:"count"`
	Sum     float64   `json:"sum_seconds"`
	P50     float64   `json:"p50_seconds"`
	P90     float64   `json:"p90_seconds"`
	P99     float64   `json:"p99_seconds"`
	Bounds  []float64 `json:"bounds_seconds"`
	Buckets []uint64  `json:"buckets"`
}

// Worker is the JSON form of [executor.WorkerStats].
type Worker struct {
	PID         int     `json:"pid"`
	Started     string  `json:"started"`
	TasksDone   uint64  `json:"tasks_done"`
	MemoryBytes uint64  `json:"memory_bytes"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	Restarts    int     `json:"restarts"`
}

var bounds = func() []float64 {
	b := make([]float64, len(executor.HistogramBounds))
	for i, d := range executor.HistogramBounds {
		b[i] = d.Seconds()
	}
	return b
}()

// View returns the JSON form of s.
func View(s executor.Stats) Stats {
	v := Stats{
		Submitted: s.Submitted, Completed: s.Completed, Failed: s.Failed, Cancelled: s.Cancelled,
		Running: s.Running, Queued: s.Queued, Workers: s.Workers, Busy: s.Busy, Restarts: s.Restarts,
		QueueWait: histogram(s.QueueWait), Run: histogram(s.Run),
	}
	if len(s.PerFunc) > 0 {
		v.PerFunc = make(map[string]FuncStats, len(s.PerFunc))
		for name, f := range s.PerFunc {
			v.PerFunc[name] = FuncStats{QueueWait: histogram(f.QueueWait), Run: histogram(f.Run)}
		}
	}
	for _, w := range s.PerWorker {
		v.PerWorker = append(v.PerWorker, Worker{
			PID: w.PID, Started: w.Started.UTC().Format(time.RFC3339Nano), TasksDone: w.TasksDone,
			MemoryBytes: w.Memory, CPUSeconds: w.CPUTime.Seconds(), Restarts: w.Restarts,
		})
	}
	return v
}

func histogram(h executor.Histogram) Histogram {
	return Histogram{
		Count: h.Count, Sum: h.Sum.Seconds(),
		P50: h.Quantile(0.5).Seconds(), P90: h.Quantile(0.9).Seconds(), P99: h.Quantile(0.99).Seconds(),
		Bounds: bounds, Buckets: h.Counts[:],
	}
}
