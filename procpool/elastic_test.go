package procpool_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// holdAll submits one held task per gate and returns once each runs, with the Futures.
func holdAll(t *testing.T, p *procpool.Pool, gates ...*gate) []*executor.Future[int] {
	t.Helper()
	var futs []*executor.Future[int]
	for _, g := range gates {
		futs = append(futs, g.submit(t, p))
	}
	for _, g := range gates {
		g.started(t)
	}
	return futs
}

// releaseAll releases the gates and returns the distinct pids their tasks ran in.
func releaseAll(t *testing.T, futs []*executor.Future[int], gates ...*gate) map[int]bool {
	t.Helper()
	for _, g := range gates {
		g.release()
	}
	pids := map[int]bool{}
	for _, f := range futs {
		pid, err := f.Result(context.Background())
		require.NoError(t, err)
		pids[pid] = true
	}
	return pids
}

// TestElasticGrowsAndShrinks: an elastic pool starts its minimum, grows while tasks wait,
// and shrinks back to its minimum when idle; none of it counts toward the restart rule.
func TestElasticGrowsAndShrinks(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(3), procpool.WithMinWorkers(1),
		procpool.WithIdleTTL(20*time.Millisecond), procpool.WithRestartIntensity(0, time.Minute))
	assert.Len(t, proctest.Children(t), 1, "an elastic pool starts its minimum")
	gates := []*gate{newGate(t), newGate(t), newGate(t)}
	futs := holdAll(t, p, gates...)
	assert.Len(t, releaseAll(t, futs, gates...), 3, "three tasks waiting: three workers")
	require.Eventually(t, func() bool { return len(proctest.Children(t)) == 1 }, 20*time.Second, 5*time.Millisecond,
		"idle workers over the minimum stop")
	assert.Equal(t, 1, p.Stats().Workers)
	v, err := submitWait(context.Background(), p, workloads.Square, 6)
	require.NoError(t, err, "the pool still serves after shrinking")
	assert.Equal(t, 36, v)
}

// TestElasticMinZero: a minimum of 0 still starts one worker (New checks the binary),
// and lets it go when idle; a later task starts another.
func TestElasticMinZero(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(2), procpool.WithMinWorkers(0),
		procpool.WithIdleTTL(10*time.Millisecond), procpool.WithRestartIntensity(0, time.Minute))
	require.Eventually(t, func() bool { return len(proctest.Children(t)) == 0 }, 20*time.Second, 5*time.Millisecond)
	v, err := submitWait(context.Background(), p, workloads.Square, 5)
	require.NoError(t, err)
	assert.Equal(t, 25, v)
}

// TestResizeFixed: a fixed pool grows to n ready workers, and shrinks without stopping a
// busy worker: Resize waits for it.
func TestResizeFixed(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(0, time.Minute))
	require.NoError(t, p.Resize(context.Background(), 3))
	assert.Equal(t, 3, p.Stats().Workers, "after Resize(3)")
	gates := []*gate{newGate(t), newGate(t), newGate(t)}
	futs := holdAll(t, p, gates...)
	done := make(chan error, 1)
	go func() { done <- p.Resize(context.Background(), 1) }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.Resize(ctx, 1), context.DeadlineExceeded, "Resize(1) with every worker busy")
	assert.Len(t, proctest.Children(t), 3, "a shrink stopped a busy worker")
	assert.Len(t, releaseAll(t, futs, gates...), 3)
	require.NoError(t, <-done)
	assert.Len(t, proctest.Children(t), 1)
	assert.Equal(t, 1, p.Stats().Workers)
	require.Error(t, p.Resize(context.Background(), 0))
}

// TestResizeElastic: an elastic pool's Resize sets its maximum.
func TestResizeElastic(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(2), procpool.WithMinWorkers(1), procpool.WithRestartIntensity(0, time.Minute))
	require.NoError(t, p.Resize(context.Background(), 3))
	assert.Equal(t, 1, p.Stats().Workers, "growing the maximum starts nobody yet")
	gates := []*gate{newGate(t), newGate(t), newGate(t)}
	futs := holdAll(t, p, gates...)
	assert.Len(t, releaseAll(t, futs, gates...), 3)
	require.NoError(t, p.Resize(context.Background(), 1))
	assert.Len(t, proctest.Children(t), 1)
}

// TestWorkerTTL: workers are replaced as they age, between tasks, and no task fails.
func TestWorkerTTL(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(2), procpool.WithWorkerTTL(30*time.Millisecond),
		procpool.WithRestartIntensity(0, time.Minute))
	pids := map[int]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for len(pids) < 5 && time.Now().Before(deadline) {
		pid, err := submitWait(context.Background(), p, pidOf, 0)
		require.NoError(t, err)
		pids[pid] = true
	}
	assert.GreaterOrEqual(t, len(pids), 5, "distinct workers seen")
	assert.Zero(t, p.Stats().Failed)
}

// TestWorkerTTLBusy: a worker past its lifetime finishes its task before it goes.
func TestWorkerTTLBusy(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithWorkerTTL(5*time.Millisecond),
		procpool.WithRestartIntensity(0, time.Minute))
	g := newGate(t)
	futs := holdAll(t, p, g)
	time.Sleep(20 * time.Millisecond) // the subject: a lifetime that ends while busy
	pids := releaseAll(t, futs, g)
	now, err := submitWait(context.Background(), p, pidOf, 0)
	require.NoError(t, err)
	assert.False(t, pids[now], "the aged worker is gone after its task")
}

// TestIdleTTLFixedReplaces: in a pool of fixed size, an idle worker past WithIdleTTL is
// replaced by a fresh one.
func TestIdleTTLFixedReplaces(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithIdleTTL(10*time.Millisecond),
		procpool.WithRestartIntensity(0, time.Minute))
	first, err := submitWait(context.Background(), p, pidOf, 0)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		pid, err := submitWait(context.Background(), p, pidOf, 0)
		return err == nil && pid != first
	}, 20*time.Second, 20*time.Millisecond)
}

// TestWorkerTTLQuarter: workers aging out are replaced a quarter of the pool at a time,
// so under load at least 3 of 4 stay ready.
func TestWorkerTTLQuarter(t *testing.T) {
	const n = 4
	p := newPool(t, procpool.WithWorkers(n), procpool.WithWorkerTTL(20*time.Millisecond),
		procpool.WithRestartIntensity(0, time.Minute))
	require.Eventually(t, func() bool { return p.Stats().Workers == n }, 20*time.Second, time.Millisecond)
	pids := map[int]bool{}
	lowest := n
	for len(pids) < 3*n {
		var futs []*executor.Future[int]
		for range n {
			f, err := executor.Submit(context.Background(), p, pidOf, 0)
			require.NoError(t, err)
			futs = append(futs, f)
		}
		lowest = min(lowest, p.Stats().Workers)
		for _, f := range futs {
			pid, err := f.Result(context.Background())
			require.NoError(t, err)
			pids[pid] = true
		}
	}
	assert.GreaterOrEqual(t, lowest, n-1, "ready workers while they age out")
}
