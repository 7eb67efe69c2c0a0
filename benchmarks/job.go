package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"syscall"
	"time"
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
	jobSumSquares                // the guide's cpu_intensive_task(N)
	jobFetch                     // GET URL into the file Path: the download workload
	jobEcho                      // return len(Data): the cost of passing data
	jobKill                      // SIGKILL the process that runs it: crash isolation
	jobPanic                     // panic: crash isolation, the recoverable kind
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

// runJob runs j in the calling goroutine and returns its integer result.
func runJob(ctx context.Context, j job) (int64, error) {
	switch j.Kind {
	case jobNoop:
		return j.N, nil
	case jobSleep:
		t := time.NewTimer(time.Duration(j.N))
		defer t.Stop()
		select {
		case <-t.C:
			return j.N, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	case jobSumSquares:
		return sumSquares(j.N), nil
	case jobFetch:
		return fetch(ctx, j.URL, j.Path)
	case jobEcho:
		return int64(len(j.Data)), nil
	case jobKill:
		// What "a task kills its worker" means: the process running the task dies at
		// once, as on an OOM kill or a cgo crash. For a goroutine pool that is the program.
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	case jobPanic:
		panic("dualpool-bench: task panicked on purpose")
	case jobBlock:
		blocked.Add(1)
		<-blocked.release
		return 0, nil
	}
	return 0, fmt.Errorf("unknown job kind %d", j.Kind)
}

// sumSquares is the guide's cpu_intensive_task: the sum of i*i for i in range(n). It
// wraps around past 2^63 where Python's integers grow; the work per step is the same.
func sumSquares(n int64) int64 {
	var s int64
	for i := range n {
		s += i * i
	}
	return s
}

// httpClient is shared by the downloads of one process, as a program would share it.
var httpClient = &http.Client{Timeout: 30 * time.Second}

// fetch downloads url into the file path and returns the bytes written. A non-200
// status is an error, as requests' raise_for_status in the guide.
func fetch(ctx context.Context, url, path string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}
