package backend

import (
	"context"
	"time"
)

// Task is one submitted call with its types erased, as a backend sees it. Package
// executor creates Tasks ([executor.Submit], [executor.Map]); backends call their methods.
// See the package documentation for the contract.
type Task interface {
	// Context is the ctx the task was submitted with: its parent. A backend that runs
	// the task elsewhere forwards its deadline and cancellation.
	Context() context.Context

	// Func is the registered name of the function, or "" for a closure that can only
	// run in this process.
	Func() string

	// Input is a pointer to the argument (*In), for a backend that encodes it. The
	// codecs of package ipc encode a pointer as the value it points to.
	Input() any

	// Start moves the task from Pending to Running and reports whether it should run.
	// False means it was cancelled meanwhile (and is already resolved): drop it.
	Start() bool

	// Run calls the function in this goroutine, recovering a panic into
	// *executor.PanicError (and a runtime.Goexit into executor.ErrGoexit, after which
	// the goroutine still exits), and resolves the task with its result. If count is not
	// nil it is called once, in Run's goroutine, with the task's error (nil for a
	// success) just before the task is resolved, so that a backend's counters (and its
	// idea of which worker is free) are up to date when the Future's waiters wake.
	Run(count func(err error))

	// Finish resolves the task with a result produced elsewhere: decode is called with a
	// pointer to the result's storage (*Out, zeroed) and fills it; a decoding failure is
	// the task's error.
	Finish(decode func(out any) error)

	// Fail resolves the task with err.
	Fail(err error)

	// Discard resolves a task that has not started as cancelled because of cause, and
	// reports whether it did so (false: it had started or was already resolved).
	Discard(cause error) bool
}

// Batcher is implemented by a backend that can dispatch several tasks as one unit, as
// executor.Map's chunks ask: a goroutine pool runs them one after another on one worker,
// a process pool sends them in one message. Map finds it by type assertion. Each task
// still resolves on its own; on an error none was taken.
type Batcher interface {
	ExecuteBatch(ctx context.Context, batch []Task) error
}

// Chunk is several calls of one function with one ctx, as executor.Map makes them from
// its chunks, for a backend that moves their arguments and results in one piece: a
// process pool encodes the arguments as one slice and decodes the results as one. As a
// [Task] it stands for all its calls: Input is a *[]In of Len arguments, Start starts them
// all, Finish decodes a *[]Out of Len results and resolves every call not failed with
// FailItem, and Fail and Discard resolve every call not yet resolved.
type Chunk interface {
	Task
	// Len is the number of calls.
	Len() int
	// FailItem resolves call i with err, before Finish resolves the others.
	FailItem(i int, err error)
	// Items returns the calls as Tasks of their own, for a backend that must run them
	// one by one after all (a process pool runs each again alone when the worker that
	// had the chunk died). They are Running once Start has returned true.
	Items() []Task
}

// ChunkExecutor is implemented by a backend that runs a [Chunk] as one unit; Map finds it
// by type assertion and prefers it to [Batcher]. On an error the chunk was not taken.
type ChunkExecutor interface {
	ExecuteChunk(ctx context.Context, c Chunk) error
}

// Spinner is implemented by a backend whose tasks usually answer within a few tens of
// microseconds of a round trip to another process: Submit asks it once per task, and a
// Future's Result then yields for up to that long before it parks. Waking a parked waiter
// costs such a round trip a futex call and the scheduler's spinning threads, which a
// waiter that is still yielding when the answer lands never needs. A goroutine pool,
// whose waiters are woken on the same processors that ran their tasks, does not need it.
type Spinner interface {
	WaitSpin() time.Duration
}

// Awaiter is implemented by a [Spinner] whose waiters can wait for a task's answer in
// their own goroutine: Await reads the answers of the worker that runs t, its thread
// asleep in the kernel until the worker writes, until done reports true or for as long
// as the backend finds worth it, and reports whether it waited so. It returns false at
// once when it cannot (t is not in flight yet, or another goroutine reads that worker's
// answers); the waiter then yields as for a Spinner, and asks again. A waiter that
// reads the answer itself is woken by the worker process directly, on the processor it
// left free for it, as a raw pipe's reader is: there is no second thread to wake, nor an
// idle processor. Await does not see the waiter's ctx: the backend keeps its wait short.
type Awaiter interface {
	Await(t Task, done func() bool) (waited bool)
}
