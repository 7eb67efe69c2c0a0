package goplugin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
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
		t.Run(kind, func(t *testing.T) {
			_, want := submitWait(ctx, tp, workloads.FailWith, kind)
			_, got := submitWait(ctx, p, workloads.FailWith, kind)
			require.Error(t, got)
			assert.Equal(t, want.Error(), got.Error(), "the same text")
			assert.Equal(t, errors.Is(want, workloads.ErrGone), errors.Is(got, workloads.ErrGone), "errors.Is(err, ErrGone)")
			var wantNF, gotNF *workloads.NotFound
			require.Equal(t, errors.As(want, &wantNF), errors.As(got, &gotNF), "errors.As(err, *NotFound)")
			if wantNF != nil {
				assert.Equal(t, wantNF.Key, gotNF.Key)
			}
			if kind == "unregistered" {
				var re *executor.RemoteError
				require.ErrorAs(t, got, &re)
				assert.Equal(t, "*fs.PathError", re.Type)
			}
		})
	}
}
