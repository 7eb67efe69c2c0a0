package goplugin_test

import (
	"context"
	"errors"
	"log/slog"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/examples/grpc/shared"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// TestSuperviseKillDuringCall: a plugin SIGKILLed from outside while a call runs on it
// fails that call with its death, names the signal and the pid, and is restarted.
func TestSuperviseKillDuringCall(t *testing.T) {
	for _, kv := range kvPlugins {
		t.Run(kv.proto, func(t *testing.T) {
			s := superviseKV(t, *kv.bin, kv.name)
			ctx := context.Background()
			require.NoError(t, put(ctx, s, "k", "v"))
			pid := onlyPID(t, s)
			stop(t, pid) // so that the call is surely in flight
			started := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- s.Do(ctx, func(_ context.Context, kv shared.KV) error {
					close(started)
					_, err := kv.Get("k")
					return err
				})
			}()
			<-started
			require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
			err := <-done
			we := workerExit(t, err)
			require.Equal(t, pid, we.PID)
			require.Equal(t, syscall.SIGKILL, we.Signal)
			require.ErrorContains(t, err, "SIGKILL")
			require.NotErrorIs(t, err, executor.ErrKilled)
			_, restarts := replaced(t, s, pid)
			require.Equal(t, 1, restarts)
			got, err := get(ctx, s, "k")
			require.NoError(t, err)
			require.Equal(t, stored(kv.proto, "v"), got)
		})
	}
}

// TestSuperviseKillBetweenCalls: an idle plugin SIGKILLed from outside is replaced, and
// no call fails.
func TestSuperviseKillBetweenCalls(t *testing.T) {
	s := superviseKV(t, kvGRPCBin, shared.PluginGRPC)
	ctx := context.Background()
	require.NoError(t, put(ctx, s, "k", "v"))
	pid := onlyPID(t, s)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	_, restarts := replaced(t, s, pid)
	require.Equal(t, 1, restarts)
	for range 5 {
		got, err := get(ctx, s, "k")
		require.NoError(t, err)
		require.Equal(t, stored("grpc", "v"), got)
	}
	st := s.Stats()
	require.Zero(t, st.Failed, "Stats: %+v", st)
}

// TestSuperviseHang: a call to a plugin that hangs (SIGSTOP) with a 300 ms deadline comes
// back killed within a second or two, with an error that matches the deadline, on
// net/rpc too (which has no ctx: only killing the process stops the call); the plugin is
// restarted and serves the next call.
func TestSuperviseHang(t *testing.T) {
	for _, kv := range kvPlugins {
		t.Run(kv.proto, func(t *testing.T) {
			s := superviseKV(t, *kv.bin, kv.name, goplugin.WithPoolOptions(procpool.WithKillGrace(200*time.Millisecond)))
			ctx := context.Background()
			require.NoError(t, put(ctx, s, "k", "v"))
			pid := onlyPID(t, s)
			stop(t, pid)
			start := time.Now()
			cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			_, err := get(cctx, s, "k")
			elapsed := time.Since(start)
			var ke *executor.KilledError
			require.ErrorAs(t, err, &ke)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorIs(t, err, executor.ErrKilled)
			require.Equal(t, pid, ke.PID)
			require.Less(t, elapsed, 3*time.Second, "a hung call must come back soon after its deadline")
			_, restarts := replaced(t, s, pid)
			require.Equal(t, 1, restarts)
			got, err := get(ctx, s, "k")
			require.NoError(t, err)
			require.Equal(t, stored(kv.proto, "v"), got)
		})
	}
}

