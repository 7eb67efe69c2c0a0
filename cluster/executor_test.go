package cluster_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// The scenarios of the goroutine and process pools' suites that are not about processes
// on this host, on a cluster pool.

func TestMapOrderedChunkedWindowed(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	in := make([]int, 200)
	for i := range in {
		in[i] = i
	}
	for _, opts := range [][]executor.MapOption{
		nil, {executor.Chunk(16)}, {executor.Chunk(7), executor.Window(3)}, {executor.Window(5)},
	} {
		var got []int
		for v, err := range executor.Map(ctx, p, workloads.Square, slices.Values(in), opts...) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Len(t, got, len(in))
		for i, v := range got {
			require.Equal(t, i*i, v, "Map(%v)[%d]", opts, i)
		}
	}
}

func TestMapUnorderedAsCompletedWait(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	seen := map[int]int{}
	for item := range executor.MapUnordered(ctx, p, workloads.Square, slices.Values([]int{1, 2, 3, 4}), executor.Chunk(2)) {
		require.NoError(t, item.Err)
		seen[item.Index] = item.Value
	}
	assert.Equal(t, map[int]int{0: 1, 1: 4, 2: 9, 3: 16}, seen)

	var futs []*executor.Future[int]
	for i := range 5 {
		f, err := executor.Submit(ctx, p, workloads.Square, i)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	n := 0
	for f := range executor.AsCompleted(ctx, futs...) {
		_, err := f.Result(ctx)
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 5, n)
	done, notDone := executor.Wait(ctx, futs, executor.AllCompleted)
	assert.Len(t, done, 5)
	assert.Empty(t, notDone)
}

func TestFutureStatesAndCallbacks(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	dir := t.TempDir()
	f, err := executor.Submit(ctx, p, gate, GateArgs{dir, "a"})
	require.NoError(t, err)
	called := make(chan int, 1)
	f.AddDoneCallback(func(f *executor.Future[int]) { v, _ := f.Result(ctx); called <- v })
	waitFile(t, dir, "a.started")
	assert.Equal(t, executor.Running, f.State())
	assert.False(t, f.Cancel(), "Cancel of a running task")
	release(t, dir, "a")
	v, err := f.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, v, <-called)
	assert.Equal(t, executor.Finished, f.State())
}

func TestBreakingOutOfMap(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	n := 0
	for _, err := range executor.Map(ctx, p, workloads.Square, naturals(), executor.Window(4)) {
		require.NoError(t, err)
		if n++; n == 10 {
			break
		}
	}
	f, err := executor.Submit(ctx, p, workloads.Square, 3)
	require.NoError(t, err)
	v, err := f.Result(ctx)
	assert.Equal(t, 9, v)
	assert.NoError(t, err)
}

func naturals() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	}
}

func TestConcurrentSubmitters(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8*25)
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				f, err := executor.Submit(ctx, p, workloads.Square, g*100+i)
				if err != nil {
					errs <- err
					return
				}
				if v, err := f.Result(ctx); err != nil || v != (g*100+i)*(g*100+i) {
					errs <- errors.Join(err, errors.New("wrong result"))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := p.Stats()
	assert.Equal(t, uint64(200), s.Completed)
}

func TestErrorsAsOnAGoroutinePool(t *testing.T) {
	p := newPool(t)
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	ctx := context.Background()
	mapped := func(ex executor.Executor) (errs []error) {
		for _, err := range executor.Map(ctx, ex, workloads.FailWith, slices.Values(workloads.ErrorKinds), executor.Chunk(3)) {
			errs = append(errs, err)
		}
		return errs
	}
	wantMap, gotMap := mapped(tp), mapped(p)
	for i, kind := range workloads.ErrorKinds {
		_, want := submitWait(ctx, tp, workloads.FailWith, kind)
		_, got := submitWait(ctx, p, workloads.FailWith, kind)
		proctest.SameError(t, kind, "Submit", want, got)
		proctest.SameError(t, kind, "Map", wantMap[i], gotMap[i])
		if kind == "sentinel" {
			assert.Same(t, workloads.ErrGone, got, "a registered sentinel arrives as itself")
		}
	}
	_, err = submitWait(ctx, p, workloads.Panic, "boom")
	var pe *executor.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.NotEmpty(t, pe.Stack)
}

