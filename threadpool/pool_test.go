package threadpool_test

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var square = executor.Register("threadpool_test.square", func(_ context.Context, n int) (int, error) {
	return n * n, nil
})

func newPool(t *testing.T, opts ...threadpool.Option) *threadpool.Pool {
	t.Helper()
	p, err := threadpool.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, p.Close()) })
	return p
}

// latch lets a test hold tasks inside the pool and release them together.
type latch struct {
	started chan struct{}
	release chan struct{}
}

func newLatch(n int) *latch {
	return &latch{started: make(chan struct{}, n), release: make(chan struct{})}
}

// hold submits a closure that signals it started and waits for the release.
func (l *latch) hold(t *testing.T, p *threadpool.Pool) *executor.Future[int] {
	t.Helper()
	f, err := threadpool.Go(context.Background(), p, func(context.Context) (int, error) {
		l.started <- struct{}{}
		<-l.release
		return 1, nil
	})
	require.NoError(t, err)
	return f
}

func (l *latch) waitStarted(n int) {
	for range n {
		<-l.started
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opt  threadpool.Option
		want string
	}{
		{threadpool.WithMaxWorkers(0), "threadpool: WithMaxWorkers(0): want at least 1"},
		{threadpool.WithQueueSize(-1), "threadpool: WithQueueSize(-1): want at least 0"},
		{threadpool.WithIdleTimeout(-time.Second), "threadpool: WithIdleTimeout(-1s): want at least 0"},
		{threadpool.WithLogger(nil), "threadpool: WithLogger(nil)"},
	} {
		p, err := threadpool.New(tc.opt)
		assert.Nil(t, p)
		assert.EqualError(t, err, tc.want)
	}
}

func TestDefaultMaxWorkers(t *testing.T) {
	assert.Equal(t, min(32, runtime.NumCPU()+4), threadpool.DefaultMaxWorkers(), "Python's rule")
	// A pool without WithMaxWorkers runs that many tasks at once, and no more.
	p := newPool(t)
	l := newLatch(threadpool.DefaultMaxWorkers())
	for range threadpool.DefaultMaxWorkers() {
		l.hold(t, p)
	}
	l.waitStarted(threadpool.DefaultMaxWorkers())
	extra, err := executor.Submit(context.Background(), p, square, 2)
	require.NoError(t, err)
	assert.Equal(t, executor.Pending, extra.State(), "one task more than the default waits")
	assert.Equal(t, threadpool.DefaultMaxWorkers(), p.Stats().Workers)
	close(l.release)
}

func TestWorkersStartLazilyAndAreBounded(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(3))
	assert.Equal(t, 0, p.Stats().Workers, "no worker before the first task")

	var running, peak atomic.Int32
	var futs []*executor.Future[int]
	for range 30 {
		f, err := threadpool.Go(context.Background(), p, func(context.Context) (int, error) {
			n := running.Add(1)
			for {
				old := peak.Load()
				if n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			running.Add(-1)
			return 0, nil
		})
		require.NoError(t, err)
		futs = append(futs, f)
	}
	executor.Wait(context.Background(), futs, executor.AllCompleted)
	assert.LessOrEqual(t, peak.Load(), int32(3))
	assert.Equal(t, 3, p.Stats().Workers)
}

func TestEveryWorkerIsUsedBeforeQueueing(t *testing.T) {
	// The guide's case: with 3 workers, 3 long tasks must run at once even when the pool
	// has been used before and its workers are idle.
	p := newPool(t, threadpool.WithMaxWorkers(3))
	for round := range 3 {
		l := newLatch(3)
		for range 3 {
			l.hold(t, p)
		}
		done := make(chan struct{})
		go func() { l.waitStarted(3); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: 3 tasks on 3 workers did not all start", round)
		}
		close(l.release)
		require.Eventually(t, func() bool { return p.Stats().Running == 0 }, 10*time.Second, time.Millisecond)
	}
	assert.Equal(t, 3, p.Stats().Workers)
}

func TestIdleWorkersExit(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(4), threadpool.WithIdleTimeout(5*time.Millisecond))
	l := newLatch(4)
	for range 4 {
		l.hold(t, p)
	}
	l.waitStarted(4)
	assert.Equal(t, 4, p.Stats().Workers)
	close(l.release)
	require.Eventually(t, func() bool { return p.Stats().Workers == 0 }, 10*time.Second, time.Millisecond)

	f, err := executor.Submit(context.Background(), p, square, 6)
	require.NoError(t, err)
	v, err := f.Result(context.Background())
	assert.Equal(t, 36, v, "a new worker starts after the idle ones left")
	assert.NoError(t, err)
}

func TestIdleTimeoutRacesWithSubmit(t *testing.T) {
	// Tasks arriving just as workers time out must never be stranded.
	p := newPool(t, threadpool.WithMaxWorkers(2), threadpool.WithIdleTimeout(time.Microsecond))
	for i := range 2000 {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := f.Result(ctx)
		cancel()
		require.NoError(t, err, "task %d", i)
		require.Equal(t, i*i, v)
	}
}

