package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/internal/workloads"
)

// blocked counts the jobBlock tasks running in this process; they return when release
// is closed. It is the runner's one piece of shared state, for the memory workload.
var blocked struct {
	atomic.Int64
	release chan struct{}
}

// jobKind names one of the suite's tasks. Every backend runs the same task code: in this
// process for the goroutine pools, in a worker process for the process-side ones.
type jobKind uint8

const (
	jobNoop       jobKind = iota // return at once: per-task overhead
	jobSleep                     // sleep N nanoseconds: tasks A–E
	jobSumSquares                // the guide's cpu_intensive_task(N): workloads.SumOfSquares
	jobFetch                     // GET URL into the file Path: workloads.Fetch
	jobEcho                      // return len(Data): the cost of passing data
	jobKill                      // SIGKILL the process that runs it: workloads.KillSelf
	jobPanic                     // panic: workloads.Panic
	jobBlock                     // wait for releaseBlocked: memory per busy worker, in process only
)

var jobNames = [...]string{"noop", "sleep", "sum_squares", "fetch", "echo", "kill", "panic", "block"}

func (k jobKind) String() string { return jobNames[k] }

// job is one task with its input; its fields are exported for gob (go-plugin's net/rpc).
type job struct {
	Kind jobKind
	N    int64
	URL  string
	Path string
	Data []byte
}

// errUnsupported marks a job a backend cannot run (the raw pipe only echoes bytes).
var errUnsupported = errors.New("not supported by this backend")

// runJob runs j in the calling goroutine and returns its result: an int64, or for
// jobSumSquares the exact sum in decimal.
func runJob(ctx context.Context, j job) (any, error) {
	switch j.Kind {
	case jobNoop:
		return j.N, nil
	case jobSleep:
		return j.N, sleepCtx(ctx, time.Duration(j.N))
	case jobSumSquares:
		return workloads.SumOfSquares.Call(ctx, int(j.N))
	case jobFetch:
		return workloads.Fetch.Call(ctx, workloads.FetchArgs{URL: j.URL, Path: j.Path})
	case jobEcho:
		return int64(len(j.Data)), nil
	case jobKill:
		// What "a task kills its worker" means: the process running the task dies at
		// once, as on an OOM kill or a cgo crash. For a goroutine pool that is the program.
		return workloads.KillSelf.Call(ctx, struct{}{})
	case jobPanic:
		return workloads.Panic.Call(ctx, "a task panicked on purpose")
	case jobBlock:
		block()
		return int64(0), nil
	}
	return nil, fmt.Errorf("unknown job kind %d", j.Kind)
}

// sleepCtx sleeps for d, or less if ctx ends first, returning ctx's error then.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// block waits for blocked.release, counted in blocked while it waits.
func block() {
	blocked.Add(1)
	<-blocked.release
}
