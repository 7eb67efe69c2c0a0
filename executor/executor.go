package executor

import "context"

// Executor runs tasks. Every backend implements it (threadpool.Pool, procpool.Pool), so
// code written against it runs on either; programs call the package functions [Submit],
// [Map], [MapUnordered] rather than Execute directly. Implementations are safe for
// concurrent use.
type Executor interface {
	// Execute schedules t. It blocks while a bounded queue is full, for at most as long
	// as ctx allows, and returns an error ([ErrShutdown], [ErrQueueFull], [ErrPoolBroken],
	// [ErrUnknownFunc] or ctx's error) only when t was not taken; once taken, t is always
	// resolved, by running it or by cancelling or failing it.
	Execute(ctx context.Context, t Task) error

	// ExecuteBatch schedules a batch of tasks as one unit of dispatch, as [Map]'s
	// [Chunk] option asks: a goroutine pool runs it on one worker, a process pool sends
	// it in one message. Each task still resolves on its own. On error none was taken.
	ExecuteBatch(ctx context.Context, batch []Task) error

	// Shutdown stops accepting tasks and waits for the running and queued ones to finish;
	// with [CancelPending] the queued ones are cancelled instead. When ctx ends first, the
	// tasks still queued are cancelled, what is still running is stopped as far as the
	// backend can (a process pool kills its workers; goroutines cannot be killed and finish
	// on their own), and ctx's error is returned. Calling it again waits again.
	Shutdown(ctx context.Context, opts ...ShutdownOption) error

	// Close shuts down gracefully and waits without limit: the role of Python's with
	// block, as in defer ex.Close().
	Close() error

	// Stats returns a snapshot of the executor's counters.
	Stats() Stats
}

// Task is one submitted call with its types erased, as a backend sees it. The executor
// package creates Tasks ([Submit], [Map]); backends call their methods. A backend must
// resolve every Task it accepted, exactly once, through Run, Finish, Fail or Discard.
type Task interface {
	// Context is the ctx the task was submitted with: its parent. A backend that runs
	// the task elsewhere forwards its cancellation.
	Context() context.Context

	// Func is the registered name of the function, or "" for a closure that can only
	// run in this process (a process pool fails such a task with ErrUnknownFunc).
	Func() string

	// Input is the argument, for a backend that encodes it.
	Input() any

	// Start moves the task from Pending to Running and reports whether it should run.
	// False means it was cancelled meanwhile (and is already resolved): drop it.
	Start() bool

	// Run calls the function in this goroutine, recovering a panic into *[PanicError],
	// and resolves the task with its result. If count is not nil it is called once, in
	// Run's goroutine, with the task's error (nil for a success) just before the task is
	// resolved, so that an executor's counters (and its idea of which worker is free) are
	// up to date when the Future's waiters wake.
	Run(count func(err error))

	// Finish resolves the task with a result produced elsewhere: decode is called with a
	// pointer to a new value of the result type and fills it (a decoding failure is the
	// task's error).
	Finish(decode func(out any) error)

	// Fail resolves the task with err.
	Fail(err error)

	// Discard resolves a task that has not started as cancelled because of cause, and
	// reports whether it did so (false: it had started or was already resolved).
	Discard(cause error) bool
}
