package threadpool_test

import (
	"bytes"
	"context"
	"errors"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/observe"
	"github.com/dualpool/dualpool/threadpool"
)

// waitFor blocks until its channel is closed: a registered function that a test holds.
var waitFor = executor.Register("threadpool_test.waitFor", func(ctx context.Context, ch chan struct{}) (int, error) {
	<-ch
	return 0, nil
})

var sleepFor = executor.Register("threadpool_test.sleepFor", func(ctx context.Context, d time.Duration) (int, error) {
	time.Sleep(d) // time is what the test measures
	return 0, nil
})

func TestStatsTimings(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	ctx := context.Background()
	hold := make(chan struct{})
	held, err := executor.Submit(ctx, p, waitFor, hold)
	require.NoError(t, err)
	var futs []*executor.Future[int]
	for i := range 10 {
		f, err := executor.Submit(ctx, p, square, i) // queued behind held
		require.NoError(t, err)
		futs = append(futs, f)
	}
	slow, err := executor.Submit(ctx, p, sleepFor, 5*time.Millisecond)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Stats().Busy == 1 }, 10*time.Second, time.Millisecond, "Busy while one task runs")
	time.Sleep(2 * time.Millisecond) // so that the queued tasks wait at least this long
	close(hold)
	_, err = held.Result(ctx)
	require.NoError(t, err)
	for _, f := range append(futs, slow) {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}

	s := p.Stats()
	assert.Equal(t, 0, s.Busy)
	assert.EqualValues(t, 12, s.Run.Count)
	assert.EqualValues(t, 12, s.QueueWait.Count)
	require.Len(t, s.PerFunc, 3)
	sq := s.PerFunc["threadpool_test.square"]
	assert.EqualValues(t, 10, sq.Run.Count)
	assert.GreaterOrEqual(t, sq.QueueWait.Quantile(0), time.Microsecond, "queued tasks waited")
	assert.GreaterOrEqual(t, sq.QueueWait.Sum, 10*2*time.Millisecond, "each queued task waited for the held one")
	sl := s.PerFunc["threadpool_test.sleepFor"]
	assert.GreaterOrEqual(t, sl.Run.Sum, 5*time.Millisecond)
	assert.Zero(t, sl.Run.Counts[0], "a 5ms task is not in the 1µs bucket")
	assert.EqualValues(t, 1, s.PerFunc["threadpool_test.waitFor"].Run.Count)
}

func TestStatsTimingsOff(t *testing.T) {
	p := newPool(t, threadpool.WithTimings(false))
	f, err := executor.Submit(context.Background(), p, square, 3)
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	require.NoError(t, err)
	s := p.Stats()
	assert.Nil(t, s.PerFunc)
	assert.Zero(t, s.Run.Count)
	assert.EqualValues(t, 1, s.Completed)
}

func TestWorkersCarryFuncPprofLabel(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithName("func-labels"))
	hold := make(chan struct{})
	f, err := executor.Submit(context.Background(), p, waitFor, hold)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Stats().Busy == 1 }, 10*time.Second, time.Millisecond)
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	close(hold)
	_, err = f.Result(context.Background())
	require.NoError(t, err)
	assert.Contains(t, buf.String(), `"dualpool.func":"threadpool_test.waitFor"`)
	assert.Contains(t, buf.String(), `"dualpool.pool":"func-labels"`)

	buf.Reset() // an idle worker carries the pool's label only
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	assert.NotContains(t, buf.String(), `"dualpool.func":"threadpool_test.waitFor"`)
}

func TestObserver(t *testing.T) {
	rec := observe.NewRecorder()
	p, err := threadpool.New(threadpool.WithMaxWorkers(1), threadpool.WithObserver(rec))
	require.NoError(t, err)
	ctx := context.Background()
	f, err := executor.Submit(ctx, p, square, 4)
	require.NoError(t, err)
	_, err = f.Result(ctx)
	require.NoError(t, err)
	g, err := threadpool.Go(ctx, p, func(context.Context) (int, error) { return 0, errBoom })
	require.NoError(t, err)
	_, err = g.Result(ctx)
	require.ErrorIs(t, err, errBoom)
	require.NoError(t, p.Close())
	_, err = executor.Submit(ctx, p, square, 5)
	require.ErrorIs(t, err, executor.ErrShutdown)
	require.NoError(t, rec.WaitEnded(bounded(t), 3))

	var got []string
	for _, ev := range rec.Events() {
		got = append(got, ev.What+" "+ev.Func)
		assert.True(t, ev.Marked, "%s %s: the ctx given is the one TaskQueued returned", ev.What, ev.Func)
		if ev.What == "ended" {
			assert.GreaterOrEqual(t, ev.QueueWait, time.Duration(0))
		}
	}
	assert.Equal(t, []string{
		"queued threadpool_test.square", "started threadpool_test.square", "ended threadpool_test.square",
		"queued ", "started ", "ended ",
		"queued threadpool_test.square", "ended threadpool_test.square",
	}, got)
	evs := rec.Events()
	assert.True(t, errors.Is(evs[5].Err, errBoom), "ended: Err = %v; want boom", evs[5].Err)
	assert.ErrorIs(t, evs[7].Err, executor.ErrShutdown)
}

