package executor

import (
	"context"
	"time"
)

// Carrier holds a task's context as text, for a [Propagator] to carry it to another
// process. Its method set is that of OpenTelemetry's propagation.TextMapCarrier, so a
// Carrier can be passed where one is expected.
type Carrier interface {
	// Get returns the value of key, or "".
	Get(key string) string
	// Set stores value under key, replacing what was there.
	Set(key, value string)
	// Keys lists the keys stored.
	Keys() []string
}

// Propagator moves the parts of a task's ctx that must cross a process boundary (a
// trace's identity, baggage) as text: Inject writes them from the caller's ctx into a
// Carrier, Extract reads them back into the ctx a worker process gives the task. It has
// the shape of OpenTelemetry's propagation.TextMapPropagator. A process pool calls Inject
// once per task (or per Map chunk) in the caller's process and Extract in the worker,
// and sends nothing when Inject writes nothing. Implementations must be safe for
// concurrent use.
type Propagator interface {
	Inject(ctx context.Context, c Carrier)
	Extract(ctx context.Context, c Carrier) context.Context
}

// TaskObserver watches the tasks of a pool that was given it (threadpool.WithObserver,
// procpool.WithObserver): one call when a task is queued, one when it starts and one when
// it ends, each with the function's name. It is for tracing and logging what the
// [Stats] counters do not say; a pool without one pays nothing for it. Its methods are
// called from the pool's goroutines and from Submit's, concurrently, and should return
// quickly; they must not submit to the pool.
type TaskObserver interface {
	// TaskQueued is called in Submit's goroutine when the task is taken, with the
	// task's ctx. The ctx it returns is what the pool passes to TaskStarted and
	// TaskEnded, and what a process pool's [Propagator] injects: a tracer returns a ctx
	// holding the task's span, so that the worker's work is its child.
	TaskQueued(ctx context.Context, ev TaskEvent) context.Context
	// TaskStarted is called when the task leaves the queue for a worker; ev.QueueWait
	// is set. It is not called for a task cancelled while queued.
	TaskStarted(ctx context.Context, ev TaskEvent)
	// TaskEnded is called once per task queued, as it is resolved: ev has its queue
	// wait, its run time (0 if it never started), its error, and, when the pool killed
	// its worker, why. It is called before the task's Future resolves, except for a
	// task cancelled before it started; a task the pool refused (ErrShutdown,
	// ErrQueueFull) ends with that error before Submit returns.
	TaskEnded(ctx context.Context, ev TaskEvent)
}

// TaskEvent describes a task to a [TaskObserver].
type TaskEvent struct {
	Func      string        // the registered name, "" for a closure
	Calls     int           // the calls it stands for: more than 1 for a Map chunk
	QueueWait time.Duration // from Submit to its start
	Run       time.Duration // from its start to its end
	Err       error         // what it failed with, nil for a success
	// Kill says why the pool killed the task's worker ("outlived its ctx", "over the
	// hard memory limit", ...), "" when it did not.
	Kill string
}
