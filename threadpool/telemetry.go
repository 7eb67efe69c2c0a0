package threadpool

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/pprof"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/observe"
	"github.com/dualpool/dualpool/internal/timing"
)

// WithTimings turns the queue-wait and run-time histograms of [executor.Stats] on (the
// default) or off. They cost no allocation, and two or three reads of the monotonic clock
// per task timed ([WithTimingSample]). The tasks of a Map chunk, which one worker runs in
// a row, are timed together for the same cost: each counts the chunk's queue wait and the
// mean of their run times. BenchmarkSubmitResultTelemetry measures the cost beside the
// same benchmark without.
func WithTimings(on bool) Option {
	return optionFunc(func(c *config) { c.noTimings = !on })
}

// WithTimingSample has the histograms of [executor.Stats] time one task in n (n ≥ 1)
// instead of every task: each task is picked at random as it is submitted (a Map chunk
// whole), and a task timed counts for n in a histogram's Count, Sum and bucket, so that
// Count stays an estimate of the tasks and the quantiles estimate theirs — the Go runtime
// samples its own scheduling latencies one in 8 so. The default, 1, times every task:
// exact, at two or three clock reads per task, which is tens of nanoseconds where the
// clock is slow to read, against a few hundred for a whole Submit and Result. A pool of
// tiny tasks submitted one by one at full speed can make that one in 8 or 16.
func WithTimingSample(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.errs = append(c.errs, fmt.Errorf("WithTimingSample(%d): want at least 1", n))
			return
		}
		c.timingSample = uint32(min(n, 1<<30))
	})
}

// sampled reports whether the task or chunk now being submitted is one to time.
func (p *Pool) sampled() bool {
	n := p.cfg.timingSample
	return !p.cfg.noTimings && (n == 1 || rand.Uint32N(n) == 0)
}

// WithObserver has o told of every task's queueing, start and end (see
// [executor.TaskObserver]). A pool without one pays nothing for the hook; with one, each
// task costs an allocation and the observer's own time.
func WithObserver(o executor.TaskObserver) Option {
	return optionFunc(func(c *config) { c.observer = o })
}

// stamp readies it for the queue: its timestamp, and its tasks wrapped for the observer.
func (p *Pool) stamp(it *item) {
	if o := p.cfg.observer; o != nil {
		if it.task != nil {
			it.task = observe.Wrap(it.task, o)
		} else {
			batch := make([]backend.Task, len(*it.batch))
			for i, t := range *it.batch {
				batch[i] = observe.Wrap(t, o)
			}
			it.batch = &batch
		}
	}
	if p.sampled() {
		it.weight = p.cfg.timingSample
	}
	if it.weight != 0 || p.cfg.queueTimeout > 0 {
		it.queued = timing.Now()
	}
}

// clocks is what a worker keeps to time its tasks and label them for pprof. Only the
// worker's goroutine touches it, except funcs, which Stats reads.
//
// A worker times a span of tasks: one task, or the tasks of a Map chunk, which it runs in
// a row. Each task of a span counts the span's queue wait and the mean of its run times,
// so that a chunk costs two clock reads, not one per task.
type clocks struct {
	funcs    timing.Funcs
	recs     map[string]*funcRecord
	rec      *funcRecord // the function of the task running, or of the last one
	labelled bool        // the goroutine carries rec's labels, not the pool's
	queued   int64       // when the item running was taken
	weight   uint32      // the tasks that each task of the item running stands for; 0: untimed
	start    int64       // when the span running started
	tasks    uint32      // the tasks of the span that have ended
	// clock is when the last span ended, if the worker went on at once to the task now
	// starting (from the queue, or the rest of a chunk): its start. 0 otherwise.
	clock int64
}

// funcRecord is one function's histograms in a worker, and the pprof labels of its tasks.
type funcRecord struct {
	h      *timing.Func
	labels context.Context
}

// begin starts timing t, unless the span it belongs to has started, and labels the
// goroutine with t's function.
func (w *worker) begin(t backend.Task) {
	if name := t.Func(); w.rec == nil || name != w.rec.h.Name {
		w.rec = w.recordOf(name)
		w.labelled = false
	}
	if !w.labelled {
		pprof.SetGoroutineLabels(w.rec.labels)
		w.labelled = true
	}
	if w.weight == 0 || w.tasks != 0 {
		return
	}
	if w.start = w.clock; w.start == 0 {
		w.start = timing.Now()
	}
}

// recordOf returns the record of function name, made on first use.
func (w *worker) recordOf(name string) *funcRecord {
	r := w.recs[name]
	if r == nil {
		if w.recs == nil {
			w.recs = map[string]*funcRecord{}
		}
		r = &funcRecord{h: w.funcs.Get(name), labels: pprof.WithLabels(w.p.labels, pprof.Labels("dualpool.func", name))}
		w.recs[name] = r
	}
	return r
}

// end counts the task that began in its span, and records the span after the last task
// of the item.
func (w *worker) end() {
	if w.weight == 0 {
		w.clock = 0
		return
	}
	w.tasks++
	if w.lastTask {
		w.flush()
	}
}

// flush records the span's tasks: each with the span's queue wait and its mean run time.
func (w *worker) flush() {
	if w.tasks == 0 {
		return
	}
	end := timing.Now()
	n := w.tasks * w.weight
	w.rec.h.QueueWait.AddOwned(time.Duration(w.start-w.queued), n)
	w.rec.h.Run.AddOwned(time.Duration(end-w.start)/time.Duration(w.tasks), n)
	w.tasks, w.clock = 0, end
}

// idle marks w as waiting for work: its next task's start is not known yet, and its
// goroutine no longer carries a function's label.
func (w *worker) idle() {
	w.clock = 0
	if w.labelled {
		pprof.SetGoroutineLabels(w.p.labels)
		w.labelled = false
	}
}
