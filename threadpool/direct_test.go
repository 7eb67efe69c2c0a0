package threadpool_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// The direct path (direct.go): while every worker is busy, Submit queues without the
// pool's lock and workers take from that queue without it too. These tests stress the
// moments when the path closes under a Submit.

// TestDirectPathCountsItsQueue: tasks and Map chunks queued behind busy workers count in
// Stats as queued and submitted, task by task, beyond the ring's room too, and leave the
// counts as they run.
func TestDirectPathCountsItsQueue(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(2))
	l := newLatch(2)
	held := []*executor.Future[int]{l.hold(t, p), l.hold(t, p)}
	l.waitStarted(2)
	release := sync.OnceFunc(func() { close(l.release) })
	t.Cleanup(release) // before the pool's Close, should the test fail while they wait
	ctx := context.Background()
	mapped := make(chan int, 1)
	go func() { // 4 chunks of 16: the ring holds each as one item
		n := 0
		for _, err := range executor.Map(ctx, p, square, slices.Values(make([]int, 64)), executor.Chunk(16), executor.Window(64)) {
			assert.NoError(t, err)
			n++
		}
		mapped <- n
	}()
	require.Eventually(t, func() bool { return p.Stats().Queued == 64 }, 5*time.Second, time.Millisecond)
	var futs []*executor.Future[int]
	for i := range 1100 { // more than the ring's 1024 hold with the chunks: the rest waits in the FIFO
		f, err := executor.Submit(ctx, p, square, i)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	s := p.Stats()
	assert.Equal(t, 1164, s.Queued, "queued behind two busy workers")
	assert.Equal(t, uint64(1166), s.Submitted)
	release()
	for i, f := range append(futs, held...) {
		_, err := f.Result(ctx)
		require.NoError(t, err, "task %d", i)
	}
	for i, f := range futs {
		v, _ := f.Result(ctx)
		require.Equal(t, i*i, v, "task %d", i)
	}
	assert.Equal(t, 64, <-mapped)
	s = p.Stats()
	assert.Equal(t, 0, s.Queued)
	assert.Equal(t, uint64(1166), s.Completed)
	assert.Equal(t, uint64(1166), s.Submitted, "the FIFO's tasks moved into the ring count once")
}

// TestDirectPathLosesNoTaskAsWorkersGoIdle: submitters racing with workers that run out
// of work and go idle: every task runs, none waits in the queue beside an idle worker.
func TestDirectPathLosesNoTaskAsWorkersGoIdle(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(2))
	ctx := context.Background()
	for round := range 300 {
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 1 + round%7 {
					f, err := executor.Submit(ctx, p, square, i)
					if !assert.NoError(t, err) {
						return
					}
					wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					_, err = f.Result(wctx)
					cancel()
					if !assert.NoError(t, err, "round %d: a task was left waiting", round) {
						return
					}
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
	}
}

// TestDirectPathRacesShutdown: Submits racing with Shutdown are either refused with
// ErrShutdown or taken and then resolved, run or cancelled, exactly once; Shutdown
// returns and no goroutine is left.
func TestDirectPathRacesShutdown(t *testing.T) {
	ctx := context.Background()
	for round := range 100 {
		p, err := threadpool.New(threadpool.WithMaxWorkers(2))
		require.NoError(t, err)
		var futs sync.Map
		var wg sync.WaitGroup
		for g := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					f, err := executor.Submit(ctx, p, square, i)
					if errors.Is(err, executor.ErrShutdown) {
						return
					}
					if !assert.NoError(t, err) {
						return
					}
					futs.Store([2]int{g, i}, f)
				}
			}()
		}
		time.Sleep(time.Duration(round%5) * 100 * time.Microsecond)
		var opts []executor.ShutdownOption
		if round%2 == 1 {
			opts = append(opts, executor.CancelPending())
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		require.NoError(t, p.Shutdown(sctx, opts...), "round %d", round)
		cancel()
		wg.Wait()
		futs.Range(func(k, v any) bool {
			f := v.(*executor.Future[int])
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			_, err := f.Result(wctx)
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("round %d: task %v never resolved", round, k)
			}
			if err != nil && !errors.Is(err, executor.ErrCancelled) {
				t.Fatalf("round %d: task %v: %v", round, k, err)
			}
			return true
		})
		s := p.Stats()
		assert.Equal(t, s.Submitted, s.Completed+s.Failed+s.Cancelled, "round %d: %+v", round, s)
		assert.Zero(t, s.Queued, "round %d", round)
	}
}
