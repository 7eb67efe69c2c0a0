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
// # The boundary
//
// A task's argument and result are encoded by the pool's codec ([WithCodec]; ipc.Binary
// by default), sent through a pipe and decoded on the other side: a task changes its own
// copy, never the caller's. What it writes into a map or slice it was given reaches the
// caller on a goroutine pool, never across a process: return what changed. What crosses
// keeps its values, nil apart from empty, and a time.Time's instant and UTC offset. A
// time.Time's zone name and monotonic reading do not cross, as with every encoding of a
// time.Time in Go's standard library (JSON, gob, MarshalBinary): compare times with
// Equal, not ==. (ipc.Gob, as gob does, gives an empty slice back nil.)
//
// What would not cross unchanged is refused at a Func's first Submit or Map, before
// anything is sent, with [ErrNotPortable] naming the type, the field and the fix: an
// unexported field, an interface field, a func or a chan, a field tagged json:"-", a
// slice or map tagged omitempty, and a pointer argument, whose point (the task's changes
// through it) a copy would lose. [Check] gives the same answer in a test; a codec may
// decide for itself ([TypeChecker]).
//
// The ctx crosses as its deadline and its cancellation; its values (a request id, a
// logger) do not. A task's error crosses with its text; the errors registered with
// [executor.RegisterError] and [executor.RegisterErrorType] along its chain are rebuilt
// on this side, so that errors.Is and errors.As answer as on a goroutine pool, and an
// error of another type arrives as an *[executor.RemoteError] naming that type and
// wrapping them (and context.Canceled, context.DeadlineExceeded or
// executor.ErrUnknownFunc, which still match). A registered error type's fields cross
// as an argument's do; [CheckErrors] names, in a test, the types that would not.
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
//   - A task's error: its text, and errors.Is and errors.As for the registered errors
//     along it (see The boundary above).
//   - A panic is recovered in the worker: *[executor.PanicError] with the worker's stack
//     and the panic value's text (an error with registered ones along it keeps them);
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
//   - A function whose argument or result type the codec would change silently:
//     [ErrNotPortable] from Submit and Map, before anything is sent (see above).
//   - Workers that cannot stay up (see [WithRestartIntensity]), or a failing
//     initializer: [executor.ErrPoolBroken] for every queued and later task.
//   - A task that waited in the queue past [WithQueueTimeout]: an error matching
//     [executor.ErrQueueTimeout] and [executor.ErrCancelled]; it never started. A full
//     bounded queue under [WithNonBlocking]: Submit returns [executor.ErrQueueFull].
//
// On Linux a worker leads a process group of its own, killed with it and once it has
// exited: the processes its tasks started do not outlive it, unless they leave the group
// (setsid, a daemon's double fork), which [WithCgroup] catches too. A worker told to exit
// (Shutdown, recycling) that is still running 2 s later is killed, so that Close always
// returns, and a Shutdown called from a done callback returns too.
//
// # Limits for code you do not trust
//
// Each off by default: [WithRlimit] sets resource limits (CPU seconds, open files,
// processes, address space) on each worker; [WithCleanEnv] gives workers only the named
// variables of the environment; [WithCredential] runs them as another user. The strongest
// is [WithCgroup]: a cgroup v2 leaf per worker, below this process's own cgroup, that the
// worker is cloned into and that holds all it starts, with memory.max and pids.max where
// this process's cgroup delegates the memory and pids controllers; a dead worker's leaf
// is killed whole and removed, Close removes the rest. Where there is no writable cgroup
// v2 subtree, or a controller is not delegated, it falls back, and logs it once: process
// groups, the sampled memory limit of [WithMemoryLimit], RLIMIT_NPROC.
//
// # Orphans
//
// On Linux every worker gets SIGKILL when the parent dies (Pdeathsig, from a dedicated
// OS thread); everywhere, a worker exits when its IPC pipe ends. After Shutdown returns,
// no process, goroutine or file descriptor of the pool remains, nor a cgroup. A SIGKILL of
// the parent leaves no worker but leaves the processes that its tasks started, since
// nothing runs to kill them: with WithCgroup they stay in their worker's leaf, and the
// leaves and the pool's tree stay in the cgroup file system (the kernel removes no cgroup
// by itself) until someone kills what is in them (write 1 to each leaf's cgroup.kill) and
// removes them (rmdir).
//
// # Telemetry
//
// Stats has the queue-wait and round-trip histograms of every function ([WithTimings]),
// the busy workers and the restarts. [WithObserver] hears of each task's queueing,
// dispatch and end, with why its worker was killed; [WithPropagator], given to the pool
// and to [ServeIfWorker], carries a task's trace to its worker. [Pool.Profile] takes a
// pprof profile of one worker, even mid-task. Prometheus and OpenTelemetry adapters are
// in the module github.com/dualpool/dualpool/telemetry.
//
// # Costs
//
// From the package benchmarks on a 2-core machine, each beside its baseline in the same
// run (go test -bench . ./procpool; run them on yours): a one-task round trip, Submit
// plus Result (BenchmarkRoundTrip), about 14 µs, as long as a raw 8-byte pipe ping-pong
// with a child process (BenchmarkRawPipePingPong, 12–35 µs): the waiter in Result reads
// its own task's answer ([Pool.Await]), so the worker runs on the processor the waiter
// leaves free and wakes it there, with no other thread between them, and the tasks it so
// resolves run their done callbacks in its goroutine; Map(square) per item on 2 workers
// (BenchmarkMapSquare) about 10 µs with Chunk(1), 0.09–0.1 µs with Chunk(1024) and
// 0.06–0.07 µs with no Chunk option, where Map sizes its chunks; a 1 MiB []byte there and back
// (BenchmarkEcho1MiB) about 1.5–2 times the raw pipe's (BenchmarkRawPipe1MiB); New with 2
// workers to the first result (BenchmarkNewToFirstResult) about 5 ms; about 1.2 MiB of
// private memory per idle worker when two share the binary's pages
// (BenchmarkIdleWorkerMemory; the comparison runner's lone worker counts 2.2 MiB). A
// goroutine pool runs a task in a fifth of a microsecond: send work here for isolation,
// in chunks when items are small (Map without Chunk does that by itself).
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
// parent, the goroutine that reads the answer resolves the Future, and the poll(2) it
// waited in has told it whether the worker printed anything that must come out first.
// A round trip so costs about 8 system calls in the two processes as strace -f counts
// them, against 6 for a raw pipe's ping-pong between two Go programs
// (benchmarks/syscalls.sh). A Map chunk crosses as one frame each way, its arguments and
// results encoded as one slice.
package procpool
