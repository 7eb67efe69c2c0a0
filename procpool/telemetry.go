package procpool

import (
	"context"
	"slices"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/observe"
	"github.com/dualpool/dualpool/internal/timing"
	"github.com/dualpool/dualpool/ipc"
)

// telemetryConfig is what the options of this file set.
type telemetryConfig struct {
	noTimings  bool
	observer   executor.TaskObserver
	propagator executor.Propagator
}

// WithTimings turns the queue-wait and run-time histograms of [executor.Stats] on (the
// default) or off. They cost three reads of the monotonic clock per task (or per Map
// chunk, which they count as one) and no allocation: BenchmarkRoundTripTelemetry
// measures it beside the same benchmark without. A task's run time is its round trip as
// the parent sees it, from the frame's write to its answer.
func WithTimings(on bool) Option {
	return optionFunc(func(c *config) { c.telemetry.noTimings = !on })
}

// WithObserver has o told of every task's queueing, start (its dispatch to a worker) and
// end, with the reason when its worker was killed (see [executor.TaskObserver]). The
// ctx that o.TaskQueued returns is the one the pool's propagator injects. A pool without
// an observer pays nothing for the hook.
func WithObserver(o executor.TaskObserver) Option {
	return optionFunc(func(c *config) { c.telemetry.observer = o })
}

// WithPropagator carries the part of each task's ctx that p injects (a trace's identity,
// baggage) to the worker, where p extracts it into the ctx the task runs with. Give it
// to both sides: to [New], and to [ServeIfWorker] (or [ServeStream]) in the worker
// binary, which announces that it reads it; a worker that was not given one is sent
// nothing. Per task it costs p's Inject, and when Inject wrote anything, one Context
// frame of the protocol and p's Extract in the worker.
func WithPropagator(p executor.Propagator) Option {
	return optionFunc(func(c *config) { c.telemetry.propagator = p })
}

// now is timing.Now, or 0 when the timings are off.
func (p *Pool) now() int64 {
	if p.cfg.telemetry.noTimings {
		return 0
	}
	return timing.Now()
}

// poolTelemetry is the pool's part: the timings of each function.
type poolTelemetry struct {
	funcs timing.Funcs
}

// workerTelemetry is a worker's part.
type workerTelemetry struct {
	features ipc.Feature  // what its Hello announced; set before it is ready
	last     *timing.Func // the function it answered last; its reader's only
	carrier  fields       // for Inject, under wmu
	profiles profiles     // profiles asked for and not yet answered (profile.go)
}

// timed records j's queue wait and run time as j's answer arrives from w.
func (w *worker) timed(j *job) { w.p.timed(w, j) }

// timed records j's queue wait and run time as j ends; w is the worker whose reader
// records it, or nil.
func (p *Pool) timed(w *worker, j *job) {
	sent := j.sent.Swap(0) // recorded once
	if sent == 0 || j.queued == 0 {
		return
	}
	end := timing.Now()
	name := j.t.Func()
	var f *timing.Func
	if w != nil && w.tel.last != nil && w.tel.last.Name == name {
		f = w.tel.last
	} else {
		f = p.tel.funcs.Get(name)
		if w != nil {
			w.tel.last = f
		}
	}
	f.QueueWait.Add(time.Duration(sent - j.queued))
	f.Run.Add(time.Duration(end - sent))
}

// addTimings adds the pool's timings to s.
func (p *Pool) addTimings(s *executor.Stats) {
	if p.cfg.telemetry.noTimings {
		return
	}
	p.tel.funcs.AddTo(s)
	timing.Totals(s)
}

// observeBatch wraps each task of batch for o, in a new slice.
func observeBatch(batch []backend.Task, o executor.TaskObserver) []backend.Task {
	out := make([]backend.Task, len(batch))
	for i, t := range batch {
		out[i] = observe.Wrap(t, o)
	}
	return out
}

// appendContext appends to b the Context frames of u's tasks, as the pool's propagator
// injects them, when w reads them. Consecutive tasks with the same ctx (a Map chunk's)
// share a frame. It runs under w.wmu.
func (w *worker) appendContext(b []byte, u *unit) []byte {
	prop := w.p.cfg.telemetry.propagator
	if prop == nil || w.tel.features&ipc.FeatureContext == 0 {
		return b
	}
	for i := 0; i < len(u.jobs); {
		ctx := u.jobs[i].t.Context()
		n := 1
		for i+n < len(u.jobs) && u.jobs[i+n].t.Context() == ctx {
			n++
		}
		w.tel.carrier = w.tel.carrier[:0]
		prop.Inject(ctx, &w.tel.carrier)
		if len(w.tel.carrier) > 0 {
			b = ipc.AppendContext(b, ipc.TaskContext{ID: u.base + uint64(i), Count: uint64(n), Fields: w.tel.carrier})
		}
		i += n
	}
	return b
}

// fields is an [executor.Carrier] over key, value pairs in a slice.
type fields []string

func (f *fields) Get(key string) string {
	for i := 0; i+1 < len(*f); i += 2 {
		if (*f)[i] == key {
			return (*f)[i+1]
		}
	}
	return ""
}

func (f *fields) Set(key, value string) {
	for i := 0; i+1 < len(*f); i += 2 {
		if (*f)[i] == key {
			(*f)[i+1] = value
			return
		}
	}
	*f = append(*f, key, value)
}

func (f *fields) Keys() []string {
	keys := make([]string, 0, len(*f)/2)
	for i := 0; i+1 < len(*f); i += 2 {
		keys = append(keys, (*f)[i])
	}
	return keys
}

// The worker's side.

// serverTelemetry is the worker's part of the server.
type serverTelemetry struct {
	propagator executor.Propagator
	pending    []ipc.TaskContext // Context frames for the next unit
}

// features are the optional frames the worker announces.
func (t *serverTelemetry) features() ipc.Feature {
	f := ipc.FeatureChunk | ipc.FeatureProfile
	if t.propagator != nil {
		f |= ipc.FeatureContext
	}
	return f
}

// attachContexts gives the jobs of u the fields of the Context frames read before it.
func (s *server) attachContexts(u *serverUnit) {
	for _, c := range s.tel.pending {
		for i := range u.jobs {
			if id := u.jobs[i].ID; id >= c.ID && id-c.ID < c.Count {
				u.jobs[i].fields = c.Fields
			}
		}
	}
	s.tel.pending = s.tel.pending[:0]
}

// context is the ctx j runs with: its own, with the propagated fields extracted into it.
func (j *serverJob) context(s *server) context.Context {
	if j.fields == nil || s.tel.propagator == nil {
		return &j.ctx
	}
	f := fields(slices.Clone(j.fields))
	return s.tel.propagator.Extract(&j.ctx, &f)
}

// workerConfig applies the options given to the worker's side; only the ones that
// concern it are read.
func workerConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}
