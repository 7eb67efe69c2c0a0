package procpool

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

// taskCtx is the ctx of a task in a worker: cancelled by the parent's Cancel frame or by
// its deadline. It costs nothing until the task looks at it: its Done channel and its
// deadline's timer are made when first asked for, and only a task that looks (Done, Err,
// or a context derived from it) makes the worker read the parent's frames while it runs
// (server.takeOver). It implements the AfterFunc hook of package context, so contexts
// derived from it (context.WithTimeout in a task) start no goroutine each.
type taskCtx struct {
	s        *server
	deadline int64 // Unix nanoseconds, 0 for none
	watched  atomic.Bool
	recycle  atomic.Bool // its task asked for a new worker (Recycle)

	mu       sync.Mutex
	done     chan struct{}
	err      error
	why      atomic.Uint32 // the ipc.Reason the parent cancelled it for, or 0; written under mu
	released bool          // its task is over
	timer    *time.Timer
	afters   []*afterFunc
}

type afterFunc struct{ f func() }

var _ context.Context = (*taskCtx)(nil)

func (c *taskCtx) init(s *server, deadline int64) { c.s, c.deadline = s, deadline }

func (c *taskCtx) Deadline() (time.Time, bool) {
	if c.deadline == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, c.deadline), true
}

func (c *taskCtx) Done() <-chan struct{} {
	c.watch()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		}
	}
	c.armLocked()
	return c.done
}

func (c *taskCtx) Err() error {
	c.watch()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.deadline != 0 && time.Now().UnixNano() >= c.deadline {
		c.cancelLocked(context.DeadlineExceeded)
	}
	return c.err
}

// Value answers [Recycle]'s key with the task's ctx, and nil to any other key.
func (c *taskCtx) Value(key any) any {
	if key == (recycleKey{}) {
		return c
	}
	return nil
}

// AfterFunc is the hook that context.AfterFunc and derived contexts use: f runs in its
// own goroutine once the ctx is done, unless stop is called first.
func (c *taskCtx) AfterFunc(f func()) (stop func() bool) {
	c.watch()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		go f()
		return func() bool { return false }
	}
	a := &afterFunc{f}
	c.afters = append(c.afters, a)
	c.armLocked()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.afters {
			if x == a {
				c.afters = append(c.afters[:i], c.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

// watch makes sure that someone reads the parent's frames while this task runs.
func (c *taskCtx) watch() {
	if !c.watched.Load() {
		c.watched.Store(true)
		c.s.takeOver()
	}
}

// armLocked starts the deadline's timer, once someone waits for the ctx.
func (c *taskCtx) armLocked() {
	if c.deadline == 0 || c.timer != nil || c.err != nil {
		return
	}
	c.timer = time.AfterFunc(time.Until(time.Unix(0, c.deadline)), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cancelLocked(context.DeadlineExceeded)
	})
}

// cancelBy records the parent's Cancel frame and cancels the ctx, unless its task is over.
func (c *taskCtx) cancelBy(why ipc.Reason) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.released || c.why.Load() != 0 {
		return
	}
	c.why.Store(uint32(why))
	c.cancelLocked(reasonErr(why))
}

// reason returns why the parent cancelled the task, or 0. A chunk asks before each call,
// so it takes no lock.
func (c *taskCtx) reason() ipc.Reason { return ipc.Reason(c.why.Load()) }

func (c *taskCtx) cancelLocked(err error) {
	if c.err != nil {
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
	for _, a := range c.afters {
		go a.f()
	}
	c.afters = nil
}

// release ends the ctx once its task is over and returns why the parent cancelled it, if
// it did.
func (c *taskCtx) release() ipc.Reason {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.released = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cancelLocked(context.Canceled)
	return ipc.Reason(c.why.Load())
}

func (c *taskCtx) isReleased() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.released
}
