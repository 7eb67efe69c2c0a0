package procpool_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/goid"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// A waiter in Result reads its own task's answer (Pool.Await): the task is resolved,
// and its done callbacks run, in the waiter's goroutine.
func TestAWaiterReadsItsOwnAnswer(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	me := goid.Current()
	led := 0
	for i := range 20 {
		f, err := executor.Submit(ctx, p, workloads.Square, i)
		require.NoError(t, err)
		var by uint64
		f.AddDoneCallback(func(*executor.Future[int]) { by = goid.Current() })
		v, err := f.Result(ctx)
		require.NoError(t, err)
		assert.Equal(t, i*i, v)
		if by == me {
			led++
		}
	}
	// The reader goroutine may hold the answers for a moment when a waiter comes, and
	// then resolves that task itself; most rounds are the waiter's.
	assert.Greater(t, led, 0, "no waiter read its own answer in 20 rounds")
}

// A waiter reading its worker's answers sees the worker die like the reader goroutine
// does: its task fails with WorkerExitError, and the pool goes on with a replacement.
func TestAWaiterSeesItsWorkerDie(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	_, err := submitWait(ctx, p, workloads.Exit, 3)
	var exit *executor.WorkerExitError
	require.True(t, errors.As(err, &exit), "err = %v; want a WorkerExitError", err)
	v, err := submitWait(ctx, p, workloads.Square, 7)
	require.NoError(t, err)
	assert.Equal(t, 49, v)
}

// A waiter reads answers for a moment only: a Result whose ctx ends while the task runs
// on returns about on time, and the task's answer still arrives.
func TestAWaiterHonoursItsCtx(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	f, err := executor.Submit(context.Background(), p, workloads.Sleep, workloads.SleepArgs{Name: "C", Duration: 300 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = f.Result(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 200*time.Millisecond, "Result returned long after its ctx ended")
	_, err = f.Result(context.Background())
	require.NoError(t, err)
}
