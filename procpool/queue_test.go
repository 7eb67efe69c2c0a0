package procpool_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

func TestQueueFullNonBlocking(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithQueueSize(1), procpool.WithNonBlocking())
	g := newGate(t)
	busy := g.submit(t, p)
	g.started(t)
	queued, err := executor.Submit(context.Background(), p, workloads.Square, 3)
	require.NoError(t, err, "the queue has room for one")
	_, err = executor.Submit(context.Background(), p, workloads.Square, 4)
	require.ErrorIs(t, err, executor.ErrQueueFull)
	g.release()
	_, err = busy.Result(context.Background())
	require.NoError(t, err)
	v, err := queued.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 9, v)
	assert.Equal(t, uint64(2), p.Stats().Submitted, "a refused task is not counted")
}

// TestQueueFullBlocks: a full queue blocks Submit within its ctx, and lets it in as soon
// as a worker takes a queued task.
func TestQueueFullBlocks(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithQueueSize(0))
	g := newGate(t)
	busy := g.submit(t, p)
	g.started(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := executor.Submit(ctx, p, workloads.Square, 2)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	type result struct {
		f   *executor.Future[int]
		err error
	}
	submitted := make(chan result, 1)
	go func() {
		f, err := executor.Submit(context.Background(), p, workloads.Square, 5)
		submitted <- result{f, err}
	}()
	select {
	case r := <-submitted:
		t.Fatalf("Submit on a full queue returned %v at once; want it to wait", r.err)
	case <-time.After(20 * time.Millisecond):
	}
	g.release()
	r := <-submitted
	require.NoError(t, r.err)
	v, err := r.f.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 25, v)
	_, err = busy.Result(context.Background())
	require.NoError(t, err)
}

func TestQueueFullShutdownWakes(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithQueueSize(0))
	g := newGate(t)
	busy := g.submit(t, p)
	g.started(t)
	errc := make(chan error, 1)
	go func() {
		_, err := executor.Submit(context.Background(), p, workloads.Square, 5)
		errc <- err
	}()
	done := make(chan error, 1)
	go func() { done <- p.Shutdown(context.Background()) }()
	require.ErrorIs(t, <-errc, executor.ErrShutdown, "a Submit waiting for room after Shutdown")
	g.release()
	require.NoError(t, <-done)
	_, err := busy.Result(context.Background())
	require.NoError(t, err)
}

func TestQueueTimeout(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithQueueTimeout(20*time.Millisecond))
	g := newGate(t)
	busy := g.submit(t, p)
	g.started(t)
	queued, err := executor.Submit(context.Background(), p, workloads.Square, 3)
	require.NoError(t, err)
	_, err = queued.Result(context.Background())
	require.ErrorIs(t, err, executor.ErrQueueTimeout)
	require.ErrorIs(t, err, executor.ErrCancelled)
	assert.Contains(t, err.Error(), `"workloads.square" waited`)
	assert.Equal(t, executor.Cancelled, queued.State())
	g.release() // the held task ran far longer than the queue timeout: that bounds the wait only
	_, err = busy.Result(context.Background())
	require.NoError(t, err)
	v, err := submitWait(context.Background(), p, workloads.Square, 4)
	require.NoError(t, err)
	assert.Equal(t, 16, v)
	s := p.Stats()
	assert.Equal(t, uint64(1), s.Cancelled, "Stats().Cancelled")
	assert.Equal(t, uint64(2), s.Completed, "Stats().Completed")
}

// TestQueueTimeoutMapChunk: a Map chunk waits as one, and each of its calls fails.
func TestQueueTimeoutMapChunk(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithQueueTimeout(20*time.Millisecond))
	g := newGate(t)
	busy := g.submit(t, p)
	g.started(t)
	n := 0
	for _, err := range executor.Map(context.Background(), p, workloads.Square, seq(6), executor.Chunk(3)) {
		require.ErrorIs(t, err, executor.ErrQueueTimeout)
		n++
	}
	assert.Equal(t, 6, n)
	g.release()
	_, err := busy.Result(context.Background())
	require.NoError(t, err)
}

// TestQueueRoomInElasticPool: in an elastic pool, a worker that can still start is room
// in a queue of size 0.
func TestQueueRoomInElasticPool(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(2), procpool.WithMinWorkers(1), procpool.WithQueueSize(0),
		procpool.WithNonBlocking())
	g1, g2 := newGate(t), newGate(t)
	f1 := g1.submit(t, p)
	g1.started(t)
	f2 := g2.submit(t, p) // a second worker starts for it
	g2.started(t)
	_, err := executor.Submit(context.Background(), p, workloads.Square, 1)
	require.ErrorIs(t, err, executor.ErrQueueFull, "both workers busy, none can start")
	g1.release()
	g2.release()
	pid1, err := f1.Result(context.Background())
	require.NoError(t, err)
	pid2, err := f2.Result(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, pid1, pid2)
}

func TestQueueOptionErrors(t *testing.T) {
	for _, o := range []struct {
		opt  procpool.Option
		want string
	}{
		{procpool.WithQueueSize(-1), "WithQueueSize(-1)"},
		{procpool.WithQueueTimeout(0), "WithQueueTimeout(0s)"},
		{procpool.WithMinWorkers(-1), "WithMinWorkers(-1)"},
		{procpool.WithWorkerTTL(0), "WithWorkerTTL(0s)"},
		{procpool.WithIdleTTL(-time.Second), "WithIdleTTL(-1s)"},
	} {
		_, err := procpool.New(o.opt)
		assert.ErrorContains(t, err, o.want)
	}
	_, err := procpool.New(procpool.WithWorkers(2), procpool.WithMinWorkers(3))
	assert.ErrorContains(t, err, "WithMinWorkers(3): over the maximum of 2 workers")
}
