package cluster_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	proctest.SameAcrossTheBoundary(t, tp, procpool.ErrNotPortable, proctest.Named{Name: "cluster", Ex: newPool(t)})
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
