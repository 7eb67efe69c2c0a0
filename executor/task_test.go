package executor_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// manual is a backend driven by hand: it keeps what it is given, so that a test can play
// the part of a remote worker through the Task methods (as a process pool does).
type manual struct {
	mu      sync.Mutex
	tasks   []backend.Task
	batches [][]backend.Task
	refuse  error
	arrived chan struct{} // if not nil, told of each dispatch
}

func (m *manual) tell() {
	if m.arrived != nil {
		m.arrived <- struct{}{}
	}
}

func (m *manual) Execute(_ context.Context, t backend.Task) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return m.refuse
	}
	m.tasks = append(m.tasks, t)
	m.tell()
	return nil
}

func (m *manual) ExecuteBatch(_ context.Context, batch []backend.Task) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return m.refuse
	}
	m.batches = append(m.batches, batch)
	m.tell()
	return nil
}

func (m *manual) Shutdown(context.Context, ...executor.ShutdownOption) error { return nil }
func (m *manual) Close() error                                               { return nil }
func (m *manual) Stats() executor.Stats                                      { return executor.Stats{} }

var _ executor.Executor = (*manual)(nil)

func TestTaskContractForBackends(t *testing.T) {
	m := &manual{}
	ctx := context.Background()
	f, err := executor.Submit(ctx, m, square, 6)
	require.NoError(t, err)
	require.Len(t, m.tasks, 1)
	task := m.tasks[0]

	assert.Equal(t, "executor_test.square", task.Func())
	assert.Equal(t, 6, *task.Input().(*int), "Input is a pointer to the argument")
	assert.Equal(t, ctx, task.Context())
	assert.Equal(t, executor.Pending, f.State())

	require.True(t, task.Start())
	assert.False(t, task.Start(), "a task starts once")
	assert.Equal(t, executor.Running, f.State())
	assert.False(t, task.Discard(errBoom), "a running task cannot be discarded")

	// The result arrives encoded, as from a worker: Finish decodes it into the Out type.
	task.Finish(func(out any) error { *out.(*int) = 36; return nil })
	v, err := f.Result(ctx)
	assert.Equal(t, 36, v)
	assert.NoError(t, err)
	task.Fail(errBoom) // too late: resolved once
	v, err = f.Result(ctx)
	assert.Equal(t, 36, v)
	assert.NoError(t, err, "a second resolution is ignored")
}

func TestTaskFinishDecodeErrorAndFail(t *testing.T) {
	m := &manual{}
	ctx := context.Background()
	f1, _ := executor.Submit(ctx, m, square, 1)
	f2, _ := executor.Submit(ctx, m, square, 2)
	f3, _ := executor.Submit(ctx, m, square, 3)
	for _, task := range m.tasks {
		require.True(t, task.Start())
	}
	m.tasks[0].Finish(func(any) error { return errBoom })
	m.tasks[1].Fail(&executor.WorkerExitError{PID: 12, ExitCode: 3})
	m.tasks[2].Run(nil) // in this goroutine, as a goroutine pool does

	_, err := f1.Result(ctx)
	assert.ErrorIs(t, err, errBoom, "a result that does not decode fails its task")
	_, err = f2.Result(ctx)
	var exit *executor.WorkerExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 12, exit.PID)
	v, err := f3.Result(ctx)
	assert.Equal(t, 9, v)
	assert.NoError(t, err)
}

func TestTaskDiscardAndCancelledCtx(t *testing.T) {
	m := &manual{}
	f, _ := executor.Submit(context.Background(), m, square, 1)
	require.True(t, m.tasks[0].Discard(executor.ErrShutdown))
	assert.False(t, m.tasks[0].Start(), "a discarded task never starts")
	assert.Equal(t, executor.Cancelled, f.State())
	assert.ErrorIs(t, f.Err(), executor.ErrCancelled)
	assert.ErrorIs(t, f.Err(), executor.ErrShutdown, "the cause is kept")

	ctx, cancel := context.WithCancel(context.Background())
	g, _ := executor.Submit(ctx, m, square, 2)
	cancel()
	<-g.Done() // the ctx watch discards it; Start would too
	assert.False(t, m.tasks[1].Start())
	assert.ErrorIs(t, g.Err(), context.Canceled)
}

func TestSubmitRefused(t *testing.T) {
	m := &manual{refuse: executor.ErrQueueFull}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := executor.Submit(ctx, m, square, 1)
	assert.Nil(t, f)
	assert.ErrorIs(t, err, executor.ErrQueueFull)

	// Map reports a refused dispatch at each item's position.
	var errs []error
	for _, err := range executor.Map(ctx, m, square, slices.Values([]int{1, 2, 3}), executor.Chunk(2)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 3)
	for _, err := range errs {
		assert.ErrorIs(t, err, executor.ErrQueueFull)
	}
}

func TestMapChunksReachTheBackendAsBatches(t *testing.T) {
	m := &manual{arrived: make(chan struct{}, 8)}
	results := make(chan []int, 1)
	go func() {
		var got []int
		for v, err := range executor.Map(context.Background(), m, square, slices.Values([]int{1, 2, 3, 4, 5}), executor.Chunk(2)) {
			if err != nil {
				got = append(got, -1)
				continue
			}
			got = append(got, v)
		}
		results <- got
	}()
	for range 3 { // chunks of 2, 2 and 1: all within the default window
		<-m.arrived
	}
	m.mu.Lock()
	require.Len(t, m.batches, 2, "two chunks of two items, one message each")
	require.Len(t, m.tasks, 1, "the last chunk of one item, as a single task")
	dispatched := append(m.batches, m.tasks)
	m.mu.Unlock()
	// Play the worker: answer every item, the last one with an error.
	for _, b := range dispatched {
		for _, task := range b {
			require.True(t, task.Start())
			n := *task.Input().(*int)
			if n == 5 {
				task.Fail(errors.New("five"))
				continue
			}
			task.Finish(func(out any) error { *out.(*int) = n * n; return nil })
		}
	}
	assert.Equal(t, []int{1, 4, 9, 16, -1}, <-results)
}
