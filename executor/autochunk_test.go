package executor_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// inline is a backend that runs every dispatch at once in the caller's goroutine and
// records the sizes Map chose.
type inline struct {
	mu    sync.Mutex
	sizes []int
	delay time.Duration // each item's running time
}

func (b *inline) run(tasks ...backend.Task) {
	b.mu.Lock()
	b.sizes = append(b.sizes, len(tasks))
	b.mu.Unlock()
	for _, t := range tasks {
		if t.Start() {
			time.Sleep(b.delay)
			t.Run(nil)
		}
	}
}

func (b *inline) Execute(_ context.Context, t backend.Task) error { b.run(t); return nil }
func (b *inline) ExecuteBatch(_ context.Context, batch []backend.Task) error {
	b.run(batch...)
	return nil
}
func (b *inline) Shutdown(context.Context, ...executor.ShutdownOption) error { return nil }
func (b *inline) Close() error                                               { return nil }
func (b *inline) Stats() executor.Stats                                      { return executor.Stats{} }

func mapAll(t *testing.T, ex executor.Executor, n int, opts ...executor.MapOption) {
	t.Helper()
	i := 0
	for v, err := range executor.Map(context.Background(), ex, square, count(n), opts...) {
		require.NoError(t, err)
		require.Equal(t, i*i, v, "item %d", i)
		i++
	}
	require.Equal(t, n, i)
}

func count(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// TestMapSizesItsChunks: without Chunk, fast items travel in chunks that grow, slow ones
// one by one, and a Window bounds the size.
func TestMapSizesItsChunks(t *testing.T) {
	fast := &inline{}
	mapAll(t, fast, 100_000)
	assert.Equal(t, 1, fast.sizes[0], "the first chunk is of one item")
	assert.GreaterOrEqual(t, slices.Max(fast.sizes), 64, "fast items travel in large chunks")

	slow := &inline{delay: 3 * executor.AutoChunkTarget}
	mapAll(t, slow, 8)
	assert.Equal(t, 1, slices.Max(slow.sizes), "items slower than the target go one by one")

	windowed := &inline{}
	mapAll(t, windowed, 10_000, executor.Window(64))
	assert.LessOrEqual(t, slices.Max(windowed.sizes), 32, "a chunk stays within half the window")

	fixed := &inline{}
	mapAll(t, fixed, 1000, executor.Chunk(7))
	for _, n := range fixed.sizes[:len(fixed.sizes)-1] {
		require.Equal(t, 7, n, "an explicit Chunk means exactly that")
	}
}
