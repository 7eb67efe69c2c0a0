package pproftest_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

func TestMain(m *testing.M) {
	procpool.ServeIfWorker()
	goleak.VerifyTestMain(m)
}

// spinFor keeps a CPU busy for d and never looks at its ctx.
func spinFor(d time.Duration) int {
	n := 0
	for end := time.Now().Add(d); time.Now().Before(end); {
		n++
	}
	return n
}

var spin = executor.Register("pproftest.spin", func(_ context.Context, d time.Duration) (int, error) {
	return spinFor(d), nil
})

func TestProfileOfABusyWorker(t *testing.T) {
	p, err := procpool.New(procpool.WithWorkers(1), procpool.WithKillGrace(10*time.Millisecond),
		procpool.WithEnv("GORACE=atexit_sleep_ms=0"))
	require.NoError(t, err)
	defer p.Close()
	ctx := context.Background()
	pid := p.Stats().PerWorker[0].PID

	sctx, stop := context.WithCancel(ctx)
	defer stop()
	f, err := executor.Submit(sctx, p, spin, time.Minute)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return p.Stats().Busy == 1 }, 10*time.Second, time.Millisecond)

	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	data, err := p.Profile(pctx, pid, "cpu", 300*time.Millisecond)
	require.NoError(t, err)
	prof, err := profile.Parse(bytes.NewReader(data))
	require.NoError(t, err)
	require.NoError(t, prof.CheckValid())
	assert.Equal(t, "cpu", prof.SampleType[len(prof.SampleType)-1].Type)
	var spinning int64
	for _, s := range prof.Sample {
		if inFunc(s, "spinFor") {
			spinning += s.Value[0]
		}
	}
	assert.Positive(t, spinning, "CPU samples of the spinning task")

	data, err = p.Profile(pctx, pid, "goroutine", 0)
	require.NoError(t, err)
	prof, err = profile.Parse(bytes.NewReader(data))
	require.NoError(t, err)
	found := false
	for _, s := range prof.Sample {
		found = found || inFunc(s, "spinFor")
	}
	assert.True(t, found, "the goroutine profile shows the task")

	data, err = p.Profile(pctx, pid, "heap", 0)
	require.NoError(t, err)
	prof, err = profile.Parse(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, "inuse_space", prof.SampleType[len(prof.SampleType)-1].Type)

	stop()
	_, err = f.Result(ctx)
	assert.ErrorIs(t, err, executor.ErrKilled)
}

// inFunc reports whether a function whose name ends with name is on s's stack.
func inFunc(s *profile.Sample, name string) bool {
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			if l.Function != nil && strings.HasSuffix(l.Function.Name, name) {
				return true
			}
		}
	}
	return false
}
