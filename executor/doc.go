// Package executor is dualpool's user-facing API: one [Executor] interface that every
// backend implements, typed [Future] values, and the helpers that work across backends
// ([Submit], [Map], [MapUnordered], [AsCompleted], [Wait]).
//
// It is the Go counterpart of Python's concurrent.futures. A program writes its code
// against [Executor] and picks, per workload, where tasks run: on a goroutine pool in this
// process (package threadpool) or in a pool of worker processes (package procpool). Only
// the constructor changes.
//
// # Registered functions
//
// A worker process cannot receive a Go closure, so tasks are functions registered by name
// at package level with [Register]. Every binary that registers the same names can run the
// same tasks, in this process or in another one:
//
//	var Square = executor.Register("square", func(ctx context.Context, n int) (int, error) {
//		return n * n, nil
//	})
//
// # Cancellation
//
// The ctx given to [Submit] is the task's parent. Cancelling it before the task starts
// cancels the task, which then never runs; a running task sees the cancellation through the
// ctx it was called with. [Future.Cancel] follows Python's meaning: it succeeds only while
// the task has not started.
//
// # What this package does not do
//
// It starts no goroutines of its own except inside the backends, keeps no default pool, and
// holds no package-level state other than the registry of functions. It does not retry
// failed tasks: a failure is reported once, on the task's Future.
package executor
