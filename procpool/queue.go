package procpool

import (
	"context"
	"fmt"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/fifo"
)

// queueWait is what bounds the queue, under p.mu: the submitters waiting for room, and
// the one timer of WithQueueTimeout, set for the oldest queued unit.
type queueWait struct {
	room   fifo.Room
	expiry *time.Timer
	armed  bool
}

// WithQueueSize bounds the tasks waiting for a worker to n (n ≥ 0; 0: a task is taken
// only when a worker is free to start it, or can still be started in an elastic pool).
// When the queue is full, Submit blocks until there is room or its ctx ends, or fails at
// once with [executor.ErrQueueFull] under [WithNonBlocking]. A Map chunk takes one place.
// The default queue is unbounded. This is threadpool.WithQueueSize's meaning, and
// RoadRunner's max_queue_size.
//
// A task that submits to its own pool and waits for the result can deadlock a bounded
// queue, as on a goroutine pool.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			c.fail("WithQueueSize(%d): want at least 0", n)
		}
		c.queueSize = n
	})
}

// WithNonBlocking makes Submit fail with [executor.ErrQueueFull] instead of waiting when
// the bounded queue ([WithQueueSize]) is full. Without a bound it changes nothing.
func WithNonBlocking() Option {
	return optionFunc(func(c *config) { c.nonBlocking = true })
}

// WithQueueTimeout bounds how long a task may wait in the queue for a worker (d > 0),
// apart from how long it may run (its ctx): RoadRunner's allocate_timeout. A task not
// sent to a worker within d is cancelled, and its Future fails with an error matching
// [executor.ErrQueueTimeout] and [executor.ErrCancelled] that names the function and its
// wait: it never started. A Map chunk waits as one; a task queued again after its worker
// died has started once and is not timed out. One timer serves the whole queue. The
// default (0) lets a task wait as long as its ctx allows.
func WithQueueTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail("WithQueueTimeout(%v): want more than 0", d)
		}
		c.queueTimeout = d
	})
}

// admitLocked waits, with p.mu held on entry and on return, until the queue has room for
// one more unit, and returns why not when the pool refuses it meanwhile, the queue is
// full under WithNonBlocking, or ctx ends. In an elastic pool, a worker that can still
// start counts as room.
func (p *Pool) admitLocked(ctx context.Context) error {
	for {
		if err := p.refuseLocked(); err != nil {
			return err
		}
		if p.cfg.queueSize < 0 || len(p.idle) > 0 {
			return nil
		}
		free := p.size.starting
		if p.size.elastic {
			free += p.size.max - p.usedLocked()
		}
		if p.queue.Len()-free < p.cfg.queueSize {
			return nil
		}
		if p.cfg.nonBlocking {
			return executor.ErrQueueFull
		}
		if err := p.wait.room.Wait(ctx, &p.mu); err != nil {
			return err
		}
	}
}

// roomLocked wakes the submitters waiting for room: the queue shrank, a worker started,
// or the pool stopped accepting. Each looks again.
func (p *Pool) roomLocked() { p.wait.room.Free() }

// pushLocked queues u, stamped for WithQueueTimeout, and starts a worker for it if the
// pool is elastic and may grow.
func (p *Pool) pushLocked(u *unit) {
	p.queue.Push(u)
	if p.cfg.queueTimeout > 0 {
		u.queued = time.Now()
		p.armLocked(u.queued)
	}
	p.growLocked()
}

// armLocked sets the queue's one timer for its oldest unit, if it is not set: units
// behind it entered later, so they expire later. A unit queued again after its worker
// died (not stamped) at the front only makes the timer look again after a full timeout.
func (p *Pool) armLocked(now time.Time) {
	q := &p.wait
	if p.cfg.queueTimeout <= 0 || q.armed {
		return
	}
	head, ok := p.queue.Peek()
	if !ok {
		return
	}
	at := head.queued
	if at.IsZero() {
		at = now
	}
	d := at.Add(p.cfg.queueTimeout).Sub(now)
	if q.expiry == nil {
		q.expiry = time.AfterFunc(d, p.expire)
	} else {
		q.expiry.Reset(d)
	}
	q.armed = true
}

// expire cancels the queued units that waited longer than the queue timeout, and sets
// the timer for the next one. Units queued again after their worker died (not stamped)
// sit at the front and stay.
func (p *Pool) expire() {
	limit := p.cfg.queueTimeout
	p.mu.Lock()
	p.wait.armed = false
	now := time.Now()
	var kept, expired []*unit
	for {
		u, ok := p.queue.Peek()
		if !ok || !u.queued.IsZero() && now.Sub(u.queued) < limit {
			break
		}
		p.queue.Pop()
		if u.queued.IsZero() {
			kept = append(kept, u)
		} else {
			expired = append(expired, u)
		}
	}
	for i := len(kept) - 1; i >= 0; i-- {
		p.queue.PushFront(kept[i])
	}
	if len(expired) > 0 {
		p.roomLocked()
	}
	p.armLocked(now)
	p.mu.Unlock()
	for _, u := range expired {
		for _, j := range u.jobs {
			// Counted before its waiters wake; one its Future cancelled meanwhile is
			// counted here too, as start would have counted it.
			p.cancelled.Add(uint64(j.size()))
			j.t.Discard(queueTimeout(j.t.Func(), now.Sub(u.queued)))
		}
	}
}

// stopExpiryLocked stops the queue's timer for good: the pool is shut down.
func (p *Pool) stopExpiryLocked() {
	if p.wait.expiry != nil {
		p.wait.expiry.Stop()
		p.wait.armed = true // never set again
	}
}

// queueTimeout is the cause of a task's cancellation after waiting d in the queue.
func queueTimeout(name string, d time.Duration) error {
	return fmt.Errorf("%w: %q waited %v in the queue", executor.ErrQueueTimeout, name, d.Round(time.Millisecond))
}
