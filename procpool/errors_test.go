package procpool_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
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
		t.Run(kind, func(t *testing.T) {
			_, want := submitWait(ctx, tp, workloads.FailWith, kind)
			_, got := submitWait(ctx, pp, workloads.FailWith, kind)
			for _, c := range []struct {
				how       string
				want, got error
			}{{"Submit", want, got}, {"Map", mapped["threadpool"][i], mapped["procpool"][i]}} {
				require.Error(t, c.got, c.how)
				assert.Equal(t, c.want.Error(), c.got.Error(), "%s: the same text", c.how)
				assert.Equal(t, errors.Is(c.want, workloads.ErrGone), errors.Is(c.got, workloads.ErrGone), "%s: errors.Is(err, workloads.ErrGone)", c.how)
				assert.Equal(t, errors.Is(c.want, context.DeadlineExceeded), errors.Is(c.got, context.DeadlineExceeded),
					"%s: errors.Is(err, context.DeadlineExceeded)", c.how)
				var wantNF, gotNF *workloads.NotFound
				require.Equal(t, errors.As(c.want, &wantNF), errors.As(c.got, &gotNF), "%s: errors.As(err, *workloads.NotFound)", c.how)
				if wantNF != nil {
					assert.Equal(t, wantNF.Key, gotNF.Key, "%s: its fields", c.how)
				}
			}
			if kind == "unregistered" {
				var re *executor.RemoteError
				require.ErrorAs(t, got, &re)
				assert.Equal(t, "*fs.PathError", re.Type)
			}
			if kind == "sentinel" {
				assert.Same(t, workloads.ErrGone, got, "a registered sentinel arrives as itself")
			}
		})
	}
}
