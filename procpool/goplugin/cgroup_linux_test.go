package goplugin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/internal/supervise"
	"github.com/dualpool/dualpool/procpool"
	tt "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks"
)

// TestWithCgroup: a plugin process, started by go-plugin through the pool's spawner, is
// in a leaf of the pool's cgroup tree, and Close removes the tree.
func TestWithCgroup(t *testing.T) {
	probe, err := supervise.NewCgroupTree(supervise.CgroupLimits{})
	if errors.Is(err, supervise.ErrNoCgroup) {
		t.Skipf("no cgroup v2 subtree can be made here: %v", err)
	}
	require.NoError(t, err)
	require.NoError(t, probe.Remove())

	p := newPool(t, procpool.WithWorkers(1), procpool.WithCgroup(procpool.CgroupLimits{}))
	pid, err := submitWait(context.Background(), p, tt.PID, 0)
	require.NoError(t, err)
	dir, err := supervise.ProcessCgroup(pid)
	require.NoError(t, err)
	tree := filepath.Dir(dir)
	assert.Regexp(t, fmt.Sprintf(`/dualpool-%d-\d+/worker-\d+$`, os.Getpid()), dir, "the plugin's cgroup")
	require.NoError(t, p.Close())
	assert.NoDirExists(t, tree, "Close removes the tree")
}
