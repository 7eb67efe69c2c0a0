package main

import (
	"fmt"
	"runtime"
	"time"
)

// pool is one started backend with a fixed number of workers: the small abstraction every
// workload is written against, so that the library's two backends and the peers run the
// same code.
type pool interface {
	// submit starts j and returns a function that waits for its result. The wait
	// function is called exactly once.
	submit(j job) (wait func() (any, error))
	// squares returns n*n for each n, dispatching chunk items per task: the guide's
	// executor.map(square, numbers), with Python's chunksize.
	squares(nums []int, chunk int) ([]int, error)
	// pids lists the worker processes, or nil when the workers are goroutines.
	pids() []int
	close() error
}

// backend describes one column of the table.
type backend struct {
	name      string // column title
	processes bool   // workers are processes
	about     string // one line for the legend
	// start starts a pool of n workers.
	start func(n int) (pool, error)
	// can reports whether the backend runs jobs of kind k (nil: every kind).
	can func(k jobKind) bool
}

func (b *backend) supports(k jobKind) bool { return b.can == nil || b.can(k) }

// goBackends lists the backends run in this process's suite, in column order. Python's
// two executors are columns too, measured by bench.py (see python.go).
func goBackends() []*backend {
	return []*backend{threadpoolBackend(), procpoolBackend(), clusterBackend(), antsBackend(), pondBackend(),
		errgroupBackend(), goPluginBackend(), pipeBackend()}
}

// Column names of the Python executors, measured by bench.py.
const (
	pyThreads   = "py-threads"
	pyProcesses = "py-procs"
	baseline    = "threadpool"
)

// warm starts every worker of p and the code paths a workload takes, so that a timed
// run measures the pool at work, not its start (measured on its own by "startup").
//
// A process pool may still be starting some of its workers after the first results come
// back, so warm then runs rounds of one short sleep per worker until a round takes less
// than twice the sleep: every worker is up and takes tasks at once (at most a second of
// rounds; a backend that cannot sleep gets the no-ops only).
func warm(p pool, workers int) error {
	if err := submitAll(p, job{Kind: jobNoop}, 2*workers); err != nil {
		return err
	}
	const nap = 10 * time.Millisecond
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		start := time.Now()
		err := submitAll(p, job{Kind: jobSleep, N: int64(nap)}, workers)
		if err == errUnsupported {
			return nil
		}
		if err != nil {
			return err
		}
		if time.Since(start) < 2*nap {
			return nil
		}
	}
	return nil
}

// chunked splits nums into chunks of size chunk.
func chunked(nums []int, chunk int) [][]int {
	var out [][]int
	for len(nums) > 0 {
		n := min(chunk, len(nums))
		out = append(out, nums[:n:n])
		nums = nums[n:]
	}
	return out
}

// squaresBySubmit implements pool.squares for backends with no map of their own: one
// task per chunk, computed by squareChunk wherever the backend runs it.
func squaresBySubmit(nums []int, chunk int, run func(c []int) func() ([]int, error)) ([]int, error) {
	if chunk < 1 {
		return nil, fmt.Errorf("chunk %d", chunk)
	}
	chunks := chunked(nums, chunk)
	waits := make([]func() ([]int, error), len(chunks))
	for i, c := range chunks {
		waits[i] = run(c)
	}
	out := make([]int, 0, len(nums))
	var firstErr error
	for _, w := range waits {
		r, err := w()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		out = append(out, r...)
	}
	return out, firstErr
}

// squareChunk is the square task applied to a chunk.
func squareChunk(c []int) []int {
	out := make([]int, len(c))
	for i, n := range c {
		out[i] = n * n
	}
	return out
}

// cpus is the machine's core count, the worker count of the CPU-bound workloads.
var cpus = runtime.NumCPU()
