package procpool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/backend"
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
		var by atomic.Uint64 // the reader goroutine may run the callback after Result returns
		f.AddDoneCallback(func(*executor.Future[int]) { by.Store(goid.Current()) })
		v, err := f.Result(ctx)
		require.NoError(t, err)
		assert.Equal(t, i*i, v)
		if by.Load() == me {
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

// squareTask is a backend.Task of workloads.Square made by hand, for ExecuteBatch.
type squareTask struct {
	in   int
	out  int
	err  error
	done chan struct{}
}

func newSquareTask(n int) *squareTask { return &squareTask{in: n, done: make(chan struct{})} }

func (t *squareTask) Context() context.Context { return context.Background() }
func (t *squareTask) Func() string             { return "workloads.square" }
func (t *squareTask) Input() any               { return &t.in }
func (t *squareTask) Start() bool              { return true }
func (t *squareTask) Run(func(error))          { panic("a process pool runs nothing here") }
func (t *squareTask) Finish(decode func(any) error) {
	t.err = decode(&t.out)
	close(t.done)
}
func (t *squareTask) Fail(err error)           { t.err = err; close(t.done) }
func (t *squareTask) Discard(cause error) bool { t.Fail(cause); return true }
func (t *squareTask) isDone() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

// The answers of a batch arrive in one write. A waiter that reads the first and stops
// there must not leave the others in the reader's buffer, where no poll of the pipe
// would announce them to the reader goroutine.
func TestAWaiterLeavesNoAnswerBehind(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	for range 10 {
		batch := []*squareTask{newSquareTask(2), newSquareTask(3), newSquareTask(4)}
		require.NoError(t, p.ExecuteBatch(context.Background(), []backend.Task{batch[0], batch[1], batch[2]}))
		for !batch[0].isDone() && !p.Await(batch[0], batch[0].isDone) { // once in flight
			time.Sleep(10 * time.Microsecond)
		}
		for i, task := range batch {
			select {
			case <-task.done:
			case <-time.After(10 * time.Second):
				t.Fatalf("task %d of the batch was never resolved", i)
			}
			require.NoError(t, task.err)
			assert.Equal(t, task.in*task.in, task.out)
		}
	}
}
