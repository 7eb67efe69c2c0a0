package threadpool_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

func TestQueueTimeout(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueTimeout(20*time.Millisecond))
	l := newLatch(1)
	held := l.hold(t, p)
	l.waitStarted(1)
	queued, err := executor.Submit(context.Background(), p, square, 3)
	require.NoError(t, err)
	_, err = queued.Result(context.Background()) // the worker is held far past the timeout
	require.ErrorIs(t, err, executor.ErrQueueTimeout)
	require.ErrorIs(t, err, executor.ErrCancelled)
	assert.Contains(t, err.Error(), `"threadpool_test.square" waited`)
	assert.Equal(t, executor.Cancelled, queued.State())
	close(l.release)
	v, err := held.Result(context.Background()) // the timeout bounds the wait, not the run
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	v, err = submitWait(t, p, 4)
	require.NoError(t, err)
	assert.Equal(t, 16, v)
	s := p.Stats()
	assert.Equal(t, uint64(1), s.Cancelled, "Stats().Cancelled")
	assert.Equal(t, 0, s.Queued, "Stats().Queued")
}

// TestQueueTimeoutRunsInTime: a task that a worker takes within the timeout runs.
func TestQueueTimeoutRunsInTime(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueTimeout(time.Hour))
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	queued, err := executor.Submit(context.Background(), p, square, 5)
	require.NoError(t, err)
	close(l.release)
	v, err := queued.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 25, v)
}

func submitWait(t *testing.T, p *threadpool.Pool, n int) (int, error) {
	t.Helper()
	f, err := executor.Submit(context.Background(), p, square, n)
	require.NoError(t, err)
	return f.Result(context.Background())
}

func TestResizeGrowStartsQueued(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	l := newLatch(3)
	futs := []*executor.Future[int]{l.hold(t, p), l.hold(t, p), l.hold(t, p)}
	l.waitStarted(1)
	assert.Equal(t, 2, p.Stats().Queued)
	require.NoError(t, p.Resize(context.Background(), 3))
	l.waitStarted(2) // the queued two run at once
	close(l.release)
	for _, f := range futs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
}

// TestResizeGrowIdleHandoff grows a pool over its handoff's capacity while a worker waits
// on it idle: the worker and the new ones all take tasks.
func TestResizeGrowIdleHandoff(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	_, err := submitWait(t, p, 2) // leaves one worker idle on the handoff
	require.NoError(t, err)
	require.NoError(t, p.Resize(context.Background(), 4))
	l := newLatch(4)
	var futs []*executor.Future[int]
	for range 4 {
		futs = append(futs, l.hold(t, p))
	}
	l.waitStarted(4)
	assert.Equal(t, 4, p.Stats().Workers)
	close(l.release)
	for _, f := range futs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
}

func TestResizeShrinkWaitsForBusy(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(3))
	l := newLatch(3)
	futs := []*executor.Future[int]{l.hold(t, p), l.hold(t, p), l.hold(t, p)}
	l.waitStarted(3)
	done := make(chan error, 1)
	go func() { done <- p.Resize(context.Background(), 1) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.Resize(ctx, 1), context.DeadlineExceeded, "Resize returned with 3 busy workers")
	select {
	case err := <-done:
		t.Fatalf("Resize(1) = %v with every worker busy; want it to wait", err)
	default:
	}
	close(l.release)
	require.NoError(t, <-done)
	for _, f := range futs {
		v, err := f.Result(context.Background())
		require.NoError(t, err, "a shrink failed a busy task")
		assert.Equal(t, 1, v)
	}
	assert.LessOrEqual(t, p.Stats().Workers, 1)
	v, err := submitWait(t, p, 6)
	require.NoError(t, err)
	assert.Equal(t, 36, v)
}

func TestResizeShrinkIdle(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(3))
	l := newLatch(3)
	futs := []*executor.Future[int]{l.hold(t, p), l.hold(t, p), l.hold(t, p)}
	l.waitStarted(3)
	close(l.release)
	for _, f := range futs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
	require.NoError(t, p.Resize(context.Background(), 1))
	assert.Equal(t, 1, p.Stats().Workers)
}

func TestResizeErrors(t *testing.T) {
	p, err := threadpool.New()
	require.NoError(t, err)
	require.Error(t, p.Resize(context.Background(), 0))
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Resize(context.Background(), 2), executor.ErrShutdown)
	_, err = threadpool.New(threadpool.WithMaxWorkers(2), threadpool.WithMinWorkers(3))
	require.ErrorContains(t, err, "WithMinWorkers(3)")
	_, err = threadpool.New(threadpool.WithQueueTimeout(0))
	require.ErrorContains(t, err, "WithQueueTimeout(0s)")
}

// TestMinWorkersIdleTimeout: idle workers exit down to the minimum, and no further.
func TestMinWorkersIdleTimeout(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(4), threadpool.WithMinWorkers(2),
		threadpool.WithIdleTimeout(5*time.Millisecond))
	l := newLatch(4)
	var futs []*executor.Future[int]
	for range 4 {
		futs = append(futs, l.hold(t, p))
	}
	l.waitStarted(4)
	close(l.release)
	for _, f := range futs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return p.Stats().Workers == 2 }, 10*time.Second, time.Millisecond)
	// Well past many idle timeouts, the minimum is still there.
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, 2, p.Stats().Workers)
}

// TestResizeFromTask: a task may shrink its own pool without waiting for itself.
func TestResizeFromTask(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(2))
	f, err := threadpool.Go(context.Background(), p, func(ctx context.Context) (int, error) {
		return 0, p.Resize(ctx, 1)
	})
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	require.NoError(t, err)
}

// TestQueueTimeoutBatch: a Map chunk waits as one, and each of its calls fails.
func TestQueueTimeoutBatch(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueTimeout(10*time.Millisecond))
	l := newLatch(1)
	held := l.hold(t, p)
	l.waitStarted(1)
	n := 0
	for _, err := range executor.Map(context.Background(), p, square, slices.Values([]int{1, 2, 3, 4}), executor.Chunk(2)) {
		require.ErrorIs(t, err, executor.ErrQueueTimeout)
		n++
	}
	assert.Equal(t, 4, n)
	close(l.release)
	_, err := held.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, uint64(4), p.Stats().Cancelled)
}

// TestResizeChurn resizes the pool up and down under 600 tasks: every Future resolves
// once with its own result, and the pool ends with no more workers than its last size.
func TestResizeChurn(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(4), threadpool.WithMinWorkers(1),
		threadpool.WithIdleTimeout(time.Millisecond), threadpool.WithQueueSize(16))
	stop := make(chan struct{})
	resized := make(chan struct{})
	go func() {
		defer close(resized)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := p.Resize(context.Background(), 1+i%5); err != nil {
				t.Errorf("Resize: %v", err)
				return
			}
		}
	}()
	const n = 600
	futs := make([]*executor.Future[int], n)
	for i := range futs {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		futs[i] = f
	}
	for i, f := range futs {
		v, err := f.Result(context.Background())
		require.NoError(t, err)
		require.Equal(t, i*i, v, "Submit(%d)", i)
	}
	close(stop)
	<-resized
	require.NoError(t, p.Resize(context.Background(), 2))
	assert.LessOrEqual(t, p.Stats().Workers, 2)
	s := p.Stats()
	assert.Equal(t, uint64(n), s.Completed)
}
