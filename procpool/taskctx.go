package procpool

import (
	"context"
	"sync"
	"time"
)

// taskCtx is the ctx of a task in a worker: cancelled by the parent's Cancel frame or by
// its deadline. It makes its Done channel only when asked, so a task that never looks at
// its ctx costs one small allocation (context.WithCancel costs several).
type taskCtx struct {
	deadline time.Time
	timer    *time.Timer

	mu   sync.Mutex
	done chan struct{}
	err  error
}

var _ context.Context = (*taskCtx)(nil)

func newTaskCtx(deadline int64) *taskCtx {
	c := &taskCtx{}
	if deadline != 0 {
		c.deadline = time.Unix(0, deadline)
		c.timer = time.AfterFunc(time.Until(c.deadline), func() { c.cancel(context.DeadlineExceeded) })
	}
	return c
}

func (c *taskCtx) Deadline() (time.Time, bool) { return c.deadline, !c.deadline.IsZero() }

func (c *taskCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		}
	}
	return c.done
}

func (c *taskCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *taskCtx) Value(any) any { return nil }

// cancel ends the ctx with err, once.
func (c *taskCtx) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
}

// release stops the deadline timer once the task is over.
func (c *taskCtx) release() {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cancel(context.Canceled)
}