// counters returns s without its timings, having checked that they count every task that
// ran: the tasks that completed or failed, all of which ran in these tests.
func counters(t *testing.T, s executor.Stats) executor.Stats {
	t.Helper()
	assert.Equal(t, s.Completed+s.Failed, s.Run.Count, "Stats.Run counts every task that ran")
	assert.Equal(t, s.Run.Count, s.QueueWait.Count, "Stats.QueueWait counts every task that ran")
	return withoutTimings(s)
}

func withoutTimings(s executor.Stats) executor.Stats {
	s.QueueWait, s.Run, s.PerFunc = executor.Histogram{}, executor.Histogram{}, nil
	return s
}

func TestObserverCancelledWhileQueued(t *testing.T) {
	rec := observe.NewRecorder()
	p := newPool(t, threadpool.WithMaxWorkers(1), threadpool.WithObserver(rec))
	hold := make(chan struct{})
	held, err := executor.Submit(context.Background(), p, waitFor, hold)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	queued, err := executor.Submit(ctx, p, square, 2)
	require.NoError(t, err)
	cancel()
	_, err = queued.Result(context.Background())
	require.ErrorIs(t, err, context.Canceled)
	close(hold)
	_, err = held.Result(context.Background())
	require.NoError(t, err)
	require.NoError(t, rec.WaitEnded(bounded(t), 2))
	var ended []observe.Event
	for _, ev := range rec.Events() {
		if ev.What == "ended" && ev.Func == "threadpool_test.square" {
			ended = append(ended, ev)
		}
	}
	require.Len(t, ended, 1, "TaskEnded for the task cancelled in the queue")
	assert.ErrorIs(t, ended[0].Err, context.Canceled)
	assert.Zero(t, ended[0].Run)
}

// bounded is a ctx for waits that must not hang a failing test.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestTimingsAllocateNothing: the timings add no allocation per task.
func TestTimingsAllocateNothing(t *testing.T) {
	allocs := func(opts ...threadpool.Option) float64 {
		p := newPool(t, append(opts, threadpool.WithMaxWorkers(1))...)
		ctx := context.Background()
		run := func() {
			f, err := executor.Submit(ctx, p, square, 3)
			require.NoError(t, err)
			_, err = f.Result(ctx)
			require.NoError(t, err)
		}
		run() // the worker and the function's record exist from here on
		return testing.AllocsPerRun(200, run)
	}
	off := allocs(threadpool.WithTimings(false))
	on := allocs()
	assert.LessOrEqual(t, on, off, "allocations per task with timings (%v) and without (%v)", on, off)
}

func TestTimingSample(t *testing.T) {
	_, err := threadpool.New(threadpool.WithTimingSample(0))
	require.ErrorContains(t, err, "WithTimingSample(0)")

	const tasks, n = 1600, 8
	p := newPool(t, threadpool.WithMaxWorkers(2), threadpool.WithTimingSample(n))
	ctx := context.Background()
	futs := make([]*executor.Future[int], tasks)
	for i := range futs {
		futs[i], err = executor.Submit(ctx, p, square, i)
		require.NoError(t, err)
	}
	executor.Wait(ctx, futs, executor.AllCompleted)
	s := p.Stats()
	assert.EqualValues(t, tasks, s.Completed)
	// About one task in n is timed, each counting for n: the count is a multiple of n
	// near the number of tasks (200 timed expected; 10 standard deviations either side).
	for _, h := range []executor.Histogram{s.Run, s.QueueWait} {
		assert.Zero(t, h.Count%n, "Count %d is a multiple of %d", h.Count, n)
		assert.InDelta(t, tasks, h.Count, 10*8*13.2, "Count estimates the tasks")
	}
	assert.Equal(t, s.Run.Count, s.QueueWait.Count, "a task timed is timed in both")
	var inBuckets uint64
	for _, c := range s.Run.Counts {
		inBuckets += c
	}
	assert.Equal(t, s.Run.Count, inBuckets)
}

func TestStatsTimeAMapChunkTogether(t *testing.T) {
	p := newPool(t, threadpool.WithMaxWorkers(1))
	ctx := context.Background()
	waits := []time.Duration{time.Millisecond, 3 * time.Millisecond, time.Millisecond, 3 * time.Millisecond}
	for _, err := range executor.Map(ctx, p, sleepFor, slices.Values(waits), executor.Chunk(4)) {
		require.NoError(t, err)
	}
	s := p.Stats().PerFunc["threadpool_test.sleepFor"]
	run, wait := s.Run, s.QueueWait
	assert.EqualValues(t, 4, run.Count, "every task of the chunk counts")
	assert.EqualValues(t, 4, wait.Count)
	assert.GreaterOrEqual(t, run.Sum, 8*time.Millisecond, "the chunk's run time is the sum of its tasks'")
	assert.Less(t, run.Sum, 8*time.Millisecond+time.Second)
	// Each task counts the mean, 2 ms or more when sleeps overshoot on a loaded machine:
	// all four in one bucket from (1ms, 2ms] up, where timing each task alone would put
	// the 1 ms and 3 ms ones apart.
	i := slices.Index(run.Counts[:], 4)
	assert.True(t, i >= 10, "Counts = %v: want all four in one bucket above 1 ms", run.Counts)
}
