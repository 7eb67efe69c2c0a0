package goplugin_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
	tt "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks"
)

func TestRoundTrip(t *testing.T) {
	p := newPool(t)
	got, err := submitWait(context.Background(), p, tt.Square, 7)
	require.NoError(t, err)
	require.Equal(t, 49, got, "Submit(Square, 7)")
}

func TestMapInOrder(t *testing.T) {
	p := newPool(t)
	for _, chunk := range []int{1, 7, 64} {
		var got []int
		for v, err := range executor.Map(context.Background(), p, tt.Square, slices.Values(seq(200)), executor.Chunk(chunk)) {
			require.NoError(t, err)
			got = append(got, v)
		}
		want := make([]int, 200)
		for i := range want {
			want[i] = i * i
		}
		require.Equal(t, want, got, "Map(Square, 0..199, Chunk(%d))", chunk)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestTaskFailures: a task's error and its panic fail that task only; the plugin process
// lives on.
func TestTaskFailures(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	pid, err := submitWait(ctx, p, tt.PID, 0)
	require.NoError(t, err)

	_, err = submitWait(ctx, p, tt.Fail, 7)
	require.EqualError(t, err, "tp: refusing 7")

	_, err = submitWait(ctx, p, tt.Panic, 7)
	var pe *executor.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "tp: cannot handle 7", pe.Value)
	require.Contains(t, string(pe.Stack), "testtasks")

	again, err := submitWait(ctx, p, tt.PID, 0)
	require.NoError(t, err)
	require.Equal(t, pid, again, "the plugin process after an error and a panic")
}

// TestCrashRestarts: a plugin that exits fails its task with a WorkerExitError carrying
// its exit code and last words, and is replaced; the pool serves on.
func TestCrashRestarts(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1))
	ctx := context.Background()
	pid, err := submitWait(ctx, p, tt.PID, 0)
	require.NoError(t, err)

	_, err = submitWait(ctx, p, tt.Exit, 3)
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	require.Equal(t, pid, we.PID)
	require.Equal(t, 3, we.ExitCode)
	require.Contains(t, string(we.Stderr), "tp: exiting with code 3")

	got, err := submitWait(ctx, p, tt.Square, 9)
	require.NoError(t, err)
	require.Equal(t, 81, got)
	s := p.Stats()
	require.Len(t, s.PerWorker, 1)
	require.NotEqual(t, pid, s.PerWorker[0].PID, "the replacement's pid")
	require.Equal(t, 1, s.PerWorker[0].Restarts)
	require.False(t, proctest.Alive(pid), "the crashed plugin process")
}

// TestCancel: a task that honours its ctx ends with the ctx's error and keeps its
// process; one that ignores it is killed with its process after the grace period.
func TestCancel(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithKillGrace(100*time.Millisecond))
	pid, err := submitWait(context.Background(), p, tt.PID, 0)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = submitWait(ctx, p, tt.Sleep, 60_000)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	again, err := submitWait(context.Background(), p, tt.PID, 0)
	require.NoError(t, err)
	require.Equal(t, pid, again, "the process after a cooperative cancel")

	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = submitWait(ctx, p, tt.Hang, 0)
	var ke *executor.KilledError
	require.ErrorAs(t, err, &ke)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, pid, ke.PID)
	require.Less(t, time.Since(start), 10*time.Second, "time to kill a hung task")
	got, err := submitWait(context.Background(), p, tt.Square, 5)
	require.NoError(t, err)
	require.Equal(t, 25, got, "after the kill")
}

func TestMaxTasksPerWorker(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMaxTasksPerWorker(2))
	var pids []int
	for range 4 {
		pid, err := submitWait(context.Background(), p, tt.PID, 0)
		require.NoError(t, err)
		pids = append(pids, pid)
	}
	require.Equal(t, pids[0], pids[1], "pids %v", pids)
	require.Equal(t, pids[2], pids[3], "pids %v", pids)
	require.NotEqual(t, pids[0], pids[2], "pids %v", pids)
}

func TestMemoryLimit(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithMemoryLimit(0, 64<<20))
	_, err := submitWait(context.Background(), p, tt.Leak, 200)
	var me *executor.MemoryLimitError
	require.ErrorAs(t, err, &me)
	require.Greater(t, me.Used, uint64(64<<20))
	got, err := submitWait(context.Background(), p, tt.Square, 3)
	require.NoError(t, err)
	require.Equal(t, 9, got, "after the memory kill")
}

