package threadpool_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// TestCloseFromItsOwnTask: Close called by a task, or by a done callback, of the same
// pool returns instead of waiting for the worker it runs on; it still waits for the others.
func TestCloseFromItsOwnTask(t *testing.T) {
	ctx := context.Background()
	t.Run("task", func(t *testing.T) {
		p, err := threadpool.New(threadpool.WithMaxWorkers(2))
		require.NoError(t, err)
		release := make(chan struct{})
		other, err := threadpool.Go(ctx, p, func(context.Context) (int, error) { <-release; return 1, nil })
		require.NoError(t, err)
		closer, err := threadpool.Go(ctx, p, func(context.Context) (error, error) {
			time.AfterFunc(50*time.Millisecond, func() { close(release) })
			return p.Close(), nil
		})
		require.NoError(t, err)
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		closeErr, err := closer.Result(wait)
		require.NoError(t, err, "Close from a task returned")
		assert.NoError(t, closeErr)
		assert.Equal(t, executor.Finished, other.State(), "it waited for the other worker's task")
		_, err = threadpool.Go(ctx, p, func(context.Context) (int, error) { return 0, nil })
		assert.ErrorIs(t, err, executor.ErrShutdown)
		require.NoError(t, p.Close())
	})
	t.Run("callback", func(t *testing.T) {
		p, err := threadpool.New(threadpool.WithMaxWorkers(1))
		require.NoError(t, err)
		start := make(chan struct{})
		f, err := threadpool.Go(ctx, p, func(context.Context) (int, error) { <-start; return 7, nil })
		require.NoError(t, err)
		closed := make(chan error, 1)
		f.AddDoneCallback(func(*executor.Future[int]) { closed <- p.Close() })
		close(start)
		select {
		case err := <-closed:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Close from a done callback did not return")
		}
		require.NoError(t, p.Close())
	})
}