// TestSupervisePing: with WithPing, an idle plugin that stops answering (SIGSTOP) is
// replaced before any call lands on it.
func TestSupervisePing(t *testing.T) {
	var logs proctest.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := superviseKV(t, kvGRPCBin, shared.PluginGRPC, goplugin.WithPing(50*time.Millisecond, 300*time.Millisecond),
		goplugin.WithLogger(logger))
	ctx := context.Background()
	require.NoError(t, put(ctx, s, "k", "v"))
	pid := onlyPID(t, s)
	stop(t, pid)
	_, restarts := replaced(t, s, pid)
	require.Equal(t, 1, restarts)
	proctest.Eventually(t, 10*time.Second, func() bool { return !proctest.Alive(pid) }, "the stopped plugin is killed")
	got, err := get(ctx, s, "k")
	require.NoError(t, err)
	require.Equal(t, stored("grpc", "v"), got)
	require.Zero(t, s.Stats().Failed)
	// The Supervisor's, the pool's and go-plugin's logs reach WithLogger's logger.
	require.Regexp(t, `msg="goplugin: killing plugin instance" pid=\d+ why="idle, it failed a ping: no answer to a ping within 300ms"`, logs.String())
	require.Contains(t, logs.String(), "procpool: worker started")
	require.Contains(t, logs.String(), "logger=plugin")
}

// TestSupervisePingBeforeCall: with WithPing, a call to an instance idle past the
// interval pings it first; one that stopped answering is killed and the call runs on its
// replacement instead of hanging on it.
func TestSupervisePingBeforeCall(t *testing.T) {
	const interval = 200 * time.Millisecond
	s := superviseKV(t, kvNetRPCBin, shared.PluginNetRPC, goplugin.WithPing(interval, 300*time.Millisecond))
	ctx := context.Background()
	require.NoError(t, put(ctx, s, "k", "v"))
	pid := onlyPID(t, s)
	stop(t, pid)
	<-time.After(interval + interval/4) // idle past the interval: the subject of the test
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got, err := get(cctx, s, "k")
	require.NoError(t, err)
	require.Equal(t, stored("netrpc", "v"), got)
	st := s.Stats()
	require.Equal(t, uint64(2), st.Completed, "the Put and the Get: %+v", st)
	require.False(t, proctest.Alive(pid))
}

// TestSuperviseRecycle: WithMaxTasksPerWorker(n) replaces an instance after n calls; the
// plugin is let go through go-plugin and exits, and no call fails.
func TestSuperviseRecycle(t *testing.T) {
	s := superviseKV(t, kvNetRPCBin, shared.PluginNetRPC, goplugin.WithPoolOptions(procpool.WithMaxTasksPerWorker(3)))
	ctx := context.Background()
	seen := map[int]bool{}
	for i := range 7 {
		if i%3 == 0 {
			seen[onlyPID(t, s)] = true
		}
		require.NoError(t, put(ctx, s, "k", "v"))
	}
	require.Len(t, seen, 3, "instances seen: %v", seen)
	_, restarts := replaced(t, s, 0)
	require.Equal(t, 2, restarts)
	for pid := range seen {
		if pid != pids(s)[0] {
			proctest.Eventually(t, 10*time.Second, func() bool { return !proctest.Alive(pid) }, "a recycled plugin exits")
		}
	}
	require.Zero(t, s.Stats().Failed)
}

// TestSuperviseCrashLoop: a plugin that dies at every start after its first breaks the
// Supervisor: Do fails with ErrPoolBroken and the reason, after a few restarts with
// back-off.
func TestSuperviseCrashLoop(t *testing.T) {
	dir := t.TempDir()
	var starts atomic.Int32
	kv := kvConfig(kvGRPCBin, dir)
	config := func() *plugin.ClientConfig {
		c := kv()
		if starts.Add(1) > 2 { // Supervise's check, then the first start
			c.Cmd = exec.Command("false")
		}
		return c
	}
	s := superviseConfig(t, config, shared.PluginGRPC, goplugin.WithPoolOptions(procpool.WithRestartIntensity(2, time.Minute)))
	ctx := context.Background()
	require.NoError(t, put(ctx, s, "k", "v"))
	kill(t, onlyPID(t, s))
	var err error
	for range 20 { // the first calls may still find the dead instance, not yet reaped
		if err = put(ctx, s, "k", "v"); errors.Is(err, executor.ErrPoolBroken) {
			break
		}
		workerExit(t, err)
	}
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.ErrorIs(t, err, goplugin.ErrHandshake)
	require.ErrorContains(t, err, "false")
	require.GreaterOrEqual(t, starts.Load(), int32(4), "Supervise's check, the first start, then 2 failed restarts")
}

