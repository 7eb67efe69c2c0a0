package threadpool

import (
	"fmt"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/timing"
)

// pushLocked queues it, stamped (by stamp) for WithQueueTimeout, and arms the queue's
// timer.
func (p *Pool) pushLocked(it item) {
	p.queue.Push(it)
	p.armLocked(it.queued)
}

// armLocked sets the queue's one timer for the oldest queued item, if it is not set: the
// items behind the oldest entered later, so they expire later. now is the current
// timing.Now, or 0 when there is no queue timeout.
func (p *Pool) armLocked(now int64) {
	if p.cfg.queueTimeout <= 0 || p.armed {
		return
	}
	head, ok := p.queue.Peek()
	if !ok {
		return
	}
	d := time.Duration(head.queued-now) + p.cfg.queueTimeout
	if p.expiry == nil {
		p.expiry = time.AfterFunc(d, p.expire)
	} else {
		p.expiry.Reset(d)
	}
	p.armed = true
}

// expire cancels the queued items that waited longer than the queue timeout, and sets
// the timer for the next one.
func (p *Pool) expire() {
	limit := p.cfg.queueTimeout
	p.mu.Lock()
	p.armed = false
	now := timing.Now()
	var expired []item
	for {
		head, ok := p.queue.Peek()
		if !ok || time.Duration(now-head.queued) < limit {
			break
		}
		p.queue.Pop()
		expired = append(expired, head)
	}
	if len(expired) > 0 {
		p.wakeSubmittersLocked()
	}
	p.armLocked(now)
	p.unlock()
	for _, it := range expired {
		for _, t := range it.tasks() {
			// Counted before its waiters wake; one cancelled meanwhile by its Future is
			// counted here too, as a worker would have counted it at Start.
			p.shared.cancelled.Add(1)
			t.Discard(queueTimeout(t.Func(), time.Duration(now-it.queued)))
		}
	}
}

// queueTimeout is the cause of a task's cancellation after waiting d in the queue.
func queueTimeout(name string, d time.Duration) error {
	if name == "" {
		name = "a closure"
	} else {
		name = fmt.Sprintf("%q", name)
	}
	return fmt.Errorf("%w: %s waited %v in the queue", executor.ErrQueueTimeout, name, d.Round(time.Millisecond))
}
