package procpool_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/threadpool"
)

// TestErrorsCrossTheBoundary: the same Funcs fail with the same errors on the threadpool
// and on the procpool, alone and in a Map chunk: the same text, and the same answers from
// errors.Is and errors.As for the registered ones; an unregistered error arrives as an
// *executor.RemoteError naming its type.
func TestErrorsCrossTheBoundary(t *testing.T) {
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	pp := newPool(t)
	ctx := context.Background()
	viaMap := func(ex executor.Executor) []error {
		var errs []error
		for _, err := range executor.Map(ctx, ex, workloads.FailWith, slices.Values(workloads.ErrorKinds), executor.Chunk(len(workloads.ErrorKinds))) {
			errs = append(errs, err)
		}
		return errs
	}
	mapped := map[string][]error{"threadpool": viaMap(tp), "procpool": viaMap(pp)}
	for i, kind := range workloads.ErrorKinds {
		_, want := submitWait(ctx, tp, workloads.FailWith, kind)
		_, got := submitWait(ctx, pp, workloads.FailWith, kind)
		proctest.SameError(t, kind, "Submit", want, got)
		proctest.SameError(t, kind, "Map", mapped["threadpool"][i], mapped["procpool"][i])
		if kind == "sentinel" {
			assert.Same(t, workloads.ErrGone, got, "a registered sentinel arrives as itself")
		}
	}
}
