package executor

import (
	"context"
	"sync/atomic"
)

// mapItem is one input of Map: a Task lighter than a Future, since nobody waits on it
// alone. Its chunk holds what the items share (ctx, function) and is told when each item is
// resolved; the Map goroutine reads val and err only after the whole chunk is done.
type mapItem[In, Out any] struct {
	state atomic.Uint32 // a State, or resolving while one resolver writes val and err
	in    In
	val   Out
	err   error
	c     *chunk[In, Out]
}

var _ Task = (*mapItem[int, int])(nil)

func (it *mapItem[In, Out]) Context() context.Context { return it.c.ctx }
func (it *mapItem[In, Out]) Func() string             { return it.c.f.name }
func (it *mapItem[In, Out]) Input() any               { return it.in }

func (it *mapItem[In, Out]) Start() bool {
	if done := it.c.ctx.Done(); done != nil {
		select {
		case <-done:
			it.Discard(it.c.ctx.Err())
			return false
		default:
		}
	}
	return it.state.CompareAndSwap(uint32(Pending), uint32(Running))
}

func (it *mapItem[In, Out]) Run(count func(error)) {
	v, err := callRecover(it.c.ctx, it.c.f.fn, it.in)
	if count != nil {
		count(err)
	}
	it.resolve(Finished, v, err)
}

func (it *mapItem[In, Out]) Finish(decode func(out any) error) {
	var out Out
	err := decode(&out)
	it.resolve(Finished, out, err)
}

func (it *mapItem[In, Out]) Fail(err error) { it.resolve(Finished, *new(Out), err) }

func (it *mapItem[In, Out]) Discard(cause error) bool {
	if !it.state.CompareAndSwap(uint32(Pending), resolving) {
		return false
	}
	it.err = cancelled(cause)
	it.state.Store(uint32(Cancelled))
	it.c.itemDone()
	return true
}

// resolve records the outcome unless the item is resolved already.
func (it *mapItem[In, Out]) resolve(s State, v Out, err error) {
	for {
		old := it.state.Load()
		if old == resolving || State(old).done() {
			return
		}
		if it.state.CompareAndSwap(old, resolving) {
			break
		}
	}
	it.val, it.err = v, err
	it.state.Store(uint32(s))
	it.c.itemDone()
}
