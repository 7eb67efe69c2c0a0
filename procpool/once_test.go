package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// The tests of this file close the holes in "once taken, a task is resolved exactly
// once": each failed before the change that closed it.

var goexit = executor.Register("procpool_test.goexit", func(context.Context, int) (int, error) {
	runtime.Goexit()
	return 0, nil
})

var pidOf = executor.Register("procpool_test.pid_of", func(_ context.Context, n int) (int, error) {
	if n < 0 {
		runtime.Goexit()
	}
	return os.Getpid(), nil
})

// TestGoexitInATask: runtime.Goexit (as t.FailNow does) resolves the task with
// executor.ErrGoexit, and the worker goes on serving: the next task runs in the same
// process, and a Map chunk's other items still resolve.
func TestGoexitInATask(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	before, err := submitWait(ctx, p, workloads.PID, struct{}{})
	require.NoError(t, err)

	_, err = submitWait(ctx, p, goexit, 1)
	require.ErrorIs(t, err, executor.ErrGoexit)

	after, err := submitWait(ctx, p, workloads.PID, struct{}{})
	require.NoError(t, err)
	assert.Equal(t, before, after, "the worker survives a Goexit")

	var errs, pids int
	for pid, err := range executor.Map(ctx, p, pidOf, slices.Values([]int{1, -1, 2, -1, 3}), executor.Chunk(5)) {
		switch {
		case errors.Is(err, executor.ErrGoexit):
			errs++
		case err != nil:
			t.Errorf("Map item: %v", err)
		default:
			assert.Equal(t, before, pid)
			pids++
		}
	}
	assert.Equal(t, 2, errs, "items that called Goexit")
	assert.Equal(t, 3, pids, "items that returned")
	s := p.Stats()
	assert.Equal(t, 0, s.Running)
	assert.Equal(t, uint64(3), s.Failed)
}

// TestChunkOverFrameLimitIsSplit: a Map chunk whose Batch frame would exceed the frame
// limit is sent in several frames, each under it, instead of killing the worker.
func TestChunkOverFrameLimitIsSplit(t *testing.T) {
	const limit = 64 << 10
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMaxMessageSize(limit))
	inputs := make([][]byte, 64)
	for i := range inputs {
		inputs[i] = []byte(strings.Repeat(string(rune('a'+i%26)), 4<<10)) // 64 × 4 KiB = 256 KiB
	}
	i := 0
	for out, err := range executor.Map(context.Background(), p, workloads.Echo, slices.Values(inputs), executor.Chunk(64)) {
		require.NoError(t, err, "item %d", i)
		assert.Equal(t, inputs[i], out, "item %d", i)
		i++
	}
	require.Equal(t, len(inputs), i)
	st := p.Stats()
	require.Len(t, st.PerWorker, 1)
	assert.Equal(t, 0, st.PerWorker[0].Restarts, "no worker died of a frame too large")
}

// blockCodec is the binary codec, but its Append of a blocker waits for release first,
// and fails: the test holds ExecuteBatch between encoding and taking its tasks.
type blockCodec struct{ ipc.Codec }

type blocker struct{ N int }

var (
	blockEntered = make(chan struct{}, 1)
	blockRelease = make(chan struct{})
)

func (blockCodec) Name() string { return "procpool_test.block" }

func (c blockCodec) Append(dst []byte, v any) ([]byte, error) {
	if _, ok := v.(*[]blocker); ok { // a chunk: go call by call, through ExecuteBatch
		return dst, errors.New("blockers do not encode together")
	}
	if _, ok := v.(*blocker); ok {
		blockEntered <- struct{}{}
		<-blockRelease
		return dst, errors.New("blocker does not encode")
	}
	return c.Codec.Append(dst, v)
}

func init() { ipc.RegisterCodec(blockCodec{ipc.Binary}) }

var blocked = executor.Register("procpool_test.blocked", func(_ context.Context, b blocker) (int, error) { return b.N, nil })

// TestBatchRefusedWholeAfterShutdown: a Shutdown that lands while ExecuteBatch encodes
// refuses the whole batch: no task of it was resolved or counted by the pool, and Map
// yields ErrShutdown.
func TestBatchRefusedWholeAfterShutdown(t *testing.T) {
	blockEntered, blockRelease = make(chan struct{}, 1), make(chan struct{})
	p := newPool(t, procpool.WithWorkers(1), procpool.WithCodec(blockCodec{ipc.Binary}))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-blockEntered:
		case <-time.After(10 * time.Second):
			t.Error("the codec was not called")
		}
		assert.NoError(t, p.Shutdown(context.Background()))
		close(blockRelease)
	}()
	var errs []error
	for _, err := range executor.Map(context.Background(), p, blocked, slices.Values([]blocker{{1}, {2}}), executor.Chunk(2)) {
		errs = append(errs, err)
	}
	wg.Wait()
	require.Len(t, errs, 2)
	for _, err := range errs {
		assert.ErrorIs(t, err, executor.ErrShutdown)
	}
	s := p.Stats()
	assert.Equal(t, uint64(0), s.Submitted, "a refused batch is not counted")
	assert.Equal(t, uint64(0), s.Failed, "a refused batch fails nothing itself")
}

var derived = executor.Register("procpool_test.derived", func(ctx context.Context, n int) (int, error) {
	first, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_ = first
	before := runtime.NumGoroutine()
	for range n {
		c, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		_ = c
	}
	return runtime.NumGoroutine() - before, nil
})

// TestDerivedContextsStartNoGoroutine: a task's ctx in a worker implements the AfterFunc
// hook of package context, so the contexts a task derives from it start no goroutine.
func TestDerivedContextsStartNoGoroutine(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	grew, err := submitWait(ctx, p, derived, 10)
	require.NoError(t, err)
	assert.Zero(t, grew, fmt.Sprintf("goroutines started by 10 derived contexts: %d", grew))
}

// TestLogsLeaveOutEmptyAttributes: the pool's log lines carry no err=<nil> or
// signal=<nil>: an attribute with nothing to say is left out.
func TestLogsLeaveOutEmptyAttributes(t *testing.T) {
	var logs proctest.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPool(t, procpool.WithWorkers(1), procpool.WithLogger(logger), procpool.WithKillGrace(0))
	_, err := submitWait(context.Background(), p, workloads.Exit, 3)
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	// The hang must reach a worker before its ctx ends, to be killed rather than
	// cancelled in the queue: wait for the replacement, which a loaded machine delays.
	require.Eventually(t, func() bool { return p.Stats().Workers == 1 }, time.Minute, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = submitWait(ctx, p, workloads.Hang, time.Minute)
	require.ErrorIs(t, err, executor.ErrKilled)
	require.NoError(t, p.Close())
	out := logs.String()
	assert.Contains(t, out, "worker exited")
	assert.Contains(t, out, "killing worker")
	assert.Contains(t, out, "signal=SIGKILL", "a signal is named as people name it")
	assert.NotContains(t, out, "<nil>")
}
