package executor

import (
	"fmt"
	"time"
)

// MapOption tunes [Map] and [MapUnordered].
type MapOption interface{ applyMap(*mapConfig) }

type mapConfig struct {
	chunk, window int // 0: sized by Map
	err           error
}

type mapFunc func(*mapConfig)

func (f mapFunc) applyMap(c *mapConfig) { f(c) }

// Chunk makes Map send exactly n items per dispatch: a goroutine pool runs them one after
// another on one worker, a process pool sends them in one message and so pays one round
// trip for n items. Larger chunks cut the per-item cost of small tasks; smaller ones
// spread uneven tasks better. n < 1 is an error that Map yields.
//
// Without Chunk, Map sizes its chunks itself: it starts at 1 and doubles the size while a
// chunk runs in under a quarter of [AutoChunkTarget] from the moment a worker takes it to
// its last result, halving it when one runs over twice that, always within [Window]; the
// cost is two clock readings per chunk. Fast items so travel in large chunks and slow
// ones one by one, with no tuning.
func Chunk(n int) MapOption {
	return mapFunc(func(c *mapConfig) {
		if n < 1 {
			c.err = fmt.Errorf("executor: Chunk(%d): want at least 1", n)
		}
		c.chunk = n
	})
}

// Window bounds the items Map has in flight, dispatched and not yet yielded, to n
// (rounded up to a whole number of chunks). This is Map's back-pressure: a slow consumer
// or an endless input never piles up in memory. The default is the larger of 256 and 8
// chunks; n < 1 is an error that Map yields. Chunks that Map sizes itself stay at or
// under half the window, so that two are in flight at once.
func Window(n int) MapOption {
	return mapFunc(func(c *mapConfig) {
		if n < 1 {
			c.err = fmt.Errorf("executor: Window(%d): want at least 1", n)
		}
		c.window = n
	})
}

// AutoChunkTarget is the running time that Map aims at for a chunk it sizes itself (see
// [Chunk]): long enough that a process pool's round trip is a few per cent of it, short
// enough that the last chunks of a map do not leave workers idle.
const AutoChunkTarget = 2 * time.Millisecond

// maxAutoChunk bounds the chunks Map sizes itself.
const maxAutoChunk = 1 << 14
