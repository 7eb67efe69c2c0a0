package procpool_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

func TestSubmitSquare(t *testing.T) {
	p := newPool(t)
	v, err := submitWait(context.Background(), p, workloads.Square, 7)
	if v != 49 || err != nil {
		t.Fatalf("Submit(Square, 7) = %d, %v; want 49, <nil>", v, err)
	}
}

func TestMapChunks(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	for _, chunk := range []int{1, 64, 1024} {
		t.Run(fmt.Sprint("chunk", chunk), func(t *testing.T) {
			const n = 3000
			i := 0
			for v, err := range executor.Map(ctx, p, workloads.Square, seq(n), executor.Chunk(chunk)) {
				require.NoError(t, err)
				require.Equal(t, i*i, v, "item %d", i)
				i++
			}
			require.Equal(t, n, i)
		})
	}
	s := p.Stats()
	require.Equal(t, uint64(9000), s.Completed)
	require.Zero(t, s.Running)
}

func TestValuesOfManyTypes(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789"), 100_000)
	got, err := submitWait(ctx, p, workloads.Echo, big)
	require.NoError(t, err)
	require.Equal(t, big, got)

	large, err := submitWait(ctx, p, workloads.LargeResult, 5<<20)
	require.NoError(t, err)
	require.Len(t, large, 5<<20)

	s, err := submitWait(ctx, p, workloads.Sleep, workloads.SleepArgs{Name: "A"}) // a struct: JSON fallback
	require.NoError(t, err)
	require.Equal(t, "Result from task A", s)
}

func TestOutputLinesWhole(t *testing.T) {
	var out proctest.Buffer
	p := newPool(t, procpool.WithStdout(&out), procpool.WithStderr(&out))
	ctx := context.Background()
	var futs []*executor.Future[int]
	for range 4 {
		f, err := executor.Submit(ctx, p, workloads.Noise, 200)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	for _, f := range futs {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}
	require.NoError(t, p.Close()) // flushes the forwarders
	line := regexp.MustCompile(`^noise (stdout|stderr) \d+ pid \d+ \.{80}$`)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 4*2*200)
	for _, l := range lines {
		require.Regexp(t, line, l)
	}
}

func TestOutputComesBeforeTheResult(t *testing.T) {
	var out proctest.Buffer
	p := newPool(t, procpool.WithStdout(&out), procpool.WithStderr(&out))
	ctx := context.Background()
	for i := range 20 {
		before := strings.Count(out.String(), "\n")
		_, err := submitWait(ctx, p, workloads.Noise, 50)
		require.NoError(t, err)
		// Read at once, without closing the pool: every line the task printed is out.
		require.Equal(t, before+2*50, strings.Count(out.String(), "\n"), "round %d", i)
	}
}

func TestSleepPrints(t *testing.T) {
	var out proctest.Buffer
	p := newPool(t, procpool.WithStdout(&out))
	_, err := submitWait(context.Background(), p, workloads.Sleep, workloads.SleepArgs{Name: "B", Duration: time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.Equal(t, "Task B started. Will run for 1ms.\nTask B finished.\n", out.String())
}

func TestStats(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	proctest.Eventually(t, 10*time.Second, func() bool { return p.Stats().Workers == 2 }, "both workers ready")
	pids := map[int]bool{}
	for range 10 {
		pid, err := submitWait(ctx, p, workloads.PID, struct{}{})
		require.NoError(t, err)
		pids[pid] = true
	}
	s := p.Stats()
	require.Equal(t, uint64(10), s.Submitted)
	require.Equal(t, uint64(10), s.Completed)
	require.Len(t, s.PerWorker, 2)
	var done uint64
	for _, w := range s.PerWorker {
		require.NotZero(t, w.Memory, "worker %d memory", w.PID)
		require.False(t, w.Started.IsZero())
		done += w.TasksDone
		delete(pids, w.PID)
	}
	require.Equal(t, uint64(10), done)
	require.Empty(t, pids, "pids that ran tasks but are not in Stats")
}

func TestSubmitAfterClose(t *testing.T) {
	p := newPool(t)
	require.NoError(t, p.Close())
	_, err := executor.Submit(context.Background(), p, workloads.Square, 1)
	require.ErrorIs(t, err, executor.ErrShutdown)
}

func TestEnv(t *testing.T) {
	p := newPool(t, procpool.WithEnv("DUALPOOL_TEST_VAR=yes"))
	v, err := submitWait(context.Background(), p, workloads.Getenv, "DUALPOOL_TEST_VAR")
	require.NoError(t, err)
	require.Equal(t, "yes", v)
}

func TestInitializer(t *testing.T) {
	var out proctest.Buffer
	p := newPool(t, procpool.WithStdout(&out), procpool.WithWorkers(1),
		procpool.WithInitializer(workloads.Sleep, workloads.SleepArgs{Name: "init"}))
	_, err := submitWait(context.Background(), p, workloads.Square, 2)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.Contains(t, out.String(), "Task init finished.")
}

func TestInitializerFails(t *testing.T) {
	_, err := procpool.New(procpool.WithWorkers(1), procpool.WithStderr(nil),
		procpool.WithInitializer(workloads.Fail, "no database"))
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.ErrorContains(t, err, "no database")
	proctest.RequireNoChildren(t)
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []procpool.Option{procpool.WithWorkers(0), procpool.WithKillGrace(-1),
		procpool.WithMemoryLimit(2, 1), procpool.WithCodec(nil), procpool.WithMaxMessageSize(10)} {
		_, err := procpool.New(o)
		require.Error(t, err)
	}
}

func seq(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func TestCodecs(t *testing.T) {
	for _, c := range []ipc.Codec{ipc.JSON, ipc.Gob} {
		t.Run(c.Name(), func(t *testing.T) {
			p := newPool(t, procpool.WithCodec(c))
			ctx := context.Background()
			v, err := submitWait(ctx, p, workloads.Square, 12)
			require.NoError(t, err)
			require.Equal(t, 144, v)
			s, err := submitWait(ctx, p, workloads.Sleep, workloads.SleepArgs{Name: "J"})
			require.NoError(t, err)
			require.Equal(t, "Result from task J", s)
		})
	}
}

// TestDeadlineForwarded: the task in the worker sees its ctx's deadline.
func TestDeadlineForwarded(t *testing.T) {
	p := newPool(t)
	deadline := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	got, err := submitWait(ctx, p, deadlineOf, struct{}{})
	require.NoError(t, err)
	require.True(t, deadline.Equal(time.Unix(0, got)), "worker saw deadline %v; want %v", time.Unix(0, got), deadline)
}

var deadlineOf = executor.Register("procpool_test.deadline", func(ctx context.Context, _ struct{}) (int64, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return 0, nil
	}
	return d.UnixNano(), nil
})
