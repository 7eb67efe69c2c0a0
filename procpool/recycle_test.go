package procpool_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// recycled asks for a new worker and returns n and its worker's pid.
var recycled = executor.Register("procpool_test.recycled", func(ctx context.Context, n int) ([2]int, error) {
	if err := procpool.Recycle(ctx); err != nil {
		return [2]int{}, err
	}
	return [2]int{n, os.Getpid()}, nil
})

func TestRecycle(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(0, time.Minute))
	got, err := submitWait(context.Background(), p, recycled, 7)
	require.NoError(t, err)
	assert.Equal(t, 7, got[0], "Recycle changes nothing of the task's result")
	next, err := submitWait(context.Background(), p, pidOf, 0)
	require.NoError(t, err)
	assert.NotEqual(t, got[1], next, "the next task ran in the recycled worker")
	require.Eventually(t, func() bool { return !proctest.Alive(got[1]) }, 20*time.Second, 5*time.Millisecond)
	assert.Zero(t, p.Stats().Failed)
}

// TestRecycleMidChunk: a call of a Map chunk that asks for a new worker lets the chunk
// finish there first.
func TestRecycleMidChunk(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(0, time.Minute))
	pids := map[int]bool{}
	i := 0
	for v, err := range executor.Map(context.Background(), p, recycled, seq(8), executor.Chunk(4)) {
		require.NoError(t, err)
		assert.Equal(t, i, v[0])
		pids[v[1]] = true
		i++
	}
	assert.Len(t, pids, 2, "two chunks, one worker each")
}

func TestRecycleOutsideWorker(t *testing.T) {
	require.ErrorContains(t, procpool.Recycle(context.Background()), "not called with the ctx of a task in a worker")
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	_, err = submitWait(context.Background(), tp, recycled, 1)
	require.ErrorContains(t, err, "procpool: Recycle")
}

// TestChurn runs ~600 tasks while the pool resizes, resets, ages its workers out and
// recycles them: every Future resolves once, with its own result, and no planned
// departure counts toward a restart intensity of 0.
func TestChurn(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(3), procpool.WithMinWorkers(1), procpool.WithWorkerTTL(40*time.Millisecond),
		procpool.WithIdleTTL(15*time.Millisecond), procpool.WithQueueSize(8),
		procpool.WithRestartIntensity(0, time.Minute))
	stop := make(chan struct{})
	var ops sync.WaitGroup
	ops.Go(func() { // the operator
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var err error
			if i%3 == 2 {
				err = p.Reset(context.Background())
			} else {
				err = p.Resize(context.Background(), 1+rand.IntN(4))
			}
			if err != nil {
				t.Errorf("operator: %v", err)
				return
			}
		}
	})
	const n = 600
	var subs sync.WaitGroup
	futs := make([]*executor.Future[[2]int], n)
	squares := make([]*executor.Future[int], n)
	for g := range 4 {
		subs.Go(func() {
			for i := g; i < n; i += 4 {
				var err error
				if i%5 == 0 {
					futs[i], err = executor.Submit(context.Background(), p, recycled, i)
				} else {
					squares[i], err = executor.Submit(context.Background(), p, workloads.Square, i)
				}
				if err != nil {
					t.Errorf("Submit(%d): %v", i, err)
				}
			}
		})
	}
	subs.Wait()
	for i := range n {
		if f := futs[i]; f != nil {
			v, err := f.Result(context.Background())
			require.NoError(t, err, "task %d", i)
			require.Equal(t, i, v[0], "task %d", i)
			continue
		}
		v, err := squares[i].Result(context.Background())
		require.NoError(t, err, "task %d", i)
		require.Equal(t, i*i, v, fmt.Sprintf("Square(%d)", i))
	}
	close(stop)
	ops.Wait()
	s := p.Stats()
	assert.Equal(t, uint64(n), s.Submitted)
	assert.Equal(t, uint64(n), s.Completed)
	assert.Zero(t, s.Failed+s.Cancelled)
}