// TestSuperviseReinit: WithReinit's function runs on every fresh instance, the first
// ones and every restart, before any call.
func TestSuperviseReinit(t *testing.T) {
	var runs atomic.Int32
	reinit := func(_ context.Context, kv shared.KV) error {
		runs.Add(1)
		return kv.Put("config", []byte("reinit"))
	}
	s := superviseKV(t, kvGRPCBin, shared.PluginGRPC, goplugin.WithReinit(reinit),
		goplugin.WithPoolOptions(procpool.WithWorkers(2)))
	ctx := context.Background()
	proctest.Eventually(t, 20*time.Second, func() bool { return s.Stats().Workers == 2 }, "two instances")
	require.Equal(t, int32(2), runs.Load())
	got, err := get(ctx, s, "config")
	require.NoError(t, err)
	require.Equal(t, stored("grpc", "reinit"), got)
	pid := pids(s)[0]
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	proctest.Eventually(t, 20*time.Second, func() bool {
		p := pids(s)
		return len(p) == 2 && p[0] != pid && p[1] != pid
	}, "the killed instance replaced")
	require.Equal(t, int32(3), runs.Load())
}

// TestSuperviseSlowFn: a fn that ignores its ctx and waits in the host is not waited
// for: its call comes back killed after its deadline and the kill grace, its instance is
// restarted and serves the next call meanwhile, and Close waits for the fn to return.
func TestSuperviseSlowFn(t *testing.T) {
	s := superviseKV(t, kvGRPCBin, shared.PluginGRPC, goplugin.WithPoolOptions(procpool.WithKillGrace(100*time.Millisecond)))
	pid := onlyPID(t, s)
	release := make(chan struct{})
	returned := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Do(ctx, func(context.Context, shared.KV) error {
		defer close(returned)
		<-release
		return nil
	})
	require.ErrorIs(t, err, executor.ErrKilled)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 3*time.Second)
	replaced(t, s, pid)
	require.NoError(t, put(context.Background(), s, "k", "v"))
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while a fn was still running")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-returned
	require.NoError(t, <-closed)
}

// TestSuperviseMemoryLimit: the pool's memory limits apply to the plugin's process: over
// the soft limit an instance is replaced after its call, over the hard one during a call
// it is killed and the call fails with a *executor.MemoryLimitError.
func TestSuperviseMemoryLimit(t *testing.T) {
	const limit = 1 << 20 // under any Go plugin's own memory
	t.Run("soft", func(t *testing.T) {
		s := superviseKV(t, kvGRPCBin, shared.PluginGRPC, goplugin.WithPoolOptions(procpool.WithMemoryLimit(limit, 0)))
		pid := onlyPID(t, s)
		require.NoError(t, put(context.Background(), s, "k", "v"))
		_, restarts := replaced(t, s, pid)
		require.GreaterOrEqual(t, restarts, 1)
	})
	t.Run("hard", func(t *testing.T) {
		// Idle instances over the hard limit are replaced at once: the call stops its own
		// instance, so that it lasts until the limit is seen.
		s := superviseKV(t, kvGRPCBin, shared.PluginGRPC, goplugin.WithPoolOptions(procpool.WithMemoryLimit(0, limit)))
		pids := make(chan int, 1)
		err := s.Do(context.Background(), func(_ context.Context, kv shared.KV) error {
			pid := s.Stats().PerWorker[0].PID // the one instance ready: this call's
			pids <- pid
			syscall.Kill(pid, syscall.SIGSTOP)
			if !stopped(pid) {
				return errors.New("the plugin did not stop")
			}
			return kv.Put("k", []byte("v"))
		})
		var me *executor.MemoryLimitError
		require.ErrorAs(t, err, &me)
		require.Equal(t, <-pids, me.PID)
		require.ErrorIs(t, err, executor.ErrMemoryLimit)
	})
}
