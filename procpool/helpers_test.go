package procpool_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
)

// newPool starts a pool of 2 workers with their output discarded, and checks at the end
// of the test that it closes and leaves no child process and no descriptor behind.
func newPool(t *testing.T, opts ...procpool.Option) *procpool.Pool {
	t.Helper()
	fds := proctest.OpenFDs(t)
	opts = append(baseOptions(), opts...)
	p, err := procpool.New(opts...)
	require.NoError(t, err)
	proctest.CloseAtEnd(t, fds, p)
	return p
}

// baseOptions: 2 workers, output discarded, and no exit delay in a race-enabled worker
// (the race runtime sleeps a second before exiting unless told otherwise).
func baseOptions() []procpool.Option {
	return []procpool.Option{procpool.WithWorkers(2), procpool.WithStdout(io.Discard),
		procpool.WithStderr(io.Discard), procpool.WithEnv("GORACE=atexit_sleep_ms=0")}
}

func submitWait[In, Out any](ctx context.Context, ex executor.Executor, f executor.Func[In, Out], in In) (Out, error) {
	fut, err := executor.Submit(ctx, ex, f, in)
	if err != nil {
		return *new(Out), err
	}
	return fut.Result(context.Background())
}
