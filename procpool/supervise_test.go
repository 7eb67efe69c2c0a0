package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// The restart rule: a worker that cannot stay up backs off and breaks the pool; tasks
// that crash their workers now and then never do.

type dieLaterArgs struct {
	Log   string        // a line per start is appended here
	After time.Duration // then a goroutine panics
}

// dieLater is an initializer that leaves a goroutine behind that panics a little later:
// every worker starts, says hello, and dies soon after, with no task in flight.
var dieLater = executor.Register("procpool_test.die_later", func(_ context.Context, a dieLaterArgs) (struct{}, error) {
	f, err := os.OpenFile(a.Log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return struct{}{}, err
	}
	fmt.Fprintln(f, time.Now().Format(time.RFC3339Nano))
	f.Close()
	go func() {
		time.Sleep(a.After)
		panic("a goroutine the initializer left")
	}()
	return struct{}{}, nil
})

func TestWorkerThatCannotStayUpBreaksThePool(t *testing.T) {
	log := filepath.Join(t.TempDir(), "starts")
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(3, time.Minute),
		procpool.WithInitializer(dieLater, dieLaterArgs{Log: log, After: 20 * time.Millisecond}))
	ctx := context.Background()
	proctest.Eventually(t, 10*time.Second, func() bool {
		// A task that outlives the worker: a worker that answers one has stayed up.
		_, err := executor.Submit(ctx, p, workloads.Hang, time.Minute)
		return errors.Is(err, executor.ErrPoolBroken)
	}, "the pool breaks")
	_, err := executor.Submit(ctx, p, workloads.Square, 1)
	require.ErrorContains(t, err, "keeps dying")
	b, err := os.ReadFile(log)
	require.NoError(t, err)
	starts := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, starts, 4, "intensity 3: the fourth death breaks the pool, no more starts")
	var gaps []time.Duration
	for i := 1; i < len(starts); i++ {
		a, _ := time.Parse(time.RFC3339Nano, starts[i-1])
		b, _ := time.Parse(time.RFC3339Nano, starts[i])
		gaps = append(gaps, b.Sub(a))
	}
	// Each worker lives 20 ms, then the pool waits 10, 20, 40 ms before the next start:
	// lower bounds, which a slow start under load only lengthens.
	for i, backoff := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond} {
		assert.GreaterOrEqual(t, gaps[i], 20*time.Millisecond+backoff, "the restarts back off: gap %d of %v", i, gaps)
	}
}

func TestWorkerDyingOnEveryTaskBreaksThePool(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(3, time.Minute))
	ctx := context.Background()
	var exits int
	for range 10 {
		_, err := submitWait(ctx, p, workloads.Exit, 3)
		var we *executor.WorkerExitError
		if errors.Is(err, executor.ErrPoolBroken) {
			break
		}
		require.ErrorAs(t, err, &we)
		exits++
	}
	assert.Equal(t, 4, exits, "intensity 3: the fourth worker to die on its first task breaks the pool")
	_, err := executor.Submit(ctx, p, workloads.Square, 1)
	require.ErrorIs(t, err, executor.ErrPoolBroken)
}

var exitEvery25 = executor.Register("procpool_test.exit_every_25", func(ctx context.Context, n int) (int, error) {
	if n%25 == 24 {
		return workloads.Exit.Call(ctx, 25)
	}
	return n, nil
})

func TestOccasionalCrashesNeverBreakThePool(t *testing.T) {
	p := newPool(t) // the default intensity: 5 in 10 s
	ctx := context.Background()
	var crashed, ok int
	i := 0
	for v, err := range executor.Map(ctx, p, exitEvery25, seq(1000), executor.Chunk(1)) {
		if i%25 == 24 {
			var we *executor.WorkerExitError
			require.ErrorAs(t, err, &we, "item %d", i)
			crashed++
		} else {
			require.NoError(t, err, "item %d", i)
			require.Equal(t, i, v)
			ok++
		}
		i++
	}
	assert.Equal(t, 40, crashed)
	assert.Equal(t, 960, ok)
	_, err := submitWait(ctx, p, workloads.Square, 3)
	require.NoError(t, err, "the pool serves on")
}