func TestGoexit(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	_, err := submitWait(ctx, p, squareOrGoexit, -1)
	assert.ErrorIs(t, err, executor.ErrGoexit)
	v, err := submitWait(ctx, p, squareOrGoexit, 4)
	assert.Equal(t, 16, v)
	assert.NoError(t, err)
}

func TestATypeThatWouldNotCross(t *testing.T) {
	p := newPool(t)
	_, err := executor.Submit(context.Background(), p, notPortable, hidden{1})
	assert.ErrorIs(t, err, procpool.ErrNotPortable)
	_, err = executor.Submit(context.Background(), p, executor.Func[int, int]{}, 1)
	assert.ErrorIs(t, err, executor.ErrUnknownFunc)
}

func TestWorkerCrashFailsOneTask(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	_, err := submitWait(ctx, p, workloads.Exit, 3)
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, 3, we.ExitCode)
	v, err := submitWait(ctx, p, workloads.Square, 5)
	assert.Equal(t, 25, v)
	assert.NoError(t, err)
}

func TestShutdownCancelPending(t *testing.T) {
	p := newPool(t, cluster.WithLocalWorkers(1))
	ctx := context.Background()
	dir := t.TempDir()
	running, err := executor.Submit(ctx, p, gate, GateArgs{dir, "run"})
	require.NoError(t, err)
	waitFile(t, dir, "run.started")
	queued, err := executor.Submit(ctx, p, gate, GateArgs{dir, "queued"})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- p.Shutdown(ctx, executor.CancelPending()) }()
	_, err = queued.Result(ctx)
	assert.ErrorIs(t, err, executor.ErrCancelled)
	release(t, dir, "run")
	_, err = running.Result(ctx)
	assert.NoError(t, err)
	assert.NoError(t, <-done)
	_, err = executor.Submit(ctx, p, workloads.Square, 1)
	assert.ErrorIs(t, err, executor.ErrShutdown)
	assert.NoFileExists(t, dir+"/queued.runs", "a cancelled queued task ran")
}

func TestShutdownWithAnEndedCtx(t *testing.T) {
	p := newPool(t, cluster.WithLocalWorkers(1))
	dir := t.TempDir()
	f, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, "hang"})
	require.NoError(t, err)
	waitFile(t, dir, "hang.started")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = p.Shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func submitWait[In, Out any](ctx context.Context, ex executor.Executor, f executor.Func[In, Out], in In) (Out, error) {
	fut, err := executor.Submit(ctx, ex, f, in)
	if err != nil {
		var zero Out
		return zero, err
	}
	return fut.Result(ctx)
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  cluster.Option
		want string
	}{
		{"name", cluster.WithName("a.b"), "WithName"},
		{"ack wait", cluster.WithAckWait(time.Millisecond), "WithAckWait"},
		{"attempts", cluster.WithMaxAttempts(0), "WithMaxAttempts"},
		{"workers", cluster.WithLocalWorkers(-1), "WithLocalWorkers"},
		{"no workers", cluster.WithLocalWorkers(0), "no local workers"},
		{"drain", cluster.WithDrainTimeout(0), "WithDrainTimeout"},
		{"codec", cluster.WithCodec(nil), "WithCodec"},
		{"url", cluster.WithURL(""), "WithURL"},
	} {
		p, err := cluster.New(c.opt)
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		} else {
			p.Close()
		}
	}
	_, err := cluster.New(cluster.WithURL("nats://127.0.0.1:1"))
	assert.ErrorContains(t, err, "connecting to nats://127.0.0.1:1")
	proctest.RequireNoChildren(t)
}