func TestStats(t *testing.T) {
	p := newPool(t)
	for i := range 5 {
		_, err := submitWait(context.Background(), p, tt.Square, i)
		require.NoError(t, err)
	}
	proctest.Eventually(t, 10*time.Second, func() bool { return p.Stats().Workers == 2 }, "2 workers up")
	s := p.Stats()
	require.Equal(t, uint64(5), s.Submitted)
	require.Equal(t, uint64(5), s.Completed)
	for _, w := range s.PerWorker {
		exe, err := os.Readlink(filepath.Join("/proc", itoa(w.PID), "exe"))
		require.NoError(t, err)
		require.Equal(t, pluginBin, exe, "worker %d's binary", w.PID)
		require.NotZero(t, w.Memory)
	}
}

// TestOutput: a plugin task's stdout and stderr reach the pool's writers as whole lines,
// and its hclog lines reach the host's slog logger, with their fields, and nowhere else.
func TestOutput(t *testing.T) {
	var stdout, stderr, logs proctest.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := newPluginPool(t, pluginBin, goplugin.WithLogger(logger),
		goplugin.WithPoolOptions(procpool.WithWorkers(1), procpool.WithStdout(&stdout), procpool.WithStderr(&stderr)))
	got, err := submitWait(context.Background(), p, tt.Print, "hi")
	require.NoError(t, err)
	require.Equal(t, "hi", got)
	require.NoError(t, p.Close())

	require.Equal(t, "stdout: hi\n", stdout.String())
	require.Equal(t, "stderr: hi\n", stderr.String())
	require.Regexp(t, `level=INFO msg="hclog line" logger=plugin.testplugin .*said=hi`, logs.String())
	require.Contains(t, logs.String(), "procpool: worker started")
}

// TestSeveralPlugins: one host, two plugin binaries, a pool each.
func TestSeveralPlugins(t *testing.T) {
	fds := proctest.OpenFDs(t)
	var pools []*procpool.Pool
	for _, bin := range []string{pluginBin, pluginBin2} {
		p, err := goplugin.New(bin, goplugin.WithPoolOptions(baseOptions()...))
		require.NoError(t, err)
		pools = append(pools, p)
	}
	p1, p2 := pools[0], pools[1]
	for _, c := range []struct {
		p   *procpool.Pool
		bin string
	}{{p1, pluginBin}, {p2, pluginBin2}} {
		pid, err := submitWait(context.Background(), c.p, tt.PID, 0)
		require.NoError(t, err)
		exe, err := os.Readlink(filepath.Join("/proc", itoa(pid), "exe"))
		require.NoError(t, err)
		require.Equal(t, c.bin, exe)
	}
	require.NoError(t, p1.Close())
	require.NoError(t, p2.Close())
	proctest.RequireNoChildren(t)
	require.Equal(t, fds, proctest.OpenFDs(t))
}

// TestBothTransports: the plugin binary also serves procpool's pipe transport.
func TestBothTransports(t *testing.T) {
	fds := proctest.OpenFDs(t)
	p, err := procpool.New(append(baseOptions(), procpool.WithCommand(pluginBin))...)
	require.NoError(t, err)
	got, err := submitWait(context.Background(), p, tt.Square, 6)
	require.NoError(t, err)
	require.Equal(t, 36, got)
	require.NoError(t, p.Close())
	proctest.RequireNoChildren(t)
	require.Equal(t, fds, proctest.OpenFDs(t))
}

func TestAutoMTLS(t *testing.T) {
	p := newPluginPool(t, pluginBin, goplugin.WithAutoMTLS())
	got, err := submitWait(context.Background(), p, tt.Square, 8)
	require.NoError(t, err)
	require.Equal(t, 64, got)
}

// TestCrashLoop: a plugin that dies at every restart breaks the pool after the restart
// limit; every task then fails with ErrPoolBroken, and nothing is left running.
func TestCrashLoop(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "started")
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(2, time.Minute),
		procpool.WithEnv("TESTPLUGIN_MODE=dieafter", "TESTPLUGIN_MARKER="+marker))
	require.NoError(t, os.WriteFile(marker, nil, 0o600))
	_, err := submitWait(context.Background(), p, tt.Exit, 4)
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	proctest.Eventually(t, 30*time.Second, func() bool {
		_, err := executor.Submit(context.Background(), p, tt.Square, 1)
		return errors.Is(err, executor.ErrPoolBroken)
	}, "the pool breaks")
	_, err = executor.Submit(context.Background(), p, tt.Square, 1)
	require.ErrorContains(t, err, "refusing to start again")
}

func itoa(n int) string { return strconv.Itoa(n) }
