package fifo

import (
	"context"
	"sync"
)

// Room is where the submitters to a bounded queue wait for room in it. Its owner guards
// it with the lock that guards the queue, held around every call: Wait lets go of the
// lock while it waits. The zero Room is ready to use.
type Room struct {
	space   chan struct{} // closed and replaced by Free
	waiters int
}

// Wait waits until Free is called or ctx ends, and then returns ctx's error. mu, the
// owner's lock, is held on entry and on return, and not while Wait waits.
func (r *Room) Wait(ctx context.Context, mu sync.Locker) error {
	if r.space == nil {
		r.space = make(chan struct{})
	}
	space := r.space
	r.waiters++
	mu.Unlock()
	var err error
	select {
	case <-space:
	case <-ctx.Done():
		err = ctx.Err()
	}
	mu.Lock()
	r.waiters--
	return err
}

// Free wakes every submitter waiting: the queue has room, or the owner stopped taking
// tasks. Each looks again. With nobody waiting it costs nothing.
func (r *Room) Free() {
	if r.waiters > 0 {
		close(r.space)
		r.space = make(chan struct{})
	}
}
