package executor

import (
	"context"

	"github.com/dualpool/dualpool/backend"
)

// Executor runs tasks. Every backend implements it (threadpool.Pool, procpool.Pool), so
// code written against it runs on either; programs call the package functions [Submit],
// [Map], [MapUnordered] rather than Execute directly. Implementations are safe for
// concurrent use. Package backend is the contract for those who write one; a backend
// that can dispatch several tasks as one unit also implements backend.Batcher, which
// [Map] uses for its chunks.
type Executor interface {
	// Execute schedules t. It blocks while a bounded queue is full, for at most as long
	// as ctx allows, and returns an error ([ErrShutdown], [ErrQueueFull], [ErrPoolBroken],
	// [ErrUnknownFunc] or ctx's error) only when t was not taken; once taken, t is always
	// resolved, by running it or by cancelling or failing it.
	// A backend implements it as package backend describes; programs call [Submit].
	Execute(ctx context.Context, t backend.Task) error

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
