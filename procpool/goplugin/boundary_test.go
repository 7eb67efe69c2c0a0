package goplugin_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
	"github.com/dualpool/dualpool/threadpool"
)

// TestTheBoundaryKeepsMeaning: the same calls (workloads.BoundaryCases), through Submit
// and through a Map chunk, on a goroutine pool, a process pool over pipes and a pool of
// go-plugin plugins (the same plugin binary serves both): every result and every error
// of a process pool reads and matches as the goroutine pool's, or both process pools
// refuse the Func with the documented error and take nothing.
func TestTheBoundaryKeepsMeaning(t *testing.T) {
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	pipes, plugins := newBothPools(t)
	proctest.SameAcrossTheBoundary(t, tp, procpool.ErrNotPortable,
		proctest.Named{Name: "procpool", Ex: pipes}, proctest.Named{Name: "goplugin", Ex: plugins})
}

// TestATaskChangesItsOwnCopy: a task that writes into the map it was given writes into
// the caller's on a goroutine pool and into its own copy across a process, with the same
// result; the README's rule 3 says so.
func TestATaskChangesItsOwnCopy(t *testing.T) {
	tp, err := threadpool.New()
	require.NoError(t, err)
	defer tp.Close()
	ctx := context.Background()
	pipes, plugins := newBothPools(t)
	for _, c := range []struct {
		name string
		ex   executor.Executor
		want map[string]int
	}{
		{"threadpool", tp, map[string]int{"a": 1, "stamped": 1}},
		{"procpool", pipes, map[string]int{"a": 1}},
		{"goplugin", plugins, map[string]int{"a": 1}},
	} {
		m := map[string]int{"a": 1}
		n, err := submitWait(ctx, c.ex, workloads.Stamp, m)
		require.NoError(t, err, c.name)
		assert.Equal(t, 2, n, "%s: the task saw its argument and its write", c.name)
		assert.Equal(t, c.want, m, "%s: the caller's map after the task", c.name)
	}
}

// newBothPools starts the test plugin as a pool over pipes and as a pool of go-plugin
// plugins, and at the end of the test closes both and checks that no child process and
// no descriptor is left.
func newBothPools(t *testing.T) (pipes, plugins *procpool.Pool) {
	t.Helper()
	fds := proctest.OpenFDs(t)
	pipes, err := procpool.New(append(baseOptions(), procpool.WithCommand(pluginBin))...)
	require.NoError(t, err)
	plugins, err = goplugin.New(pluginBin, goplugin.WithPoolOptions(baseOptions()...))
	if err != nil {
		pipes.Close()
		t.Fatal(err)
	}
	proctest.CloseAtEnd(t, fds, closers{pipes, plugins}) // both, then the checks
	return pipes, plugins
}

// closers closes each of its pools in turn.
type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
