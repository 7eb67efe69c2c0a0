package procpool_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// failure is a task that fails in some way, and what its error must show.
type failure struct {
	name   string
	submit func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error)
	check  func(t *testing.T, err error)
}

func failures() []failure {
	exitErr := func(t *testing.T, err error) *executor.WorkerExitError {
		t.Helper()
		var we *executor.WorkerExitError
		require.ErrorAs(t, err, &we)
		require.NotZero(t, we.PID)
		return we
	}
	return []failure{
		{"error", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, workloads.Fail, "disk full")
		}, func(t *testing.T, err error) { require.EqualError(t, err, "disk full") }},
		{"panic", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, workloads.Panic, "boom")
		}, func(t *testing.T, err error) {
			var pe *executor.PanicError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "boom", pe.Value)
			require.Contains(t, string(pe.Stack), "workloads")
		}},
		{"exit", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, workloads.Exit, 3)
		}, func(t *testing.T, err error) {
			we := exitErr(t, err)
			require.Equal(t, 3, we.ExitCode)
			require.Nil(t, we.Signal)
		}},
		{"kill_self", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, workloads.KillSelf, struct{}{})
		}, func(t *testing.T, err error) {
			we := exitErr(t, err)
			require.Equal(t, syscall.SIGKILL, we.Signal)
			require.Equal(t, -1, we.ExitCode)
		}},
		{"fatal_error", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, workloads.FatalError, struct{}{})
		}, func(t *testing.T, err error) {
			we := exitErr(t, err)
			require.Equal(t, 2, we.ExitCode)
			require.Contains(t, string(we.Stderr), "fatal error:")
		}},
		{"hang_timeout", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			f, err := executor.Submit(ctx, p, workloads.Hang, 0)
			if err != nil {
				cancel()
				return nil, err
			}
			f.AddDoneCallback(func(*executor.Future[int]) { cancel() })
			return f, nil
		}, func(t *testing.T, err error) {
			// Killed while running, or cancelled while still queued behind others.
			require.ErrorIs(t, err, context.DeadlineExceeded)
			if !errors.Is(err, executor.ErrCancelled) {
				var ke *executor.KilledError
				require.ErrorAs(t, err, &ke)
				require.ErrorIs(t, err, executor.ErrKilled)
			}
		}},
		{"unencodable", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, nanTask, measure{Value: math.NaN()}) // JSON has no NaN
		}, func(t *testing.T, err error) { require.ErrorContains(t, err, "encoding the argument") }},
		{"corrupt_frame", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, writeFrame, []byte{0, 0, 0, 2, 99, 1})
		}, func(t *testing.T, err error) {
			we := exitErr(t, err)
			require.ErrorContains(t, we, "corrupt frame")
		}},
		{"oversized_frame", func(ctx context.Context, p *procpool.Pool) (*executor.Future[int], error) {
			return executor.Submit(ctx, p, writeFrame, []byte{0x7f, 0xff, 0xff, 0xff, 4})
		}, func(t *testing.T, err error) {
			we := exitErr(t, err)
			require.ErrorContains(t, we, "frame too large")
		}},
	}
}

// TestFailureAlone runs each failure mode on its own and checks its error, then that the
// pool still serves.
func TestFailureAlone(t *testing.T) {
	p := newPool(t, procpool.WithKillGrace(20*time.Millisecond))
	ctx := context.Background()
	for _, fm := range failures() {
		t.Run(fm.name, func(t *testing.T) {
			f, err := fm.submit(ctx, p)
			require.NoError(t, err)
			_, err = f.Result(ctx)
			require.Error(t, err)
			fm.check(t, err)
			v, err := submitWait(ctx, p, workloads.Square, 9)
			require.NoError(t, err)
			require.Equal(t, 81, v)
		})
	}
}

