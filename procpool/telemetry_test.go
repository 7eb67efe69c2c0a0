package procpool_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/observe"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// testPropagator carries the value of traceKey as the field "x-test-trace".
type testPropagator struct{}

type traceKey struct{}

func (testPropagator) Inject(ctx context.Context, c executor.Carrier) {
	if v, ok := ctx.Value(traceKey{}).(string); ok {
		c.Set("x-test-trace", v)
	}
}

func (testPropagator) Extract(ctx context.Context, c executor.Carrier) context.Context {
	if v := c.Get("x-test-trace"); v != "" {
		return context.WithValue(ctx, traceKey{}, v)
	}
	return ctx
}

// propagators are several propagators in one, as the test workers use them.
type propagators []executor.Propagator

func (ps propagators) Inject(ctx context.Context, c executor.Carrier) {
	for _, p := range ps {
		p.Inject(ctx, c)
	}
}

func (ps propagators) Extract(ctx context.Context, c executor.Carrier) context.Context {
	for _, p := range ps {
		ctx = p.Extract(ctx, c)
	}
	return ctx
}

// traceOf returns the trace its ctx carries in the worker, and its own position n.
var traceOf = executor.Register("procpool_test.traceOf", func(ctx context.Context, n int) (string, error) {
	v, _ := ctx.Value(traceKey{}).(string)
	return v, nil
})

// spin keeps a CPU busy for d without looking at its ctx, so that nothing but a nudge
// makes its worker read frames meanwhile.
var spin = executor.Register("procpool_test.spin", func(_ context.Context, d time.Duration) (int, error) {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		n++
	}
	return n, nil
})

func TestStatsTimings(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	var futs []*executor.Future[int]
	for i := range 5 {
		f, err := executor.Submit(ctx, p, workloads.Square, i)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	for _, f := range futs {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}
	_, err := submitWait(ctx, p, workloads.Exit, 3) // a death, and a restart
	require.Error(t, err)
	_, err = submitWait(ctx, p, workloads.Hang, 5*time.Millisecond)
	require.NoError(t, err)

	s := p.Stats()
	assert.EqualValues(t, 7, s.Run.Count, "Run counts the tasks that ran, the one that died too")
	assert.EqualValues(t, 7, s.QueueWait.Count)
	assert.EqualValues(t, 5, s.PerFunc["workloads.square"].Run.Count)
	assert.EqualValues(t, 1, s.PerFunc["workloads.exit"].Run.Count)
	assert.GreaterOrEqual(t, s.PerFunc["workloads.hang"].Run.Sum, 5*time.Millisecond)
	assert.EqualValues(t, 1, s.Restarts)
	assert.Equal(t, 0, s.Busy)

	q, err := procpool.New(append(baseOptions(), procpool.WithTimings(false))...)
	require.NoError(t, err)
	defer q.Close()
	_, err = submitWait(ctx, q, workloads.Square, 3)
	require.NoError(t, err)
	assert.Nil(t, q.Stats().PerFunc)
	assert.Zero(t, q.Stats().Run.Count)
}

func TestStatsBusy(t *testing.T) {
	p := newPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	f, err := executor.Submit(ctx, p, workloads.Hold, workloads.HoldArgs{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Stats().Busy == 1 }, 10*time.Second, time.Millisecond)
	cancel()
	_, err = f.Result(context.Background())
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, p.Stats().Busy)
}

func TestObserver(t *testing.T) {
	rec := observe.NewRecorder()
	p := newPool(t, procpool.WithObserver(rec), procpool.WithKillGrace(50*time.Millisecond))
	ctx := context.Background()
	_, err := submitWait(ctx, p, workloads.Square, 3)
	require.NoError(t, err)
	_, err = submitWait(ctx, p, workloads.Fail, "no")
	require.Error(t, err)
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = submitWait(tctx, p, workloads.Hang, 0)
	require.ErrorIs(t, err, executor.ErrKilled)
	var got []int
	for v, err := range executor.Map(ctx, p, workloads.Square, slices.Values([]int{1, 2, 3, 4}), executor.Chunk(2)) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{1, 4, 9, 16}, got)
	require.NoError(t, rec.WaitEnded(bounded(t), 5))

	var ended []observe.Event
	for _, ev := range rec.Events() {
		assert.True(t, ev.Marked, "%s %s: the ctx given is the one TaskQueued returned", ev.What, ev.Func)
		if ev.What == "ended" {
			ended = append(ended, ev)
		}
	}
	require.Len(t, ended, 5)
	assert.Equal(t, "workloads.square", ended[0].Func)
	assert.NoError(t, ended[0].Err)
	assert.Positive(t, ended[0].Run)
	assert.Equal(t, "workloads.fail", ended[1].Func)
	assert.Error(t, ended[1].Err)
	assert.Empty(t, ended[1].Kill)
	assert.Equal(t, "workloads.hang", ended[2].Func)
	assert.ErrorIs(t, ended[2].Err, executor.ErrKilled)
	assert.Equal(t, "outlived its ctx", ended[2].Kill)
	assert.Equal(t, 2, ended[3].Calls, "a Map chunk is one event of its calls")
}

