package executor

import (
	"context"

	"github.com/dualpool/dualpool/backend"
)

// mapItem is one input of Map: a Task lighter than a Future, since nobody waits on it
// alone. Its chunk holds what the items share (ctx, function) and its argument and
// result, and is told when each item is resolved; the Map goroutine reads the results
// and errors only after the whole chunk is done.
type mapItem[In, Out any] struct {
	lc lifecycle
	i  int32           // its place in the chunk, once bound
	c  *chunk[In, Out] // once bound (chunk.bind)
}

var _ backend.Task = (*mapItem[int, int])(nil)

func (it *mapItem[In, Out]) Context() context.Context { return it.c.ctx }
func (it *mapItem[In, Out]) Func() string             { return it.c.f.name }
func (it *mapItem[In, Out]) Input() any               { return &it.c.ins[it.i] }

func (it *mapItem[In, Out]) Start() bool {
	if it.i == 0 {
		it.c.noteStart()
	}
	if done := it.c.ctx.Done(); done != nil {
		select {
		case <-done:
			it.Discard(it.c.ctx.Err())
			return false
		default:
		}
	}
	return it.lc.start()
}

func (it *mapItem[In, Out]) Run(count func(error)) {
	var v Out
	err := ErrGoexit // unless callRecover returns
	defer func() {
		if count != nil {
			count(err)
		}
		it.resolve(v, err)
	}()
	v, err = callRecover(it.c.ctx, it.c.f.fn, it.c.ins[it.i])
}

func (it *mapItem[In, Out]) Finish(decode func(out any) error) {
	if !it.lc.claim() {
		return
	}
	out := &it.c.outs[it.i]
	if err := decode(out); err != nil {
		var zero Out
		*out = zero
		it.c.setErr(int(it.i), err)
	}
	it.publish(Finished)
}

func (it *mapItem[In, Out]) Fail(err error) { it.resolve(*new(Out), err) }

func (it *mapItem[In, Out]) Discard(cause error) bool {
	if !it.lc.claimPending() {
		return false
	}
	it.c.setErr(int(it.i), cancelled(cause))
	it.publish(Cancelled)
	return true
}

// resolve records the outcome unless the item is resolved already.
func (it *mapItem[In, Out]) resolve(v Out, err error) {
	if !it.lc.claim() {
		return
	}
	it.c.outs[it.i] = v
	if err != nil {
		it.c.setErr(int(it.i), err)
	}
	it.publish(Finished)
}

func (it *mapItem[In, Out]) publish(s State) {
	it.lc.publish(s)
	it.c.itemDone()
}
