package threadpool_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// squareOrGoexit squares n, except that n < 0 calls runtime.Goexit, as t.FailNow does.
var squareOrGoexit = executor.Register("threadpool_test.squareOrGoexit", func(_ context.Context, n int) (int, error) {
	if n < 0 {
		runtime.Goexit()
	}
	return n * n, nil
})

// within bounds the waits of a test, which would hang if the pool lost a task.
func within(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// shutdown shuts p down within ctx and returns its Stats.
func shutdown(ctx context.Context, t *testing.T, p *threadpool.Pool) executor.Stats {
	t.Helper()
	require.NoError(t, p.Shutdown(ctx), "Shutdown")
	return p.Stats()
}

// wantResults checks that each future of futs resolves to the square of ins[i], or
// ErrGoexit where ins[i] < 0.
func wantResults(ctx context.Context, t *testing.T, ins []int, futs []*executor.Future[int]) {
	t.Helper()
	for i, f := range futs {
		v, err := f.Result(ctx)
		if ins[i] < 0 {
			assert.True(t, errors.Is(err, executor.ErrGoexit), "Submit(%d) = %d, %v; want 0, ErrGoexit", ins[i], v, err)
			continue
		}
		assert.True(t, v == ins[i]*ins[i] && err == nil, "Submit(%d) = %d, %v; want %d, <nil>", ins[i], v, err, ins[i]*ins[i])
	}
}

func TestGoexitFailsItsTaskOnly(t *testing.T) {
	ctx := within(t)
	p := newPool(t, threadpool.WithMaxWorkers(1))
	f, err := threadpool.Go(context.Background(), p, func(context.Context) (int, error) {
		runtime.Goexit()
		return 1, nil
	})
	require.NoError(t, err)
	_, err = f.Result(ctx)
	require.ErrorIs(t, err, executor.ErrGoexit)

	// The worker that Goexit ended had counted itself idle: the next task must still
	// find a worker.
	for i := range 3 {
		g, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		v, err := g.Result(ctx)
		require.True(t, v == i*i && err == nil, "Submit(%d) = %d, %v; want %d, <nil>", i, v, err, i*i)
	}
	assert.Equal(t, 1, p.Stats().Workers, "the worker goes on in a new goroutine")

	s := shutdown(ctx, t, p)
	assert.Equal(t, executor.Stats{Submitted: 4, Completed: 3, Failed: 1}, counters(t, s))
}

func TestGoexitWithTasksQueued(t *testing.T) {
	// The worker plans its next item, the head of the queue, as its task ends: that item
	// must not die with the goroutine.
	ctx := within(t)
	p := newPool(t, threadpool.WithMaxWorkers(1))
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	ins := []int{-1, 2, -1, -1, 3, 4}
	var futs []*executor.Future[int]
	for _, n := range ins {
		f, err := executor.Submit(context.Background(), p, squareOrGoexit, n)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	close(l.release)
	wantResults(ctx, t, ins, futs)

	s := shutdown(ctx, t, p)
	assert.Equal(t, executor.Stats{Submitted: 7, Completed: 4, Failed: 3}, counters(t, s))
}

func TestGoexitDuringShutdown(t *testing.T) {
	ctx := within(t)
	p := newPool(t, threadpool.WithMaxWorkers(2))
	release := make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock) // before the pool's Close, if the test stops early
	started := make(chan struct{})
	f, err := threadpool.Go(context.Background(), p, func(context.Context) (int, error) {
		close(started)
		<-release
		runtime.Goexit()
		return 1, nil
	})
	require.NoError(t, err)
	<-started
	done := make(chan error, 1)
	go func() { done <- p.Shutdown(ctx) }()
	var probes atomic.Uint64 // accepted before Shutdown began
	require.Eventually(t, func() bool {
		_, err := executor.Submit(context.Background(), p, square, 1)
		if err == nil {
			probes.Add(1)
		}
		return errors.Is(err, executor.ErrShutdown)
	}, 10*time.Second, time.Millisecond, "Shutdown has begun")
	unblock()

	require.NoError(t, <-done, "Shutdown returns when the worker Goexit ended is gone")
	_, err = f.Result(ctx)
	assert.ErrorIs(t, err, executor.ErrGoexit)
	assert.Equal(t, executor.Stats{Submitted: 1 + probes.Load(), Completed: probes.Load(), Failed: 1}, counters(t, p.Stats()))
}

func TestGoexitWithIdleTimeout(t *testing.T) {
	ctx := within(t)
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithIdleTimeout(time.Millisecond))
	for _, n := range []int{-1, 2, -1} {
		f, err := executor.Submit(context.Background(), p, squareOrGoexit, n)
		require.NoError(t, err)
		wantResults(ctx, t, []int{n}, []*executor.Future[int]{f})
	}
	require.Eventually(t, func() bool { return p.Stats().Workers == 0 }, 10*time.Second, time.Millisecond,
		"the worker goes on after Goexit and still times out")
	assert.Equal(t, executor.Stats{Submitted: 3, Completed: 1, Failed: 2}, counters(t, shutdown(ctx, t, p)))
}

