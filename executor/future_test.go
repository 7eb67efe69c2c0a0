package executor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

func TestSubmitResult(t *testing.T) {
	p := newPool(t, 2)
	f, err := executor.Submit(context.Background(), p, square, 7)
	require.NoError(t, err)
	v, err := f.Result(context.Background())
	if v != 49 || err != nil {
		t.Fatalf("Submit(7) = %v, %v; want 49, <nil>", v, err)
	}
	assert.Equal(t, executor.Finished, f.State())
	assert.NoError(t, f.Err())
	select {
	case <-f.Done():
	default:
		t.Fatal("Done() not closed after Result returned")
	}
}

func TestSubmitErrors(t *testing.T) {
	p := newPool(t, 1)
	var zero executor.Func[int, int]
	_, err := executor.Submit(context.Background(), p, zero, 1)
	assert.ErrorIs(t, err, executor.ErrUnknownFunc, "Submit of a zero Func")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := executor.Submit(ctx, p, square, 1)
	assert.Nil(t, f)
	assert.ErrorIs(t, err, context.Canceled, "Submit with a cancelled ctx")
}

func TestTaskErrorAndPanic(t *testing.T) {
	p := newPool(t, 1)
	ctx := context.Background()
	f, err := executor.Submit(ctx, p, failOdd, 3)
	require.NoError(t, err)
	_, err = f.Result(ctx)
	assert.EqualError(t, err, "odd 3")
	assert.Equal(t, executor.Finished, f.State())

	f, err = executor.Submit(ctx, p, panicky, "kaboom")
	require.NoError(t, err)
	_, err = f.Result(ctx)
	var pe *executor.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "kaboom", pe.Value)
	assert.Contains(t, string(pe.Stack), "executor_test", "the stack names the panicking task")
	assert.NotContains(t, pe.Error(), "goroutine", "Error() must not carry the stack")

	// The pool keeps serving after a panic.
	f, err = executor.Submit(ctx, p, square, 5)
	require.NoError(t, err)
	v, err := f.Result(ctx)
	assert.Equal(t, 25, v)
	assert.NoError(t, err)
}

func TestPanicErrorUnwrapsErrorValue(t *testing.T) {
	p := newPool(t, 1)
	f, err := executor.SubmitFunc(context.Background(), p, func(context.Context) (int, error) { panic(errBoom) })
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, errBoom)
	var pe *executor.PanicError
	assert.ErrorAs(t, err, &pe)
}

func TestFutureStates(t *testing.T) {
	p := newPool(t, 1)
	g := newGate(1)
	f := submitGated(t, p, g)
	<-g.started
	assert.Equal(t, executor.Running, f.State())
	queued, err := executor.Submit(context.Background(), p, square, 3)
	require.NoError(t, err)
	assert.Equal(t, executor.Pending, queued.State())
	assert.NoError(t, queued.Err(), "Err() of a pending future")
	g.open()
	_, _ = queued.Result(context.Background())
	assert.Equal(t, executor.Finished, f.State())
	assert.Equal(t, executor.Finished, queued.State())
	for s, want := range map[executor.State]string{executor.Pending: "pending", executor.Running: "running",
		executor.Finished: "finished", executor.Cancelled: "cancelled", executor.State(9): "State(9)"} {
		assert.Equal(t, want, s.String())
	}
}

func TestCancel(t *testing.T) {
	p := newPool(t, 1)
	b := block(t, p, 1)
	var ran atomic.Bool
	f, err := executor.SubmitFunc(context.Background(), p, func(context.Context) (int, error) {
		ran.Store(true)
		return 1, nil
	})
	require.NoError(t, err)

	assert.True(t, f.Cancel(), "Cancel() of a pending future")
	assert.True(t, f.Cancel(), "Cancel() of a cancelled future")
	assert.False(t, b.futs[0].Cancel(), "Cancel() of a running future")
	assert.Equal(t, executor.Cancelled, f.State())
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, executor.ErrCancelled)
	assert.ErrorIs(t, err, context.Canceled)

	b.release()
	_, err = b.futs[0].Result(context.Background())
	require.NoError(t, err)
	assert.False(t, b.futs[0].Cancel(), "Cancel() of a finished future")
	require.NoError(t, p.Close())
	assert.False(t, ran.Load(), "a cancelled task ran")
	assert.EqualValues(t, 1, p.Stats().Cancelled)
}

func TestSubmitCtxCancelsPendingTask(t *testing.T) {
	p := newPool(t, 1)
	b := block(t, p, 1)
	defer b.release()

	ctx, cancel := context.WithCancel(context.Background())
	f, err := executor.Submit(ctx, p, square, 2)
	require.NoError(t, err)
	cancel()
	<-f.Done()
	assert.Equal(t, executor.Cancelled, f.State())
	assert.ErrorIs(t, f.Err(), executor.ErrCancelled)
	assert.ErrorIs(t, f.Err(), context.Canceled)

	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	f, err = executor.Submit(ctx, p, square, 2)
	require.NoError(t, err)
	<-f.Done()
	assert.ErrorIs(t, f.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, f.Err(), executor.ErrCancelled)
	assert.NotErrorIs(t, f.Err(), context.Canceled, "a deadline is not a cancel")
}

