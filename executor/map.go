package executor

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/dualpool/dualpool/backend"
)

// Result is one item's outcome from [MapUnordered]: its position in the input, and the
// function's result and error.
type Result[T any] struct {
	Index int
	Value T
	Err   error
}

// Map runs f on each input on ex and yields the results in input order, as Python's
// Executor.map. Each error is yielded at its own position and iteration goes on past it:
// the caller decides whether to break. Inputs are pulled lazily, at most a [Window] ahead
// of the consumer. Breaking out of the loop cancels what is pending and the ctx of what is
// running, and returns at once. When ctx ends, Map yields its error once and stops.
//
// Map is one pass: iterating the returned sequence again runs f on the inputs again.
func Map[In, Out any](ctx context.Context, ex Executor, f Func[In, Out], inputs iter.Seq[In], opts ...MapOption) iter.Seq2[Out, error] {
	return func(yield func(Out, error) bool) {
		m := newMapRun(ctx, ex, f, true, opts)
		m.run(inputs, func(c *chunk[In, Out]) bool {
			for i := range c.items {
				if !yield(c.outs[i], c.errOf(i)) {
					return false
				}
			}
			return true
		}, func(err error) { yield(*new(Out), err) })
	}
}

// MapUnordered is [Map] that yields each result as soon as it is ready, in completion
// order (chunk by chunk), with its input position in [Result.Index]. A slow item then
// holds up nothing but itself.
func MapUnordered[In, Out any](ctx context.Context, ex Executor, f Func[In, Out], inputs iter.Seq[In], opts ...MapOption) iter.Seq[Result[Out]] {
	return func(yield func(Result[Out]) bool) {
		m := newMapRun(ctx, ex, f, false, opts)
		m.run(inputs, func(c *chunk[In, Out]) bool {
			for i := range c.items {
				if !yield(Result[Out]{Index: c.start + i, Value: c.outs[i], Err: c.errOf(i)}) {
					return false
				}
			}
			return true
		}, func(err error) { yield(Result[Out]{Index: -1, Err: err}) })
	}
}

type mapRun[In, Out any] struct {
	ctx      context.Context
	ex       Executor
	batcher  backend.Batcher       // ex, if it can batch
	chunker  backend.ChunkExecutor // ex, if it can run chunks
	f        Func[In, Out]
	ordered  bool
	cfg      mapConfig
	size     int  // items per chunk now
	auto     bool // size is Map's to choose
	done     chan *chunk[In, Out]
	inflight []*chunk[In, Out] // in input order
	broke    bool              // the consumer broke out of its loop
}

func newMapRun[In, Out any](ctx context.Context, ex Executor, f Func[In, Out], ordered bool, opts []MapOption) *mapRun[In, Out] {
	var cfg mapConfig
	for _, o := range opts {
		if o != nil {
			o.applyMap(&cfg)
		}
	}
	if cfg.err == nil && f.fn == nil {
		cfg.err = fmt.Errorf("%w: Map of a zero Func (not made by Register)", ErrUnknownFunc)
	}
	m := &mapRun[In, Out]{ctx: ctx, ex: ex, f: f, ordered: ordered, cfg: cfg, size: cfg.chunk}
	m.batcher, _ = ex.(backend.Batcher)
	m.chunker, _ = ex.(backend.ChunkExecutor)
	if cfg.chunk == 0 {
		m.size, m.auto = 1, m.batcher != nil || m.chunker != nil
	}
	// The done channel has room for every chunk that can be in flight: the window's
	// worth of chunks of one item, or of the explicit size.
	m.done = make(chan *chunk[In, Out], m.maxChunks(1))
	return m
}

// maxChunks is how many chunks of size items may be in flight.
func (m *mapRun[In, Out]) maxChunks(size int) int {
	if m.cfg.window > 0 {
		return max(1, (m.cfg.window+size-1)/size)
	}
	if !m.auto {
		size = m.size
	}
	return max(8, 256/size)
}

// resize adapts a chunk size that Map chooses to how long chunk c took.
func (m *mapRun[In, Out]) resize(c *chunk[In, Out]) {
	if !m.auto || len(c.items) != m.size {
		return
	}
	limit := maxAutoChunk
	if m.cfg.window > 0 {
		limit = max(1, m.cfg.window/2)
	}
	started := c.started.Load()
	if started == 0 {
		return
	}
	switch took := time.Duration(time.Now().UnixNano() - started); {
	case took < AutoChunkTarget/4 && m.size < limit:
		m.size = min(2*m.size, limit)
	case took > 2*AutoChunkTarget && m.size > 1:
		m.size /= 2
	}
}

