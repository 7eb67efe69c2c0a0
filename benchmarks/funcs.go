package main

import (
	"context"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
)

// The suite's tasks as registered functions, the way a user of dualpool writes them: the
// threadpool runs them in this process and the process pool runs the same names in a
// worker, which is this binary re-executed. The guide's own tasks come from
// internal/workloads; these are the bench's extras (a sleep that prints nothing, since
// stdout carries the table).
var (
	fnNoop  = executor.Register("bench.noop", func(_ context.Context, n int64) (int64, error) { return n, nil })
	fnSleep = executor.Register("bench.sleep", func(ctx context.Context, n int64) (int64, error) {
		return n, sleepCtx(ctx, time.Duration(n))
	})
	fnEcho  = executor.Register("bench.echo", func(_ context.Context, b []byte) (int64, error) { return int64(len(b)), nil })
	fnBlock = executor.Register("bench.block", func(context.Context, int64) (int64, error) {
		block()
		return 0, nil
	})
)

// submitExecutor submits j to a dualpool executor through the registered functions.
func submitExecutor(ex executor.Executor, j job) func() (any, error) {
	ctx := context.Background()
	switch j.Kind {
	case jobNoop:
		return waitFuture(executor.Submit(ctx, ex, fnNoop, j.N))
	case jobSleep:
		return waitFuture(executor.Submit(ctx, ex, fnSleep, j.N))
	case jobSumSquares:
		return waitFuture(executor.Submit(ctx, ex, workloads.SumOfSquares, int(j.N)))
	case jobFetch:
		return waitFuture(executor.Submit(ctx, ex, workloads.Fetch, workloads.FetchArgs{URL: j.URL, Path: j.Path}))
	case jobEcho:
		return waitFuture(executor.Submit(ctx, ex, fnEcho, j.Data))
	case jobKill:
		return waitFuture(executor.Submit(ctx, ex, workloads.KillSelf, struct{}{}))
	case jobPanic:
		return waitFuture(executor.Submit(ctx, ex, workloads.Panic, "a task panicked on purpose"))
	case jobBlock:
		return waitFuture(executor.Submit(ctx, ex, fnBlock, 0))
	}
	return func() (any, error) { return nil, errUnsupported }
}

// waitFuture turns Submit's outcome into a wait function.
func waitFuture[T any](f *executor.Future[T], err error) func() (any, error) {
	if err != nil {
		return func() (any, error) { return nil, err }
	}
	return func() (any, error) {
		v, err := f.Result(context.Background())
		return any(v), err
	}
}

// squaresExecutor is executor.Map(workloads.Square) with Chunk(chunk), in input order.
func squaresExecutor(ex executor.Executor, nums []int, chunk int) ([]int, error) {
	out := make([]int, 0, len(nums))
	var firstErr error
	for v, err := range executor.Map(context.Background(), ex, workloads.Square, slices.Values(nums), executor.Chunk(chunk)) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
		out = append(out, v)
	}
	return out, firstErr
}
