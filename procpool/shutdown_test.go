package procpool_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// TestShutdownRunsQueued: a graceful shutdown runs what was queued.
func TestShutdownRunsQueued(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	var futs []*executor.Future[string]
	for _, name := range []string{"A", "B", "C"} {
		f, err := executor.Submit(ctx, p, workloads.Sleep, workloads.SleepArgs{Name: name, Duration: 10 * time.Millisecond})
		require.NoError(t, err)
		futs = append(futs, f)
	}
	require.NoError(t, p.Shutdown(ctx))
	for _, f := range futs {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}
	proctest.RequireNoChildren(t)
}

// TestShutdownCancelPending: queued tasks are cancelled, the running one finishes.
func TestShutdownCancelPending(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	running, err := executor.Submit(ctx, p, workloads.Sleep, workloads.SleepArgs{Name: "R", Duration: 100 * time.Millisecond})
	require.NoError(t, err)
	proctest.Eventually(t, 10*time.Second, func() bool { return running.State() == executor.Running }, "task running")
	queued, err := executor.Submit(ctx, p, workloads.Square, 3)
	require.NoError(t, err)
	require.NoError(t, p.Shutdown(ctx, executor.CancelPending()))
	_, err = running.Result(ctx)
	require.NoError(t, err)
	_, err = queued.Result(ctx)
	require.ErrorIs(t, err, executor.ErrCancelled)
}

// TestShutdownDeadlineKills: a task that will not end is killed when Shutdown's ctx ends.
func TestShutdownDeadlineKills(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	hung, err := executor.Submit(ctx, p, workloads.Hang, 0)
	require.NoError(t, err)
	proctest.Eventually(t, 10*time.Second, func() bool { return hung.State() == executor.Running }, "task running")
	sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = p.Shutdown(sctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 10*time.Second)
	_, err = hung.Result(ctx)
	require.ErrorIs(t, err, executor.ErrKilled)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	proctest.RequireNoChildren(t)
}