// run drives the map: it pulls inputs, dispatches chunks, and hands finished chunks to
// emit; fail reports an error that ends the map.
func (m *mapRun[In, Out]) run(inputs iter.Seq[In], emit func(*chunk[In, Out]) bool, fail func(error)) {
	if m.cfg.err != nil {
		fail(m.cfg.err)
		return
	}
	parent := m.ctx
	ctx, cancel := context.WithCancel(parent)
	m.ctx = ctx
	defer m.abandon(cancel)

	var cur *chunk[In, Out]
	next := 0
	for in := range inputs {
		if cur == nil {
			cur = newChunk(next, ctx, m.f, m.size, m.done)
		}
		cur.ins = append(cur.ins, in)
		next++
		if len(cur.ins) < m.size {
			continue
		}
		m.dispatch(cur)
		cur = nil
		if !m.drain(emit, false) {
			break
		}
	}
	if cur != nil && !m.broke && ctx.Err() == nil {
		m.dispatch(cur)
	}
	if !m.broke && m.drain(emit, true) {
		return
	}
	if err := parent.Err(); err != nil && !m.broke {
		fail(err)
	}
}

func (m *mapRun[In, Out]) dispatch(c *chunk[In, Out]) {
	c.seal()
	m.inflight = append(m.inflight, c)
	c.timed = m.auto
	if len(c.items) > 1 && m.chunker != nil {
		if err := m.chunker.ExecuteChunk(m.ctx, c); err != nil {
			c.Fail(err)
		}
		return
	}
	c.split() // its items go out one by one
	if len(c.items) == 1 || m.batcher == nil {
		for i := range c.items {
			if err := m.ex.Execute(m.ctx, &c.items[i]); err != nil {
				c.items[i].Fail(err)
			}
		}
		return
	}
	tasks := make([]backend.Task, len(c.items))
	for i := range c.items {
		tasks[i] = &c.items[i]
	}
	if err := m.batcher.ExecuteBatch(m.ctx, tasks); err != nil {
		for i := range c.items {
			c.items[i].Fail(err)
		}
	}
}

// drain emits the chunks that are ready; it waits for more while the window is full, or
// until nothing is in flight when all is set. It returns false when the map must stop:
// the consumer broke out, or ctx ended.
func (m *mapRun[In, Out]) drain(emit func(*chunk[In, Out]) bool, all bool) bool {
	for {
		if m.ctx.Err() != nil {
			return false
		}
		// Take what has finished without waiting.
		for ready := true; ready; {
			select {
			case c := <-m.done:
				if !m.finished(c, emit) {
					return false
				}
			default:
				ready = false
			}
		}
		if len(m.inflight) == 0 || (!all && len(m.inflight) < m.maxChunks(m.size)) {
			return true
		}
		select {
		case c := <-m.done:
			if !m.finished(c, emit) {
				return false
			}
		case <-m.ctx.Done():
			return false
		}
	}
}

// finished records that c is done and emits what can be emitted: c itself when unordered,
// the finished prefix of the in-flight chunks when ordered.
func (m *mapRun[In, Out]) finished(c *chunk[In, Out], emit func(*chunk[In, Out]) bool) bool {
	c.finished = true
	m.resize(c)
	if !m.ordered {
		for i, x := range m.inflight {
			if x == c {
				m.inflight = append(m.inflight[:i], m.inflight[i+1:]...)
				break
			}
		}
		if !emit(c) {
			m.broke = true
			return false
		}
		return true
	}
	for len(m.inflight) > 0 && m.inflight[0].finished {
		head := m.inflight[0]
		m.inflight[0] = nil
		m.inflight = m.inflight[1:]
		if !emit(head) {
			m.broke = true
			return false
		}
	}
	return true
}

// abandon cancels whatever is still in flight when the map ends early: pending items never
// run, running ones see their ctx cancelled.
func (m *mapRun[In, Out]) abandon(cancel context.CancelFunc) {
	cancel()
	for _, c := range m.inflight {
		c.Discard(context.Canceled)
	}
	m.inflight = nil
}
