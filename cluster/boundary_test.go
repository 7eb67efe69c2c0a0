package cluster_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// TestTheBoundaryKeepsMeaning: the process pools' boundary cases (workloads.BoundaryCases),
// through Submit and a Map chunk, mean on a cluster what they mean on a goroutine pool,
// though a node decodes each argument and encodes each result once more: the same
// results and errors, or the same refusal before anything is sent.
func TestTheBoundaryKeepsMeaning(t *testing.T) {
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	p := newPool(t)
	ctx := context.Background()
	for _, c := range workloads.BoundaryCases() {
		t.Run(c.Name, func(t *testing.T) {
			for _, how := range []struct {
				name string
				run  func(workloads.BoundaryCase, context.Context, executor.Executor) (any, error)
			}{{"Submit", workloads.BoundaryCase.Submit}, {"Map", workloads.BoundaryCase.Map}} {
				want, wantErr := how.run(c, ctx, tp)
				taken := p.Stats().Submitted
				got, err := how.run(c, ctx, p)
				switch {
				case c.Refused != "":
					require.ErrorIs(t, err, procpool.ErrNotPortable, how.name)
					assert.EqualError(t, err, c.Refused, how.name)
					assert.Equal(t, taken, p.Stats().Submitted, "%s: nothing is taken", how.name)
				case c.ErrorKind != "":
					proctest.SameError(t, c.ErrorKind, how.name, wantErr, err)
				default:
					require.NoError(t, err, how.name)
					proctest.SameValue(t, c.Name, how.name, want, got)
				}
			}
		})
	}
}

// TestATaskChangesItsOwnCopy: a task's write into the map it was given stays in its own
// copy on a node, as across any process.
func TestATaskChangesItsOwnCopy(t *testing.T) {
	p := newPool(t)
	m := map[string]int{"a": 1}
	n, err := submitWait(context.Background(), p, workloads.Stamp, m)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the task saw its argument and its write")
	assert.Equal(t, map[string]int{"a": 1}, m, "the caller's map after the task")
}