func TestPropagator(t *testing.T) {
	ctx := context.WithValue(context.Background(), traceKey{}, "trace-1")
	t.Run("to a worker that reads it", func(t *testing.T) {
		p := newPool(t, procpool.WithPropagator(testPropagator{}))
		got, err := submitWait(ctx, p, traceOf, 1)
		require.NoError(t, err)
		assert.Equal(t, "trace-1", got)
		got, err = submitWait(context.Background(), p, traceOf, 1)
		require.NoError(t, err)
		assert.Empty(t, got, "a ctx with nothing to inject")

		// A batch of tasks with two ctxs, and a Map chunk: each task gets its own.
		other := context.WithValue(context.Background(), traceKey{}, "trace-2")
		f1, err := executor.Submit(ctx, p, traceOf, 1)
		require.NoError(t, err)
		f2, err := executor.Submit(other, p, traceOf, 2)
		require.NoError(t, err)
		for f, want := range map[*executor.Future[string]]string{f1: "trace-1", f2: "trace-2"} {
			got, err := f.Result(context.Background())
			require.NoError(t, err)
			assert.Equal(t, want, got)
		}
		for v, err := range executor.Map(other, p, traceOf, slices.Values([]int{1, 2, 3, 4, 5}), executor.Chunk(2)) {
			require.NoError(t, err)
			assert.Equal(t, "trace-2", v)
		}
	})
	t.Run("not to a worker that does not", func(t *testing.T) {
		p := newPool(t, procpool.WithPropagator(testPropagator{}), procpool.WithEnv("PROCPOOL_TEST_MODE=nopropagator"))
		got, err := submitWait(ctx, p, traceOf, 1)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("not from a pool without one", func(t *testing.T) {
		p := newPool(t)
		got, err := submitWait(ctx, p, traceOf, 1)
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

func TestProfile(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithKillGrace(50*time.Millisecond))
	ctx := context.Background()
	pid := p.Stats().PerWorker[0].PID

	for _, name := range []string{"heap", "goroutine", "allocs"} {
		data, err := p.Profile(ctx, pid, name, 0)
		require.NoError(t, err, name)
		assertGzip(t, data)
	}

	// While the worker spins in a task that never looks at its ctx.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	f, err := executor.Submit(sctx, p, spin, 30*time.Second)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Stats().Busy == 1 }, 10*time.Second, time.Millisecond)
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	data, err := p.Profile(pctx, pid, "cpu", 200*time.Millisecond)
	require.NoError(t, err, "a CPU profile of a busy worker")
	assertGzip(t, data)
	assert.Equal(t, executor.Running, f.State(), "the profile came while the task ran")

	_, err = p.Profile(ctx, pid, "nope", 0)
	assert.ErrorContains(t, err, `no profile "nope"`)
	_, err = p.Profile(ctx, pid, "cpu", 0)
	assert.Error(t, err, "a CPU profile without a duration")
	_, err = p.Profile(ctx, -1, "heap", 0)
	assert.ErrorIs(t, err, procpool.ErrNoWorker)
	cctx, cancelNow := context.WithCancel(ctx)
	cancelNow()
	_, err = p.Profile(cctx, pid, "cpu", time.Hour)
	assert.ErrorIs(t, err, context.Canceled)

	stop() // the spinning task's worker is killed
	_, err = f.Result(ctx)
	assert.ErrorIs(t, err, executor.ErrKilled)
}

// assertGzip checks that data is gzip with a body.
func assertGzip(t *testing.T, data []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	body, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.NotEmpty(t, body)
	assert.False(t, errors.Is(err, io.ErrUnexpectedEOF))
}

// bounded is a ctx for waits that must not hang a failing test.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