func TestBoundedQueueBlocksAndHonoursCtx(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueSize(1))
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	queued, err := executor.Submit(context.Background(), p, square, 2)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = executor.Submit(ctx, p, square, 3)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "Submit on a full queue waits within its ctx")

	blocked := make(chan error, 1)
	go func() {
		f, err := executor.Submit(context.Background(), p, square, 4)
		if err == nil {
			_, err = f.Result(context.Background())
		}
		blocked <- err
	}()
	close(l.release) // the worker takes the queued task; room opens for the blocked one
	assert.NoError(t, <-blocked)
	v, err := queued.Result(context.Background())
	assert.Equal(t, 4, v)
	assert.NoError(t, err)
}

func TestNonBlockingQueueFull(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueSize(2), threadpool.WithNonBlocking())
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	for range 2 {
		_, err := executor.Submit(context.Background(), p, square, 1)
		require.NoError(t, err)
	}
	_, err := executor.Submit(context.Background(), p, square, 1)
	assert.ErrorIs(t, err, executor.ErrQueueFull)
	assert.Equal(t, 2, p.Stats().Queued)
	close(l.release)
}

func TestQueueSizeZeroHandsOffOnly(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueSize(0), threadpool.WithNonBlocking())
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	_, err := executor.Submit(context.Background(), p, square, 1)
	assert.ErrorIs(t, err, executor.ErrQueueFull, "no worker free and no queue")
	close(l.release)
}

func TestSubmitFromInsideATask(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	inner := make(chan *executor.Future[int], 1)
	outer, err := threadpool.Go(context.Background(), p, func(ctx context.Context) (int, error) {
		// The only worker is busy here: the inner task queues, and Submit returns at
		// once with the unbounded default queue.
		f, err := executor.Submit(context.Background(), p, square, 9)
		inner <- f
		return 1, err
	})
	require.NoError(t, err)
	v, err := outer.Result(context.Background())
	assert.Equal(t, 1, v)
	require.NoError(t, err)
	v, err = (<-inner).Result(context.Background())
	assert.Equal(t, 81, v, "the inner task runs once the worker is free")
	assert.NoError(t, err)
}

func TestInitializer(t *testing.T) {
	var inits atomic.Int32
	p := newPool(t, threadpool.WithMaxWorkers(3), threadpool.WithInitializer(func(context.Context) error {
		inits.Add(1)
		return nil
	}))
	l := newLatch(3)
	for range 3 {
		l.hold(t, p)
	}
	l.waitStarted(3)
	close(l.release)
	for i := range 20 {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		_, err = f.Result(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, inits.Load(), "once per worker")
}

func TestInitializerFailureBreaksThePool(t *testing.T) {
	var logs bytes.Buffer
	release := make(chan struct{})
	var calls atomic.Int32
	p := newPool(t, threadpool.WithMaxWorkers(1),
		threadpool.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		threadpool.WithInitializer(func(context.Context) error {
			calls.Add(1)
			<-release
			return errBoom
		}))
	var futs []*executor.Future[int]
	for i := range 5 {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	close(release)
	for i, f := range futs {
		_, err := f.Result(context.Background())
		assert.ErrorIs(t, err, executor.ErrPoolBroken, "pending task %d", i)
		assert.ErrorIs(t, err, errBoom, "pending task %d carries the cause", i)
	}
	_, err := executor.Submit(context.Background(), p, square, 1)
	assert.ErrorIs(t, err, executor.ErrPoolBroken, "a later Submit")
	assert.Contains(t, logs.String(), "initializer failed")
	assert.EqualValues(t, 1, calls.Load())
}

func TestInitializerPanicBreaksThePool(t *testing.T) {
	p := newPool(t, threadpool.WithInitializer(func(context.Context) error { panic("no config") }))
	f, err := executor.Submit(context.Background(), p, square, 1)
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, executor.ErrPoolBroken)
	var pe *executor.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "no config", pe.Value)
}

func TestPanicKeepsPoolServing(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	f, err := threadpool.Go(context.Background(), p, func(context.Context) (string, error) { panic("oops") })
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	var pe *executor.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "oops", pe.Value)
	assert.Contains(t, string(pe.Stack), "pool_test.go")

	g, err := executor.Submit(context.Background(), p, square, 3)
	require.NoError(t, err)
	v, err := g.Result(context.Background())
	assert.Equal(t, 9, v)
	assert.NoError(t, err)
	s := p.Stats()
	assert.EqualValues(t, 1, s.Failed)
	assert.EqualValues(t, 1, s.Completed)
	assert.EqualValues(t, 2, s.Submitted)
}

func TestWorkersCarryPprofLabel(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithName("labelled-pool"))
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	close(l.release)
	assert.Contains(t, buf.String(), `"dualpool.pool":"labelled-pool"`)
}

func TestConcurrentSubmitters(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(4), threadpool.WithQueueSize(8))
	var wg sync.WaitGroup
	var sum atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				f, err := executor.Submit(context.Background(), p, square, g*1000+i)
				if err != nil {
					t.Errorf("Submit: %v", err)
					return
				}
				v, err := f.Result(context.Background())
				if err != nil {
					t.Errorf("Result: %v", err)
					return
				}
				sum.Add(int64(v))
			}
		}()
	}
	wg.Wait()
	var want int64
	for g := range 8 {
		for i := range 200 {
			want += int64((g*1000 + i) * (g*1000 + i))
		}
	}
	assert.Equal(t, want, sum.Load())
	assert.EqualValues(t, 1600, p.Stats().Completed)
}

var errBoom = &boomError{}

type boomError struct{}

func (*boomError) Error() string { return "boom" }
