package threadpool_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

func TestShutdownWaitsForQueuedAndRunning(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(2))
	l := newLatch(2)
	running := []*executor.Future[int]{l.hold(t, p), l.hold(t, p)}
	l.waitStarted(2)
	var queued []*executor.Future[int]
	for i := range 10 {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		queued = append(queued, f)
	}
	go close(l.release)
	require.NoError(t, p.Shutdown(context.Background()))
	for _, f := range append(running, queued...) {
		assert.Equal(t, executor.Finished, f.State())
		assert.NoError(t, f.Err())
	}
	_, err := executor.Submit(context.Background(), p, square, 1)
	assert.ErrorIs(t, err, executor.ErrShutdown)
	assert.Equal(t, 0, p.Stats().Workers)
}

func TestShutdownCancelPending(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	l := newLatch(1)
	running := l.hold(t, p)
	l.waitStarted(1)
	var queued []*executor.Future[int]
	for i := range 5 {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		queued = append(queued, f)
	}
	done := make(chan error)
	go func() { done <- p.Shutdown(context.Background(), executor.CancelPending()) }()
	for _, f := range queued {
		<-f.Done()
		assert.Equal(t, executor.Cancelled, f.State())
		assert.ErrorIs(t, f.Err(), executor.ErrCancelled)
		assert.ErrorIs(t, f.Err(), context.Canceled)
	}
	assert.Equal(t, executor.Running, running.State(), "the running task goes on")
	close(l.release)
	require.NoError(t, <-done)
	v, err := running.Result(context.Background())
	assert.Equal(t, 1, v)
	assert.NoError(t, err)
	s := p.Stats()
	assert.EqualValues(t, 5, s.Cancelled)
	assert.EqualValues(t, 1, s.Completed)
}

func TestShutdownCtxEndsFirst(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	queued, err := executor.Submit(context.Background(), p, square, 3)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err = p.Shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "1 tasks still running")
	assert.Equal(t, executor.Cancelled, queued.State(), "the queued task is cancelled")
	close(l.release)
	assert.NoError(t, p.Close(), "a later Close waits for the rest")
}

func TestSubmitBlockedOnFullQueueSeesShutdown(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithQueueSize(0))
	l := newLatch(1)
	l.hold(t, p)
	l.waitStarted(1)
	errc := make(chan error)
	go func() {
		_, err := executor.Submit(context.Background(), p, square, 1)
		errc <- err
	}()
	require.Eventually(t, func() bool { return goroutineWaitingInSubmit() }, 10*time.Second, time.Millisecond)
	go close(l.release)
	shut := make(chan error)
	go func() { shut <- p.Shutdown(context.Background()) }()
	err := <-errc
	// Either the worker freed up first and took it, or Shutdown turned it away.
	if err != nil {
		assert.ErrorIs(t, err, executor.ErrShutdown)
	}
	assert.NoError(t, <-shut)
}

// goroutineWaitingInSubmit reports whether some goroutine is parked in the pool's enqueue.
func goroutineWaitingInSubmit() bool {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	return strings.Contains(buf.String(), "threadpool.(*Pool).enqueue")
}
