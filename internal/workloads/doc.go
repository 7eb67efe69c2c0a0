// Package workloads holds the tasks of dualpool's guide as registered functions, so that
// any backend — this process or a worker process — can run them by name, plus failure
// modes that tests, examples and benchmarks use to show what each backend does when a task
// crashes, hangs, leaks or floods its output.
//
// Every name starts with "workloads." so that a program that imports this package may
// still register its own "square". Inputs and outputs are basic types or small structs of
// basic fields, which every codec carries, but for the boundary's Funcs (below), some of
// which a process pool refuses on purpose.
//
// The guide's tasks:
//
//	Sleep        "workloads.sleep"          SleepArgs → string   prints "Task A started. Will run for 2s." and "Task A finished."
//	Square       "workloads.square"         int → int
//	SumOfSquares "workloads.sum_of_squares" int → string         Σ i² for 0 ≤ i < n, exact, in decimal (the guide's cpu_intensive_task)
//	Fetch        "workloads.fetch"          FetchArgs → int64    HTTP GET of URL into Path; the bytes written
//	Echo         "workloads.echo"           []byte → []byte
//	PID          "workloads.pid"            struct{} → int       the process id of whoever runs it
//	Getenv       "workloads.getenv"         string → string
//
// The failure modes (each named for what the caller sees in a process pool):
//
//	Fail        "workloads.fail"         string → int          returns an error with that text
//	Panic       "workloads.panic"        string → int          panics with that text
//	Exit        "workloads.exit"         int → int             os.Exit(code)
//	KillSelf    "workloads.kill_self"    struct{} → int        SIGKILL to its own process
//	FatalError  "workloads.fatal_error"  struct{} → int        a Go fatal error: concurrent map writes
//	Hang        "workloads.hang"         time.Duration → int   sleeps d ignoring its ctx (0: for ever)
//	Leak        "workloads.leak"         int → int             allocates n MiB and keeps them until the process ends
//	Hold        "workloads.hold"         HoldArgs → int        allocates MiB and holds them for Hold or until ctx ends
//	Noise       "workloads.noise"        int → int             writes n lines to stdout and n to stderr
//	LargeResult "workloads.large_result" int → []byte          a result of n bytes
//
// Exit, KillSelf, FatalError, Leak and Hang end or damage the process that runs them: run
// them in a process pool only (in a goroutine pool they take the whole program down).
//
// The process boundary: FailWith "workloads.fail_with" string → int fails with a sentinel,
// an error type (both registered), wrapped or joined ones, a wrapped
// context.DeadlineExceeded or an unregistered error, or panics with a registered error
// (ErrorKinds). BoundaryCases lists the
// calls whose meaning a process pool must keep or refuse: its Funcs, named
// "workloads.boundary.*", send back a value (echo_*) or say how the task saw it (seen_*,
// by Shape), for structs of slices, maps and pointers, an embedded struct, nil and empty
// slices and times; and take what a process pool refuses: an unexported field, a slice
// tagged omitempty, an interface field, a func field, a pointer argument. Stamp
// "workloads.boundary.stamp" map[string]int → int writes into the map it is given.
package workloads
