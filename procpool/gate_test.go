package procpool_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
)

// held runs in a worker until the test releases its gate: it opens the gate's FIFO for
// reading, which blocks until the test opens it for writing (so the test knows it
// started), and reads until the test closes it. It returns the worker's pid.
var held = executor.Register("procpool_test.held", func(_ context.Context, fifo string) (int, error) {
	_, err := os.ReadFile(fifo)
	return os.Getpid(), err
})

// gate holds one task of held inside a worker.
type gate struct {
	path string
	w    *os.File
}

var gates int

func newGate(t *testing.T) *gate {
	t.Helper()
	gates++
	path := filepath.Join(t.TempDir(), "gate"+strconv.Itoa(gates))
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	return &gate{path: path}
}

// submit submits the gate's held task.
func (g *gate) submit(t *testing.T, ex executor.Executor) *executor.Future[int] {
	t.Helper()
	f, err := executor.Submit(context.Background(), ex, held, g.path)
	require.NoError(t, err)
	return f
}

// started returns once the gate's task runs in a worker, and fails the test if it does
// not within a generous bound (the open that waits for it is then left blocked).
func (g *gate) started(t *testing.T) {
	t.Helper()
	opened := make(chan error, 1)
	go func() {
		var err error
		g.w, err = os.OpenFile(g.path, os.O_WRONLY, 0)
		opened <- err
	}()
	select {
	case err := <-opened:
		require.NoError(t, err)
	case <-time.After(time.Minute):
		t.Fatalf("the held task %s did not start within a minute", g.path)
	}
}

// release lets the gate's task return.
func (g *gate) release() { g.w.Close() }
