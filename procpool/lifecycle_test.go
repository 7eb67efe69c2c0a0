package procpool_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// TestNoServeIfWorker: a binary that forgets ServeIfWorker runs its main as a worker; its
// main's procpool.New refuses (no fork bomb), it exits, and New here fails at once with an
// error that names the fix.
func TestNoServeIfWorker(t *testing.T) {
	start := time.Now()
	_, err := procpool.New(append(baseOptions(), procpool.WithCommand(os.Args[0]), procpool.WithEnv(envMode+"=noserve"))...)
	require.Less(t, time.Since(start), 10*time.Second)
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.ErrorContains(t, err, "procpool.ServeIfWorker()")
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	require.Contains(t, string(we.Stderr), "New called in a process started as a worker")
	require.Contains(t, string(we.Stderr), "main ran in each worker process", "the error says what ran where")
	proctest.RequireNoChildren(t)
}

func TestCommandWithoutHello(t *testing.T) {
	start := time.Now()
	_, err := procpool.New(append(baseOptions(), procpool.WithCommand("/bin/sh", "-c", "exec sleep 60"),
		procpool.WithStartTimeout(200*time.Millisecond))...)
	require.Less(t, time.Since(start), 10*time.Second)
	require.ErrorContains(t, err, "sent no hello within 200ms")
	require.ErrorContains(t, err, "procpool.ServeIfWorker()")

	_, err = procpool.New(append(baseOptions(), procpool.WithCommand("/bin/sh", "-c", "echo not a worker >&2"))...)
	require.ErrorContains(t, err, "ended before its hello")
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	require.Equal(t, "not a worker\n", string(we.Stderr))

	_, err = procpool.New(procpool.WithCommand("/nonexistent/worker"))
	require.ErrorContains(t, err, "/nonexistent/worker")
	proctest.RequireNoChildren(t)
}

// TestParentKilled: when the parent dies by SIGKILL, its workers go too.
func TestParentKilled(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envMode+"=parent", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var pids []int
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		if strings.HasPrefix(sc.Text(), "grandchild ") {
			continue
		}
		pid, err := strconv.Atoi(sc.Text())
		require.NoError(t, err, "helper said %q", sc.Text())
		pids = append(pids, pid)
	}
	require.Len(t, pids, 2)
	for _, pid := range pids {
		require.True(t, proctest.Alive(pid), "worker %d alive before its parent dies", pid)
	}
	require.NoError(t, cmd.Process.Kill())
	killed := time.Now()
	proctest.Eventually(t, 5*time.Second, func() bool { return !proctest.Alive(pids[0]) && !proctest.Alive(pids[1]) }, "workers gone after their parent")
	t.Logf("workers gone %v after their parent was killed", time.Since(killed))
}

func TestMaxTasksPerWorker(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMaxTasksPerWorker(1))
	ctx := context.Background()
	seen := map[int]bool{}
	for range 5 {
		pid, err := submitWait(ctx, p, workloads.PID, struct{}{})
		require.NoError(t, err)
		require.False(t, seen[pid], "pid %d ran two tasks", pid)
		seen[pid] = true
	}
	var s executor.Stats
	proctest.Eventually(t, 10*time.Second, func() bool { s = p.Stats(); return s.Workers == 1 }, "replacement ready")
	require.GreaterOrEqual(t, s.PerWorker[0].Restarts, 4)
}

func TestMemoryHardLimit(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMemoryLimit(0, 96<<20))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a backstop only
	defer cancel()
	_, err := submitWait(ctx, p, workloads.Hold, workloads.HoldArgs{MiB: 256})
	var me *executor.MemoryLimitError
	require.ErrorAs(t, err, &me)
	require.ErrorIs(t, err, executor.ErrMemoryLimit)
	require.Greater(t, me.Used, uint64(96<<20))
	v, err := submitWait(ctx, p, workloads.Square, 8)
	require.NoError(t, err)
	require.Equal(t, 64, v)
}

func TestMemorySoftLimit(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMemoryLimit(96<<20, 0))
	ctx := context.Background()
	leaky, err := submitWait(ctx, p, workloads.PID, struct{}{})
	require.NoError(t, err)
	_, err = submitWait(ctx, p, workloads.Leak, 160)
	require.NoError(t, err)
	proctest.Eventually(t, 10*time.Second, func() bool {
		pid, err := submitWait(ctx, p, workloads.PID, struct{}{})
		return err == nil && pid != leaky
	}, "leaky worker replaced")
}

// TestCrashLoop: once workers die at every start, the pool breaks after the configured
// number of attempts, backing off between them.
func TestCrashLoop(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "started")
	p := newPool(t, procpool.WithWorkers(1), procpool.WithCommand(os.Args[0]),
		procpool.WithEnv(envMode+"=once", "PROCPOOL_TEST_MARKER="+marker),
		procpool.WithRestartIntensity(2, time.Minute))
	ctx := context.Background()
	_, err := submitWait(ctx, p, workloads.Exit, 1)
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	proctest.Eventually(t, 10*time.Second, func() bool {
		_, err := executor.Submit(ctx, p, workloads.Square, 1)
		return err != nil
	}, "pool broken")
	_, err = executor.Submit(ctx, p, workloads.Square, 1)
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.ErrorContains(t, err, "ended before its hello")
	b, err := os.ReadFile(marker + ".fails")
	require.NoError(t, err)
	fails := strings.Split(strings.TrimSpace(string(b)), "\n")
	// The worker that died on the first task it was given counts, and so does each failed
	// start: intensity 2, so the third death (the second failed start) breaks the pool.
	require.Len(t, fails, 2, "failed starts")
	first, _ := time.Parse(time.RFC3339Nano, fails[0])
	last, _ := time.Parse(time.RFC3339Nano, fails[1])
	require.GreaterOrEqual(t, last.Sub(first), 15*time.Millisecond, "back-off between attempts")
}

// TestWithCommand runs the stock worker binary, cmd/procworker.
func TestWithCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/procworker")
	}
	bin := filepath.Join(t.TempDir(), "procworker")
	build := exec.Command("go", "build", "-o", bin, "../cmd/procworker")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	p := newPool(t, procpool.WithCommand(bin))
	v, err := submitWait(context.Background(), p, workloads.SumOfSquares, 10_000_000)
	require.NoError(t, err)
	require.Equal(t, "333333283333335000000", v)
}
