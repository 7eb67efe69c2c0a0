package procpool_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// envVersionFile names the file a deployed worker reads at start: its version, which
// deployed answers, or "exit" for a binary that no longer starts.
const envVersionFile = "PROCPOOL_TEST_VERSION_FILE"

var version string // what this worker read at start

func deployedMain() {
	path := os.Getenv(envVersionFile)
	if path == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(b)) == "exit" {
		os.Exit(3)
	}
	version = strings.TrimSpace(string(b))
}

// Deployed is a deployed worker's answer.
type Deployed struct {
	Version string
	PID     int
}

var deployed = executor.Register("procpool_test.deployed", func(_ context.Context, _ int) (Deployed, error) {
	return Deployed{version, os.Getpid()}, nil
})

// newDeployment starts a pool of n workers whose binary reads its version from a file,
// written with v1 first.
func newDeployment(t *testing.T, n int, opts ...procpool.Option) (*procpool.Pool, func(v string)) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "version")
	write := func(v string) { require.NoError(t, os.WriteFile(file, []byte(v), 0o600)) }
	write("v1")
	exe, err := os.Executable()
	require.NoError(t, err)
	opts = append([]procpool.Option{procpool.WithCommand(exe), procpool.WithWorkers(n),
		procpool.WithEnv(envVersionFile + "=" + file), procpool.WithRestartIntensity(0, time.Minute)}, opts...)
	return newPool(t, opts...), write
}

func answers(t *testing.T, p *procpool.Pool, n int) []Deployed {
	t.Helper()
	var out []Deployed
	for v, err := range executor.Map(context.Background(), p, deployed, seq(n)) {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

// TestResetDeploysNewBinary: under load, Reset replaces every worker with one that runs
// the new binary; no task fails and at least n-1 workers stay ready throughout.
func TestResetDeploysNewBinary(t *testing.T) {
	const n = 3
	p, write := newDeployment(t, n)
	require.Eventually(t, func() bool { return p.Stats().Workers == n }, 20*time.Second, time.Millisecond)
	old := map[int]bool{}
	for _, d := range answers(t, p, 30) {
		require.Equal(t, "v1", d.Version)
		old[d.PID] = true
	}
	for _, w := range p.Stats().PerWorker {
		old[w.PID] = true
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failed, ran atomic.Int64
	for range 4 { // load: tasks all through the Reset
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := submitWait(context.Background(), p, workloads.Square, 3); err != nil {
					failed.Add(1)
					t.Errorf("a task failed during Reset: %v", err)
				}
				ran.Add(1)
			}
		})
	}
	lowest := atomic.Int64{}
	lowest.Store(n)
	wg.Go(func() { // capacity, sampled
		for {
			select {
			case <-stop:
				return
			default:
			}
			if w := int64(p.Stats().Workers); w < lowest.Load() {
				lowest.Store(w)
			}
		}
	})
	write("v2")
	require.NoError(t, p.Reset(context.Background()))
	close(stop)
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Positive(t, ran.Load())
	assert.GreaterOrEqual(t, lowest.Load(), int64(n-1), "ready workers during Reset")
	for _, d := range answers(t, p, 30) {
		assert.Equal(t, "v2", d.Version)
		assert.False(t, old[d.PID], "worker %d was there before Reset", d.PID)
	}
	assert.Len(t, p.Stats().PerWorker, n)
}

// TestResetToBrokenBinary: a Reset to a binary that exits at start breaks the pool by
// the restart rule, and says so.
func TestResetToBrokenBinary(t *testing.T) {
	p, write := newDeployment(t, 2)
	answers(t, p, 4)
	write("exit")
	err := p.Reset(context.Background())
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	_, err = executor.Submit(context.Background(), p, deployed, 1)
	require.ErrorIs(t, err, executor.ErrPoolBroken)
}

// TestResetIdle: an idle pool is replaced at once; the departures never count toward a
// restart intensity of 0.
func TestResetIdle(t *testing.T) {
	p, write := newDeployment(t, 2)
	before := answers(t, p, 2)
	write("v2")
	for range 3 {
		require.NoError(t, p.Reset(context.Background()))
	}
	for _, d := range answers(t, p, 4) {
		assert.Equal(t, "v2", d.Version)
		assert.NotEqual(t, before[0].PID, d.PID)
	}
}

// TestResetWaitsForBusy: a busy worker is replaced after its task, and Reset's ctx bounds
// the wait.
func TestResetWaitsForBusy(t *testing.T) {
	p := newPool(t, procpool.WithWorkers(1), procpool.WithRestartIntensity(0, time.Minute))
	g := newGate(t)
	f := g.submit(t, p)
	g.started(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.Reset(ctx), context.DeadlineExceeded)
	g.release()
	pid, err := f.Result(context.Background())
	require.NoError(t, err, "Reset failed a busy task")
	require.NoError(t, p.Reset(context.Background()))
	now, err := submitWait(context.Background(), p, pidOf, 0)
	require.NoError(t, err)
	assert.NotEqual(t, pid, now)
}

func TestResetAfterShutdown(t *testing.T) {
	p, err := procpool.New(baseOptions()...)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Reset(context.Background()), executor.ErrShutdown)
	require.ErrorIs(t, p.Resize(context.Background(), 3), executor.ErrShutdown)
}
