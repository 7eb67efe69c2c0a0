// Package backend is what an executor backend implements and calls: the type-erased
// [Task], the registry of functions seen without their types ([Lookup]), and the optional
// capabilities that package executor discovers by type assertion ([Batcher], [Spinner],
// [Awaiter]). Programs use package executor; this package is for those who write a
// backend, as database/sql/driver is for those who write a database driver.
//
// # The contract
//
// A backend is a type that implements executor.Executor. Its Execute(ctx, t) either
// refuses t, returning an error and leaving t alone (the caller resolves it), or takes t,
// returning nil. A task once taken must be resolved exactly once, whatever happens to the
// backend afterwards (shutdown, a crash, a broken pool), by exactly one of:
//
//   - [Task.Start] then [Task.Run]: run it in this process, in the calling goroutine;
//   - [Task.Start] then [Task.Finish]: its result was computed elsewhere and is decoded;
//   - [Task.Start] then [Task.Fail], or [Task.Fail] alone: it failed, or will never run;
//   - [Task.Discard]: it is cancelled before it started (Discard reports false, and does
//     nothing, once the task has started).
//
// Start returns false when the task's ctx ended or it was cancelled while it waited: it
// is then already resolved, and the backend drops it. A backend may call Discard on a
// task at any time (its ctx ended, Shutdown with CancelPending); the first resolution
// wins and later ones are ignored, so a backend never needs a lock of its own around a
// task's resolution. Each method is safe to call from any goroutine.
//
// What a backend may skip: [Batcher] and [ChunkExecutor] (Map then executes its chunks
// task by task), [Spinner] and [Awaiter] (waiters then park at once), per-worker
// statistics (Stats.PerWorker may stay nil), and a queue (Execute may block
// until a worker is free, within ctx). What it must not skip: resolving every task it
// took, honouring ctx while it blocks in Execute, returning the sentinel errors of
// package executor wrapped with %w, and making Shutdown return once its ctx ends.
//
// # Running a task elsewhere
//
// A backend that runs tasks in another process sends [Task.Func], the registered name,
// with [Task.Input] encoded; the process at the other end finds the function with
// [Lookup] and runs it through a [Call]. A task whose Func is "" is a closure and can only
// run in this process: such a backend refuses it with executor.ErrUnknownFunc.
package backend
