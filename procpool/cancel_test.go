package procpool_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// TestCancelRunningCooperative: a task that watches its ctx returns its error in time; its
// worker is not killed.
func TestCancelRunningCooperative(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithKillGrace(time.Minute))
	ctx := context.Background()
	pid, err := submitWait(ctx, p, workloads.PID, struct{}{})
	require.NoError(t, err)

	tctx, cancel := context.WithCancel(ctx)
	f, err := executor.Submit(tctx, p, workloads.Sleep, workloads.SleepArgs{Name: "long", Duration: time.Hour})
	require.NoError(t, err)
	proctest.Eventually(t, 10*time.Second, func() bool { return f.State() == executor.Running }, "task running")
	cancel()
	_, err = f.Result(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, executor.ErrKilled)

	tctx, cancel = context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	_, err = submitWait(tctx, p, workloads.Sleep, workloads.SleepArgs{Name: "late", Duration: time.Hour})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	again, err := submitWait(ctx, p, workloads.PID, struct{}{})
	require.NoError(t, err)
	require.Equal(t, pid, again, "the worker survived")
}

// TestCancelRunningHung: a task that ignores its ctx is killed with its worker after the
// grace period, and its error matches the ctx's.
func TestCancelRunningHung(t *testing.T) {
	const grace = 100 * time.Millisecond
	var out proctest.Buffer
	p := newPool(t, procpool.WithWorkers(1), procpool.WithKillGrace(grace), procpool.WithStdout(&out))
	ctx := context.Background()
	tctx, cancel := context.WithCancel(ctx)
	f, err := executor.Submit(tctx, p, loudHang, "hanging")
	require.NoError(t, err)
	proctest.Eventually(t, 10*time.Second, func() bool { return strings.Contains(out.String(), "hanging") }, "task running in its worker")
	start := time.Now()
	cancel()
	_, err = f.Result(ctx)
	took := time.Since(start)
	var ke *executor.KilledError
	require.ErrorAs(t, err, &ke)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, grace, ke.Grace)
	require.Less(t, took, 10*time.Second, "kill took too long")
	require.GreaterOrEqual(t, took, grace, "killed before the grace period")

	v, err := submitWait(ctx, p, workloads.Square, 5)
	require.NoError(t, err)
	require.Equal(t, 25, v)
}

// TestCancelPending: Future.Cancel of a queued task succeeds and the task never runs.
func TestCancelPending(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	block, cancel := context.WithCancel(ctx)
	busy, err := executor.Submit(block, p, workloads.Sleep, workloads.SleepArgs{Name: "busy", Duration: time.Hour})
	require.NoError(t, err)
	queued, err := executor.Submit(ctx, p, workloads.Square, 4)
	require.NoError(t, err)
	require.True(t, queued.Cancel())
	require.Equal(t, executor.Cancelled, queued.State())
	_, err = queued.Result(ctx)
	require.ErrorIs(t, err, executor.ErrCancelled)

	// A queued task whose ctx ends is cancelled too.
	qctx, qcancel := context.WithCancel(ctx)
	queued2, err := executor.Submit(qctx, p, workloads.Square, 5)
	require.NoError(t, err)
	qcancel()
	_, err = queued2.Result(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, executor.Cancelled, queued2.State())

	cancel()
	_, err = busy.Result(ctx)
	require.ErrorIs(t, err, context.Canceled)
	proctest.Eventually(t, 10*time.Second, func() bool { return p.Stats().Cancelled == 2 }, "cancelled counted")
}

// TestMapBreak: breaking out of Map cancels the rest; the pool is fine afterwards.
func TestMapBreak(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	n := 0
	for _, err := range executor.Map(ctx, p, workloads.Square, seq(100_000), executor.Chunk(8)) {
		require.NoError(t, err)
		if n++; n == 50 {
			break
		}
	}
	v, err := submitWait(ctx, p, workloads.Square, 6)
	require.NoError(t, err)
	require.Equal(t, 36, v)
}

// loudHang prints msg, then hangs ignoring its ctx.
var loudHang = executor.Register("procpool_test.loud_hang", func(ctx context.Context, msg string) (int, error) {
	fmt.Println(msg)
	return workloads.Hang.Call(ctx, 0)
})
