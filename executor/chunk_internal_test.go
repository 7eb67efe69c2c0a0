package executor

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// testChunk is a sealed chunk of n items 0..n-1 of a doubling function, and the channel
// that hears when it is done (room for two, so that a second "done" shows instead of
// blocking).
func testChunk(n int) (*chunk[int, int], chan *chunk[int, int]) {
	done := make(chan *chunk[int, int], 2)
	f := Func[int, int]{name: "double", fn: func(_ context.Context, x int) (int, error) { return 2 * x, nil }}
	c := newChunk(0, context.Background(), f, n, done)
	for i := range n {
		c.ins = append(c.ins, i)
	}
	c.seal()
	return c, done
}

// decodeTens is a backend's answer to a chunk: 10, 11, 12, ...
func decodeTens(outs any) error {
	p := outs.(*[]int)
	for i := range *p {
		(*p)[i] = 10 + i
	}
	return nil
}

// TestChunkRunsWhole: a chunk started and finished whole resolves every item with one
// move of its gate, its items' own states untouched; a Discard after Start is too late,
// and the items handed out afterwards say they are finished.
func TestChunkRunsWhole(t *testing.T) {
	c, done := testChunk(4)
	if !c.Start() {
		t.Fatal("Start of a new chunk reported false")
	}
	if c.Discard(errors.New("late")) {
		t.Fatal("Discard of a started chunk reported true")
	}
	c.Finish(decodeTens)
	if len(done) != 1 || c.gate.Load() != gateDone {
		t.Fatalf("done %d times, gate %d; want once, gateDone", len(done), c.gate.Load())
	}
	for i := range c.items {
		if s := State(c.items[i].lc.raw()); s != Pending {
			t.Fatalf("item %d's own state %v; want it untouched while the chunk ran whole", i, s)
		}
		if c.outs[i] != 10+i || c.errOf(i) != nil {
			t.Fatalf("item %d: %d, %v; want %d, <nil>", i, c.outs[i], c.errOf(i), 10+i)
		}
	}
	for i, it := range c.Items() {
		if it.Discard(errors.New("late")) || State(c.items[i].lc.raw()) != Finished {
			t.Fatalf("item %d after the split: discarded, or state %v; want Finished", i, State(c.items[i].lc.raw()))
		}
	}
}

// TestChunkFailItemSplitsIt: an item failed on its own after a whole Start keeps its
// error, and Finish resolves the others item by item.
func TestChunkFailItemSplitsIt(t *testing.T) {
	c, done := testChunk(3)
	c.Start()
	bad := errors.New("item 1 is bad")
	c.FailItem(1, bad)
	c.Finish(decodeTens)
	if len(done) != 1 {
		t.Fatalf("done %d times; want once", len(done))
	}
	if c.errOf(1) != bad || c.outs[0] != 10 || c.errOf(0) != nil || c.outs[2] != 12 {
		t.Fatalf("outs %v, errors %v %v %v", c.outs, c.errOf(0), c.errOf(1), c.errOf(2))
	}
}

// TestChunkDiscardRacesStart: a Map giving up on a chunk while a backend starts it
// cancels the items that have not started, and only those; each item resolves once and
// the chunk is done once.
func TestChunkDiscardRacesStart(t *testing.T) {
	for range 1000 {
		c, done := testChunk(8)
		var started, discarded bool
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); started = c.Start() }()
		go func() { defer wg.Done(); discarded = c.Discard(context.Canceled) }()
		wg.Wait()
		if !started && !discarded {
			t.Fatal("neither started nor discarded")
		}
		if started {
			c.Finish(decodeTens)
		}
		if len(done) != 1 || c.remaining.Load() != 0 {
			t.Fatalf("done %d times, %d items left; want once, none", len(done), c.remaining.Load())
		}
		cancelled := 0
		for i := range c.items {
			switch err := c.errOf(i); {
			case errors.Is(err, ErrCancelled):
				cancelled++
			case err != nil || c.outs[i] != 10+i:
				t.Fatalf("item %d: %d, %v; want %d or cancelled", i, c.outs[i], err, 10+i)
			}
		}
		if (cancelled > 0) != discarded || (cancelled < len(c.items)) != started {
			t.Fatalf("%d of %d items cancelled, started %v, discarded %v", cancelled, len(c.items), started, discarded)
		}
	}
}
