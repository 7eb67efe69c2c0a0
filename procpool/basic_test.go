package procpool_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

func newPool(t *testing.T, opts ...procpool.Option) *procpool.Pool {
	t.Helper()
	opts = append([]procpool.Option{procpool.WithWorkers(2), procpool.WithStdout(io.Discard), procpool.WithStderr(io.Discard)}, opts...)
	p, err := procpool.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

func TestSubmitSquare(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	f, err := executor.Submit(ctx, p, workloads.Square, 7)
	require.NoError(t, err)
	v, err := f.Result(ctx)
	require.NoError(t, err)
	require.Equal(t, 49, v)
}