// TestFailureMixed runs every failure mode among healthy tasks on a pool: every healthy
// result is right, every future resolves, and the pool keeps serving.
func TestFailureMixed(t *testing.T) {
	p := newPool(t, procpool.WithKillGrace(20*time.Millisecond))
	ctx := context.Background()
	type pending struct {
		fm *failure
		f  *executor.Future[int]
	}
	var bad []pending
	var good []*executor.Future[int]
	fms := failures()
	for round := range 2 {
		for i := range fms {
			for k := range 3 {
				f, err := executor.Submit(ctx, p, workloads.Square, round*100+i*3+k)
				require.NoError(t, err)
				good = append(good, f)
			}
			f, err := fms[i].submit(ctx, p)
			require.NoError(t, err)
			bad = append(bad, pending{&fms[i], f})
		}
	}
	for i, f := range good {
		round, rest := i/(3*len(fms)), i%(3*len(fms))
		v, err := f.Result(ctx)
		n := round*100 + rest
		assert.NoError(t, err)
		assert.Equal(t, n*n, v, "square of %d", n)
	}
	for _, b := range bad {
		_, err := b.f.Result(ctx)
		t.Run(b.fm.name, func(t *testing.T) { b.fm.check(t, err) })
	}
	v, err := submitWait(ctx, p, workloads.Square, 12)
	require.NoError(t, err)
	require.Equal(t, 144, v)
}

// TestMapSurvivesCrash: a chunk whose worker dies is rerun item by item; only the item
// that kills a worker fails.
func TestMapSurvivesCrash(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	i := 0
	for v, err := range executor.Map(ctx, p, exitOn13, seq(100), executor.Chunk(16)) {
		if i == 13 {
			var we *executor.WorkerExitError
			require.ErrorAs(t, err, &we, "item 13")
			require.Equal(t, 13, we.ExitCode)
		} else {
			require.NoError(t, err, "item %d", i)
			require.Equal(t, i, v)
		}
		i++
	}
	require.Equal(t, 100, i)
}

func TestUnknownFunc(t *testing.T) {
	p := newPool(t)
	late := registerLate()
	_, err := executor.Submit(context.Background(), p, late, 1)
	require.ErrorIs(t, err, executor.ErrUnknownFunc)
	_, err = executor.SubmitFunc(context.Background(), p, func(context.Context) (int, error) { return 0, nil })
	require.ErrorIs(t, err, executor.ErrUnknownFunc)
	v, err := submitWait(context.Background(), p, workloads.Square, 3)
	require.NoError(t, err)
	require.Equal(t, 9, v)
}

func TestResultTooLarge(t *testing.T) {
	p := newPool(t, procpool.WithMaxMessageSize(64<<10))
	_, err := submitWait(context.Background(), p, workloads.LargeResult, 100<<10)
	require.ErrorContains(t, err, "over the frame limit")
	_, err = submitWait(context.Background(), p, workloads.Echo, make([]byte, 100<<10))
	require.ErrorContains(t, err, "over the frame limit")
	v, err := submitWait(context.Background(), p, workloads.Square, 3)
	require.NoError(t, err)
	require.Equal(t, 9, v)
}

// registerLate registers a function after the workers started (once, for -count): they
// do not have it.
var registerLate = sync.OnceValue(func() executor.Func[int, int] {
	return executor.Register("procpool_test.late", func(context.Context, int) (int, error) { return 0, nil })
})

var chanTask = executor.Register("procpool_test.chan", func(context.Context, chan int) (int, error) { return 0, nil })

// measure's Value is a float64 that may be NaN, which the JSON fallback cannot encode.
type measure struct{ Value float64 }

var nanTask = executor.Register("procpool_test.nan", func(context.Context, measure) (int, error) { return 0, nil })

// writeFrame writes raw bytes on the worker's IPC pipe, as a broken worker would.
var writeFrame = executor.Register("procpool_test.write_frame", func(_ context.Context, b []byte) (int, error) {
	_, err := syscall.Write(4, b)
	if err != nil {
		return 0, err
	}
	time.Sleep(time.Minute) // the parent kills this worker
	return 0, errors.New("not killed")
})

var exitOn13 = executor.Register("procpool_test.exit_on_13", func(ctx context.Context, n int) (int, error) {
	if n == 13 {
		return workloads.Exit.Call(ctx, 13)
	}
	return n, nil
})