func TestSubmitCtxReachesRunningTask(t *testing.T) {
	p := newPool(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	g := newGate(1)
	f, err := executor.Submit(ctx, p, gated, g)
	require.NoError(t, err)
	<-g.started
	cancel()
	_, err = f.Result(context.Background())
	assert.ErrorIs(t, err, context.Canceled, "the running task returns its ctx's error")
	assert.Equal(t, executor.Finished, f.State(), "a task that ran is finished, not cancelled")
}

func TestResultCtxBoundsOnlyTheWait(t *testing.T) {
	p := newPool(t, 1)
	g := newGate(7)
	f := submitGated(t, p, g)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := f.Result(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, executor.Running, f.State(), "the task goes on")
	g.open()
	v, err := f.Result(context.Background())
	assert.Equal(t, 7, v)
	assert.NoError(t, err)
}

func TestAddDoneCallback(t *testing.T) {
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	p := newPool(t, 1)
	g := newGate(1)
	f := submitGated(t, p, g)

	var order []string
	calls := make(chan string, 10)
	f.AddDoneCallback(func(*executor.Future[int]) { calls <- "first" })
	f.AddDoneCallback(func(*executor.Future[int]) { panic("a bad callback") })
	f.AddDoneCallback(func(got *executor.Future[int]) {
		if got != f {
			t.Errorf("callback got %p; want %p", got, f)
		}
		calls <- "third"
	})
	g.open()
	order = append(order, <-calls, <-calls)
	assert.Equal(t, []string{"first", "third"}, order, "a panicking callback must not stop the others")
	assert.Contains(t, logs.String(), `panic="a bad callback"`, "the panic is logged")

	// Added after completion: runs at once, in this goroutine, exactly once.
	var n int
	f.AddDoneCallback(func(*executor.Future[int]) { n++ })
	assert.Equal(t, 1, n)
	select {
	case c := <-calls:
		t.Fatalf("callback %q ran twice", c)
	default:
	}
}

func TestCallbackRunsOnceOnCancel(t *testing.T) {
	p := newPool(t, 1)
	b := block(t, p, 1)
	defer b.release()
	f, err := executor.Submit(context.Background(), p, square, 1)
	require.NoError(t, err)
	var n atomic.Int32
	f.AddDoneCallback(func(*executor.Future[int]) { n.Add(1) })
	f.Cancel()
	f.Cancel()
	assert.EqualValues(t, 1, n.Load())
}

func TestRegister(t *testing.T) {
	assert.Equal(t, "executor_test.square", square.Name())
	v, err := square.Call(context.Background(), 4)
	assert.Equal(t, 16, v)
	assert.NoError(t, err)

	assert.PanicsWithValue(t, `executor: Register called twice for "executor_test.square"`, func() {
		executor.Register("executor_test.square", func(context.Context, int) (int, error) { return 0, nil })
	})
	assert.Panics(t, func() { executor.Register("", func(context.Context, int) (int, error) { return 0, nil }) })
	assert.Panics(t, func() { executor.Register[int, int]("executor_test.nil", nil) })

	names := backend.Names()
	assert.Contains(t, names, "executor_test.square")
	assert.IsNonDecreasing(t, names)

	r, ok := backend.Lookup("executor_test.square")
	require.True(t, ok)
	assert.Equal(t, "int", r.In().String())
	assert.Equal(t, "int", r.Out().String())
	call := r.NewCall()
	var out any
	keep := func(p any) error { out = *p.(*int); return nil }
	err = call.Run(context.Background(), func(in any) error { *in.(*int) = 9; return nil }, keep)
	assert.Equal(t, 81, out)
	assert.NoError(t, err)
	err = call.Run(context.Background(), func(in any) error { *in.(*int) = 3; return nil }, keep)
	assert.Equal(t, 9, out, "a Call is reused from task to task")
	assert.NoError(t, err)

	err = call.Run(context.Background(), func(any) error { return errBoom }, keep)
	assert.ErrorIs(t, err, errBoom, "a decoding error is returned")
	err = call.Run(context.Background(), func(in any) error { return nil }, func(any) error { return errBoom })
	assert.ErrorIs(t, err, errBoom, "an encoding error is returned")

	r, _ = backend.Lookup("executor_test.panic")
	err = r.NewCall().Run(context.Background(), func(in any) error { *in.(*string) = "inside"; return nil }, keep)
	var pe *executor.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "inside", pe.Value)

	_, ok = backend.Lookup("no such name")
	assert.False(t, ok)
}

func TestErrorTypes(t *testing.T) {
	killed := &executor.KilledError{PID: 42, Grace: time.Second, Cause: context.DeadlineExceeded}
	assert.ErrorIs(t, killed, executor.ErrKilled)
	assert.ErrorIs(t, killed, context.DeadlineExceeded)
	assert.Contains(t, killed.Error(), "worker 42")

	mem := &executor.MemoryLimitError{PID: 7, Used: 300 << 20, Limit: 256 << 20}
	assert.ErrorIs(t, mem, executor.ErrMemoryLimit)
	assert.Equal(t, "executor: worker 7 used 300 MiB, over its hard limit of 256 MiB; killed", mem.Error())

	exit := &executor.WorkerExitError{PID: 9, ExitCode: 2, Stderr: []byte("fatal error: concurrent map writes")}
	assert.Equal(t, "executor: worker 9 exited with code 2: fatal error: concurrent map writes", exit.Error())
	var target *executor.WorkerExitError
	wrapped := errors.Join(errBoom, exit)
	require.ErrorAs(t, wrapped, &target)
	assert.True(t, strings.Contains(string(target.Stderr), "concurrent map writes"))

	corrupt := &executor.WorkerExitError{PID: 9, ExitCode: -1, Err: errBoom}
	assert.ErrorIs(t, corrupt, errBoom)
	assert.Equal(t, "executor: worker 9 exited: boom", corrupt.Error())
}
