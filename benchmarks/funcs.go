package main

import (
	"context"
	"slices"

	"github.com/dualpool/dualpool/executor"
)

// The suite's tasks as registered functions, the way a user of dualpool writes them: the
// threadpool runs them in this process and the process pool runs the same names in a
// worker, which is this binary re-executed.
var (
	fnNoop       = executor.Register("bench.noop", func(_ context.Context, n int64) (int64, error) { return n, nil })
	fnSleep      = executor.Register("bench.sleep", jobFunc[int64](func(n int64) job { return job{Kind: jobSleep, N: n} }))
	fnSumSquares = executor.Register("bench.sum_squares", func(_ context.Context, n int64) (int64, error) { return sumSquares(n), nil })
	fnFetch      = executor.Register("bench.fetch", jobFunc[fetchReq](func(r fetchReq) job { return job{Kind: jobFetch, URL: r.URL, Path: r.Path} }))
	fnEcho       = executor.Register("bench.echo", func(_ context.Context, b []byte) (int64, error) { return int64(len(b)), nil })
	fnKill       = executor.Register("bench.kill", jobFunc[int64](func(int64) job { return job{Kind: jobKill} }))
	fnPanic      = executor.Register("bench.panic", jobFunc[int64](func(int64) job { return job{Kind: jobPanic} }))
	fnBlock      = executor.Register("bench.block", jobFunc[int64](func(int64) job { return job{Kind: jobBlock} }))
	fnSquare     = executor.Register("bench.square", func(_ context.Context, n int64) (int64, error) { return n * n, nil })
)

// fetchReq is the input of fnFetch.
type fetchReq struct {
	URL  string
	Path string
}

func jobFunc[In any](mk func(In) job) func(context.Context, In) (int64, error) {
	return func(ctx context.Context, in In) (int64, error) { return runJob(ctx, mk(in)) }
}

// submitExecutor submits j to a dualpool executor through the registered functions.
func submitExecutor(ex executor.Executor, j job) func() (int64, error) {
	ctx := context.Background()
	var (
		f   *executor.Future[int64]
		err error
	)
	switch j.Kind {
	case jobNoop:
		f, err = executor.Submit(ctx, ex, fnNoop, j.N)
	case jobSleep:
		f, err = executor.Submit(ctx, ex, fnSleep, j.N)
	case jobSumSquares:
		f, err = executor.Submit(ctx, ex, fnSumSquares, j.N)
	case jobFetch:
		f, err = executor.Submit(ctx, ex, fnFetch, fetchReq{URL: j.URL, Path: j.Path})
	case jobEcho:
		f, err = executor.Submit(ctx, ex, fnEcho, j.Data)
	case jobKill:
		f, err = executor.Submit(ctx, ex, fnKill, 0)
	case jobPanic:
		f, err = executor.Submit(ctx, ex, fnPanic, 0)
	case jobBlock:
		f, err = executor.Submit(ctx, ex, fnBlock, 0)
	default:
		err = errUnsupported
	}
	if err != nil {
		return func() (int64, error) { return 0, err }
	}
	return func() (int64, error) { return f.Result(ctx) }
}

// squaresExecutor is executor.Map(square) with Chunk(chunk), results in input order.
func squaresExecutor(ex executor.Executor, nums []int64, chunk int) ([]int64, error) {
	out := make([]int64, 0, len(nums))
	var firstErr error
	for v, err := range executor.Map(context.Background(), ex, fnSquare, slices.Values(nums), executor.Chunk(chunk)) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
		out = append(out, v)
	}
	return out, firstErr
}