func TestManyGoexits(t *testing.T) {
	ctx := within(t)
	p := newPool(t, threadpool.WithMaxWorkers(3))
	var ins []int
	for i := range 300 {
		if i%3 == 0 {
			ins = append(ins, -i-1)
		} else {
			ins = append(ins, i)
		}
	}
	var futs []*executor.Future[int]
	for _, n := range ins {
		f, err := executor.Submit(context.Background(), p, squareOrGoexit, n)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	wantResults(ctx, t, ins, futs)
	s := p.Stats()
	assert.LessOrEqual(t, s.Workers, 3)
	assert.Zero(t, s.Running)
	assert.Equal(t, executor.Stats{Submitted: 300, Completed: 200, Failed: 100}, counters(t, shutdown(ctx, t, p)))
}

func TestGoexitInAMapChunk(t *testing.T) {
	// With one worker, a chunk of 4 runs as one batch: Goexit cuts it, and the rest of the
	// batch and the chunks queued behind it must still run.
	for _, tc := range []struct {
		name    string
		workers int
		goexit  []int // input positions that call Goexit
	}{
		{"first of a chunk", 1, []int{0}},
		{"middle of a chunk", 1, []int{1}},
		{"last of a chunk", 1, []int{3}},
		{"last of all", 1, []int{9}},
		{"every item of a chunk", 1, []int{4, 5, 6, 7}},
		{"one in each chunk", 1, []int{2, 5, 8}},
		{"two workers", 2, []int{1, 3, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := within(t)
			p := newPool(t, threadpool.WithMaxWorkers(tc.workers))
			ins := make([]int, 10)
			for i := range ins {
				ins[i] = i + 1
				if slices.Contains(tc.goexit, i) {
					ins[i] = -1
				}
			}
			i := 0
			for v, err := range executor.Map(ctx, p, squareOrGoexit, slices.Values(ins), executor.Chunk(4)) {
				require.Less(t, i, len(ins), "Map yields more than its inputs")
				if ins[i] < 0 {
					assert.True(t, errors.Is(err, executor.ErrGoexit), "item %d = %d, %v; want 0, ErrGoexit", i, v, err)
				} else {
					assert.True(t, v == ins[i]*ins[i] && err == nil, "item %d = %d, %v; want %d, <nil>", i, v, err, ins[i]*ins[i])
				}
				i++
			}
			assert.Equal(t, len(ins), i, "Map yields one result per input")
			s := shutdown(ctx, t, p)
			n := uint64(len(tc.goexit))
			assert.Equal(t, executor.Stats{Submitted: 10, Completed: 10 - n, Failed: n}, counters(t, s))
		})
	}
}

func TestInitializerGoexitBreaksThePool(t *testing.T) {
	ctx := within(t)
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithInitializer(func(context.Context) error {
		runtime.Goexit()
		return nil
	}))
	f, err := executor.Submit(context.Background(), p, square, 1)
	require.NoError(t, err)
	_, err = f.Result(ctx)
	assert.ErrorIs(t, err, executor.ErrPoolBroken)
	assert.ErrorIs(t, err, executor.ErrGoexit)
	_, err = executor.Submit(context.Background(), p, square, 2)
	assert.ErrorIs(t, err, executor.ErrPoolBroken, "a later Submit")
	assert.Equal(t, executor.Stats{Submitted: 1, Failed: 1}, withoutTimings(shutdown(ctx, t, p))) // it never ran
}