// TestShutdownFromADoneCallback: a done callback runs on the goroutine that reads its
// worker's answers; a Shutdown it calls returns all the same, with or without a deadline.
func TestShutdownFromADoneCallback(t *testing.T) {
	for _, name := range []string{"no deadline", "deadline"} {
		t.Run(name, func(t *testing.T) {
			p := newPool(t)
			ctx := context.Background()
			f, err := executor.Submit(ctx, p, workloads.Hang, 200*time.Millisecond)
			require.NoError(t, err)
			returned := make(chan error, 1)
			f.AddDoneCallback(func(*executor.Future[int]) {
				sctx := context.Background()
				if name == "deadline" {
					var cancel context.CancelFunc
					sctx, cancel = context.WithTimeout(sctx, time.Second)
					defer cancel()
				}
				returned <- p.Shutdown(sctx)
			})
			select {
			case err := <-returned:
				require.NoError(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("Shutdown called from a done callback did not return")
			}
			_, err = f.Result(ctx)
			require.NoError(t, err)
			_, err = executor.Submit(ctx, p, workloads.Square, 1)
			require.ErrorIs(t, err, executor.ErrShutdown)
		})
	}
}

// TestIdleWorkerOverHardLimitIsReplaced: a worker that a task left over the hard memory
// limit is replaced between tasks; the next, healthy task never pays for it.
func TestIdleWorkerOverHardLimitIsReplaced(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMemoryLimit(0, 96<<20))
	ctx := context.Background()
	leaky, err := submitWait(ctx, p, workloads.PID, struct{}{})
	require.NoError(t, err)
	// Keeps 160 MiB and returns; when the sampler catches it over the limit first, it is
	// killed, which is its due.
	_, err = submitWait(ctx, p, workloads.Leak, 160)
	if err != nil {
		require.ErrorIs(t, err, executor.ErrMemoryLimit)
	}
	proctest.Eventually(t, 10*time.Second, func() bool {
		_, err := submitWait(ctx, p, workloads.Hang, 30*time.Millisecond)
		require.NoError(t, err, "a healthy task after the leak")
		pid, err := submitWait(ctx, p, workloads.PID, struct{}{})
		require.NoError(t, err)
		return pid != leaky
	}, "the worker over its hard limit replaced")
}

// TestCloseKillsAWorkerThatIgnoresShutdown: Close returns even when a worker never
// exits when told to: it is killed after a grace, and nothing is left behind.
func TestCloseKillsAWorkerThatIgnoresShutdown(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithCommand(os.Args[0]),
		procpool.WithEnv(envMode+"=deaf"))
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Close waited for a worker that ignores Shutdown")
	}
}

// startSleep starts `sleep 30` holding the worker's stdout, leaves it running, and
// returns its pid.
var startSleep = executor.Register("procpool_test.start_sleep", func(context.Context, struct{}) (int, error) {
	cmd := exec.Command("sleep", "30")
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	return cmd.Process.Pid, nil
})

// gone reports whether process pid has ended (it may still be a zombie, waiting for
// whoever adopted it to reap it).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}

// TestProcessesOfATaskDieWithTheirWorker: what a task starts dies with its worker,
// whether the worker crashes or is shut down.
func TestProcessesOfATaskDieWithTheirWorker(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil || runtime.GOOS != "linux" {
		t.Skip("needs Linux and sleep(1)")
	}
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	crashed, err := submitWait(ctx, p, startSleep, struct{}{})
	require.NoError(t, err)
	_, err = submitWait(ctx, p, workloads.KillSelf, struct{}{})
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	proctest.Eventually(t, 5*time.Second, func() bool { return gone(crashed) }, "the crashed worker's child gone")

	closed, err := submitWait(ctx, p, startSleep, struct{}{})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	proctest.Eventually(t, 5*time.Second, func() bool { return gone(closed) }, "the closed worker's child gone")
}
