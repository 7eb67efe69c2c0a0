// Package procpool is dualpool's process-pool backend: an [executor.Executor] that runs
// each task in a worker process, so that a task's crash, hang, leak or fatal runtime error
// costs that task, never the program. It is the counterpart of Python's
// ProcessPoolExecutor, with what that one lacks: a dead worker fails only its own task,
// a hung task is killed when its ctx ends, leaking workers are recycled.
//
// Go has no GIL, so choose this pool for isolation, not speed: goroutines (package
// threadpool) already run CPU-bound Go code on every core, at a quarter of a microsecond
// per task where a process round trip costs tens of microseconds.
//
// # Workers
//
// By default a worker is this program's own binary, started again with an environment
// variable that marks it. [ServeIfWorker], called first thing in main (and in TestMain),
// turns that process into a worker: it serves tasks by their registered names
// ([executor.Register]) and exits, so nothing after the call runs there. [WithCommand]
// runs a separate worker binary instead (cmd/procworker is one). A binary that never
// calls ServeIfWorker makes [New] fail at once with an error that says so, and a process
// started as a worker refuses to start workers of its own: no fork bomb.
//
// Workers start eagerly: New starts them all and returns when the first is ready. Tasks
// and results travel over two dedicated pipes (see package ipc); the workers' stdout and
// stderr are forwarded line by line to [WithStdout] and [WithStderr].
//
// # Running it in production
//
// A long-running service sizes and renews its workers as RoadRunner's operators expect.
// [WithMinWorkers] makes the pool elastic: it starts the minimum, grows up to
// [WithWorkers] while tasks wait, and stops workers idle for [WithIdleTTL].
// [Pool.Resize] changes the size while the pool runs. [WithWorkerTTL] renews workers as
// they age, a quarter of the pool at a time at most. [Pool.Reset] is a rolling restart
// for a deploy: one worker at a time, each after its current task, so no task fails and
// n-1 of n workers serve throughout. A task calls [Recycle] to have its worker replaced
// once it returns. [WithQueueSize], [WithNonBlocking] and [WithQueueTimeout] bound the
// queue, as on a goroutine pool, and a task's wait in it apart from its run. None of
// these departures stops a task in the middle, and none counts toward
// [WithRestartIntensity]: they all go through one retire path, the one that
// [WithMaxTasksPerWorker] and the soft memory limit take.
//
// # Failures
//
//   - A task's error comes back with its text; errors.Is still matches
//     executor.ErrUnknownFunc, context.Canceled and context.DeadlineExceeded.
//   - A panic is recovered in the worker: *[executor.PanicError] with the worker's stack;
//     the worker goes on.
//   - A worker's death (exit, signal, Go fatal error, corrupt frame) fails the task it
//     was running with *[executor.WorkerExitError] (pid, exit code or signal, the tail of
//     its stderr) and the worker is replaced. A Map chunk whose worker died is run again
//     item by item, so that only the item that kills a worker fails; an item that had
//     finished but whose result had not reached the parent runs twice.
//   - A task still running [WithKillGrace] after its ctx ended is killed with its
//     worker: *[executor.KilledError], matching the ctx's error.
//   - Over the hard memory limit ([WithMemoryLimit]): *[executor.MemoryLimitError].
//   - A task that calls runtime.Goexit: [executor.ErrGoexit]; the worker goes on.
//   - A function whose argument or result type the codec would change silently (an
//     unexported field, an interface field, a func, a pointer argument): Submit and Map
//     return [ErrNotPortable] before anything is sent; [Check] tells it in a test.
//   - A task's error crosses with its text; errors registered with
//     [executor.RegisterError] and [executor.RegisterErrorType] keep errors.Is and
//     errors.As, and another arrives as *[executor.RemoteError] naming its type.
//   - Workers that cannot stay up (see [WithRestartIntensity]), or a failing
//     initializer: [executor.ErrPoolBroken] for every queued and later task.
//   - A task that waited in the queue past [WithQueueTimeout]: an error matching
//     [executor.ErrQueueTimeout] and [executor.ErrCancelled]; it never started. A full
//     bounded queue under [WithNonBlocking]: Submit returns [executor.ErrQueueFull].
//
// On Linux a worker leads a process group of its own, killed with it and once it has
// exited: the processes its tasks started do not outlive it. A worker told to exit
// (Shutdown, recycling) that is still running 2 s later is killed, so that Close always
// returns, and a Shutdown called from a done callback returns too.
//
// # Orphans
//
// On Linux every worker gets SIGKILL when the parent dies (Pdeathsig, from a dedicated
// OS thread); everywhere, a worker exits when its IPC pipe ends. After Shutdown returns,
// no process, goroutine or file descriptor of the pool remains.
//
// # Costs
//
// From the package benchmarks on a 2-core machine, each beside its baseline in the same
// run (go test -bench . ./procpool; run them on yours): a one-task round trip, Submit
// plus Result (BenchmarkRoundTrip), about 35 µs beside 20 µs for a raw 8-byte pipe
// ping-pong with a child process (BenchmarkRawPipePingPong); Map(square) per item on 2
// workers (BenchmarkMapSquare) about 15 µs with Chunk(1) and 0.1 µs with Chunk(1024) or
// with no Chunk option, where Map sizes its chunks; a 1 MiB []byte there and back
// (BenchmarkEcho1MiB) about 1.6–2 times the raw pipe's (BenchmarkRawPipe1MiB); New with 2
// workers to the first result (BenchmarkNewToFirstResult) about 3.5 ms; about 1.2 MiB of
// private memory per idle worker when two share the binary's pages
// (BenchmarkIdleWorkerMemory; the comparison runner's lone worker counts 2.2 MiB). A goroutine pool runs a
// task in a fifth of a microsecond: send work here for isolation, in chunks when items
// are small (Map without Chunk does that by itself).
//
// # What it does not do
//
// It does not run on systems without inherited pipes (Windows), gives workers process
// groups only on Linux, and keeps one task (or one Map chunk) in
// flight per worker: a slow task never holds up a task queued behind it in the same
// worker.
//
// # Inside
//
// The pipes are the default [Transport]; every worker, whatever launched it, has one code
// path. The submitting goroutine writes a task's frame itself when a worker is free; in
// the worker, the goroutine that reads a task runs it and writes the answer; in the
// parent, the goroutine that reads the answer resolves the Future, after one poll(2) has
// told whether the worker printed anything that must come out first. A Map chunk crosses
// as one frame each way, its arguments and results encoded as one slice.
package procpool
