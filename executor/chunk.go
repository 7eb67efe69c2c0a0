package executor

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
)

// chunk is one dispatch of Map: a few items that resolve on their own and tell the chunk.
// Their arguments and results are kept in two slices, so that a backend can move them in
// one piece (backend.Chunk); each item's state and error are its own.
type chunk[In, Out any] struct {
	start     int // input position of items[0]
	ctx       context.Context
	f         Func[In, Out]
	ins       []In
	outs      []Out
	items     []mapItem[In, Out]
	gate      atomic.Uint32 // whether the chunk runs whole or item by item: see split
	bound     sync.Once     // the chunk was split
	errMu     sync.Mutex
	errs      []error // the items' errors, made at the first: most chunks have none
	remaining atomic.Int32
	done      chan<- *chunk[In, Out] // buffered for every chunk in flight: never blocks
	finished  bool                   // seen on done; touched by the consumer only
	timed     bool                   // Map sizes its chunks: note when it starts
	started   atomic.Int64           // when a backend started it, in Unix nanoseconds
}

var _ backend.Chunk = (*chunk[int, int])(nil)

func newChunk[In, Out any](start int, ctx context.Context, f Func[In, Out], size int, done chan<- *chunk[In, Out]) *chunk[In, Out] {
	return &chunk[In, Out]{start: start, ctx: ctx, f: f, ins: make([]In, 0, size), done: done}
}

// seal makes the items of the arguments gathered, before the chunk is dispatched.
func (c *chunk[In, Out]) seal() {
	n := len(c.ins)
	c.outs = make([]Out, n)
	c.items = make([]mapItem[In, Out], n)
	c.remaining.Store(int32(n))
}

// A chunk that a backend runs whole, Start and then Finish, keeps its items' states for
// them: its gate moves from open to whole to done with one compare-and-swap each, and the
// items' own lifecycles stay untouched, which saves two compare-and-swaps per item.
// Whatever hands the items out or resolves them one by one splits the chunk first.
const (
	gateOpen  = iota // not started: every item is pending
	gateWhole        // Start took every item: they run as one
	gateDone         // Finish resolved every item at once
	gateSplit        // each item's lifecycle says where it stands
)

// split gives each item its chunk and place, which it needs to serve as a Task on its
// own, and the state that the chunk kept for it while whole; the items' lifecycles say
// where each stands from then on.
func (c *chunk[In, Out]) split() {
	c.bound.Do(func() {
		for i := range c.items {
			c.items[i].c, c.items[i].i = c, int32(i)
		}
		for {
			g := c.gate.Load()
			switch g {
			case gateWhole:
				c.publishAll(Running)
			case gateDone:
				c.publishAll(Finished)
			}
			if g == gateDone || c.gate.CompareAndSwap(g, gateSplit) {
				return
			}
		}
	})
}

// publishAll sets every item's lifecycle to s, for split.
func (c *chunk[In, Out]) publishAll(s State) {
	for i := range c.items {
		c.items[i].lc.publish(s)
	}
}

// noteStart records when a backend starts the chunk (or its first item), for Map's
// sizing: the time a chunk waited in a queue says nothing of its size.
func (c *chunk[In, Out]) noteStart() {
	if c.timed && c.started.Load() == 0 {
		c.started.Store(time.Now().UnixNano())
	}
}

// setErr records the error of item i, before the item is published.
func (c *chunk[In, Out]) setErr(i int, err error) {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	if c.errs == nil {
		c.errs = make([]error, len(c.items))
	}
	c.errs[i] = err
}

// errOf returns the error of item i; the Map reads it once the chunk is done.
func (c *chunk[In, Out]) errOf(i int) error {
	if c.errs == nil {
		return nil
	}
	return c.errs[i]
}

func (c *chunk[In, Out]) itemDone() { c.itemsDone(1) }

// itemsDone notes that n more items are resolved: one count for a whole chunk's results.
func (c *chunk[In, Out]) itemsDone(n int32) {
	if n != 0 && c.remaining.Add(-n) == 0 {
		c.done <- c
	}
}

func (c *chunk[In, Out]) Context() context.Context { return c.ctx }
func (c *chunk[In, Out]) Func() string             { return c.f.name }
func (c *chunk[In, Out]) Input() any               { return &c.ins }
func (c *chunk[In, Out]) Len() int                 { return len(c.items) }

// Start starts every item; it reports false when none could start (the Map's ctx ended,
// or the Map gave up on them), and they are then resolved. The ctx is looked at once for
// the whole chunk.
func (c *chunk[In, Out]) Start() bool {
	c.noteStart()
	if done := c.ctx.Done(); done != nil {
		select {
		case <-done:
			c.Discard(c.ctx.Err())
			return false
		default:
		}
	}
	if c.gate.CompareAndSwap(gateOpen, gateWhole) {
		return true
	}
	c.split()
	started := false
	for i := range c.items {
		if c.items[i].lc.start() {
			started = true
		}
	}
	return started
}

// Run runs the items one after another in this goroutine.
func (c *chunk[In, Out]) Run(count func(error)) {
	c.split()
	for i := range c.items {
		if State(c.items[i].lc.raw()) == Running {
			c.items[i].Run(count)
		}
	}
}

// Finish decodes the results of every item at once. When every item is resolved already
// (each failed), the results are not touched: the Map may be reading them.
func (c *chunk[In, Out]) Finish(decode func(outs any) error) {
	whole := c.gate.Load() == gateWhole
	if !whole {
		c.split()
		if c.remaining.Load() == 0 {
			return
		}
	}
	n := len(c.outs)
	err := decode(&c.outs)
	if err == nil && len(c.outs) != n {
		err = fmt.Errorf("executor: %s: a chunk of %d calls came back with %d results", c.f.name, n, len(c.outs))
	}
	if err != nil {
		c.outs = make([]Out, n)
		c.Fail(err)
		return
	}
	if whole {
		if c.gate.CompareAndSwap(gateWhole, gateDone) {
			c.itemsDone(int32(n))
			return
		}
		c.split() // split meanwhile: finish item by item
	}
	settled := int32(0)
	for i := range c.items {
		lc := &c.items[i].lc
		if lc.finishRunning() { // the usual case, one compare-and-swap
			settled++
		} else if lc.claim() { // a backend that finished it without starting it
			lc.publish(Finished)
			settled++
		}
	}
	c.itemsDone(settled)
}

func (c *chunk[In, Out]) FailItem(i int, err error) {
	c.split()
	c.items[i].Fail(err)
}

func (c *chunk[In, Out]) Fail(err error) {
	c.split()
	for i := range c.items {
		c.items[i].Fail(err)
	}
}

func (c *chunk[In, Out]) Discard(cause error) bool {
	if g := c.gate.Load(); g == gateWhole || g == gateDone { // started: too late
		return false
	}
	c.split()
	any := false
	for i := range c.items {
		if c.items[i].Discard(cause) {
			any = true
		}
	}
	return any
}

func (c *chunk[In, Out]) Items() []backend.Task {
	c.split()
	tasks := make([]backend.Task, len(c.items))
	for i := range c.items {
		tasks[i] = &c.items[i]
	}
	return tasks
}
