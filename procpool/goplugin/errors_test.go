package goplugin_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/threadpool"
)

// TestErrorsCrossThePluginBoundary: a plugin's task errors answer errors.Is and
// errors.As as the same task's on a goroutine pool, with the same text; an unregistered
// one arrives as an *executor.RemoteError naming its type.
func TestErrorsCrossThePluginBoundary(t *testing.T) {
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	p := newPool(t)
	ctx := context.Background()
	for _, kind := range workloads.ErrorKinds {
		_, want := submitWait(ctx, tp, workloads.FailWith, kind)
		_, got := submitWait(ctx, p, workloads.FailWith, kind)
		proctest.SameError(t, kind, "Submit", want, got)
	}
}
