package threadpool

import "github.com/dualpool/dualpool/executor"

// The direct path. While every worker of an unbounded pool without a queue timeout is
// busy, a Submit has nothing to decide: its task waits for the first worker to be free.
// It then skips the pool's lock and puts the task into the ring, a lock-free queue that
// busy workers take their next task from without the lock either; submitters and workers
// no longer queue for one mutex on every task. Everything else (an idle worker to hand
// the task to, a worker to start, a bounded queue, Shutdown) takes the locked path.
//
// direct says whether the direct path is open. It is recomputed under p.mu at the end of
// every critical section (Pool.unlock), and closes the moment a worker goes idle, the pool
// shrinks, grows, shuts down or breaks, or tasks wait in the FIFO behind the ring. The
// race that remains, a Submit that saw it open while a worker was closing it, is settled
// as a store-then-load handshake: the worker closes direct and then looks into the ring;
// the submitter fills the ring and then looks at direct again, and kicks (takes the lock
// and does what the locked path would have done) when it closed meanwhile. At least one
// of them sees the other, so no task waits in the ring beside an idle worker.

// ringSize is the ring's capacity in items (48 KiB, made when the direct path first
// opens): a queue deeper than that waits in the FIFO behind it, on the locked path, and
// the direct path reopens when the FIFO is empty again.
const ringSize = 1024

// testHookDirect, when set by a test, runs between a Submit's look at direct and its push.
var testHookDirect func()

// directLocked reports whether the direct path may be open now. p.mu is held.
func (p *Pool) directLocked() bool {
	return p.ringable && !p.closed && p.broken == nil && p.idle == 0 &&
		p.workers-p.leaving == p.cfg.maxWorkers && p.queue.Len() == 0
}

// unlock publishes what the critical section changed for the lock-free paths, then
// releases p.mu.
func (p *Pool) unlock() {
	p.publishLocked()
	p.mu.Unlock()
}

// publishLocked sets direct and shrinking from the pool's state. p.mu is held.
func (p *Pool) publishLocked() {
	if d := p.directLocked(); p.direct.Load() != d {
		if d && p.ring.Load() == nil {
			p.ring.Store(newRing(ringSize))
		}
		p.direct.Store(d)
	}
	if s := p.workers-p.leaving > p.cfg.maxWorkers; p.shrinking.Load() != s {
		p.shrinking.Store(s)
	}
}

// tryDirect queues it on the direct path if it is open and the ring has room, and
// reports whether it did; err is then what Submit returns (see kick).
func (p *Pool) tryDirect(it item) (queued bool, err error) {
	if !p.direct.Load() {
		return false, nil
	}
	if testHookDirect != nil {
		testHookDirect()
	}
	if !p.ring.Load().push(it) { // made before direct opened
		return false, nil
	}
	if it.batch != nil { // the ring counts items; a batch's other tasks count here
		p.fastExtra.Add(uint64(len(*it.batch) - 1))
	}
	if !p.direct.Load() { // closed while it went in
		return true, p.kick(it)
	}
	return true, nil
}

// kick is for a Submit whose item went into the ring as the direct path closed: it does
// with what the ring holds what the locked path would have done, handing items to idle
// workers or to new ones. In a pool that shut down or broke meanwhile, where no worker
// will look into the ring again, it refuses its own item with the locked path's error,
// and resolves any other as the pool's halt says.
func (p *Pool) kick(own item) error {
	p.mu.Lock()
	defer p.unlock()
	var err error
	for {
		lookers := p.workers - p.leaving - p.quitting - p.idle // workers that will pop it
		stopped := p.closed || p.broken != nil
		if !stopped && p.idle == 0 && p.workers >= p.cfg.maxWorkers || stopped && lookers > 0 {
			return err
		}
		it, ok := p.popRing(&p.shared)
		if !ok {
			return err
		}
		switch {
		case stopped && it.same(own): // not taken after all: Submit says why
			p.submitted -= uint64(own.size()) // Stats' Submitted counts the ring's too
			err = executor.ErrShutdown
			if p.broken != nil {
				err = p.broken
			}
		case stopped:
			for _, t := range it.tasks() {
				if !p.resolveHalted(&p.shared, t) {
					p.shared.cancelled.Add(1)
					t.Discard(executor.ErrShutdown)
				}
			}
		case p.idle > 0:
			p.idle--
			p.handoff <- it
		default:
			p.startWorkerLocked(it)
		}
	}
}

// popRing takes the item at the front of the ring, if any, counting its tasks in c.
func (p *Pool) popRing(c *tally) (item, bool) {
	r := p.ring.Load()
	if r == nil {
		return item{}, false
	}
	it, ok := r.pop()
	if ok {
		c.taken.Add(uint64(it.size()))
	}
	return it, ok
}

// popLocked takes the item at the front of the queue: the ring's, then the FIFO's,
// counting it in c. When it takes from the FIFO it moves what fits of the rest into the
// ring, where the workers take it without the lock: a queue deeper than the ring then
// costs the lock to its submitters only. p.mu is held.
func (p *Pool) popLocked(c *tally) (item, bool) {
	if it, ok := p.popRing(c); ok {
		return it, true
	}
	it, ok := p.queue.Pop()
	if !ok {
		return item{}, false
	}
	if r := p.ring.Load(); r != nil && !p.closed {
		for {
			next, ok := p.queue.Peek()
			if !ok || !r.push(next) {
				break
			}
			p.queue.Pop()
			p.submitted -= uint64(next.size()) // Stats count it with the ring's now
			if next.batch != nil {
				p.fastExtra.Add(uint64(len(*next.batch) - 1))
			}
		}
	}
	p.wakeSubmittersLocked()
	return it, true
}

// takeAllLocked empties the queue and returns its items, oldest first. p.mu is held.
func (p *Pool) takeAllLocked() []item {
	var all []item
	for {
		it, ok := p.popRing(&p.shared)
		if !ok {
			break
		}
		all = append(all, it)
	}
	return append(all, p.queue.TakeAll()...)
}

// queuedLocked returns the number of tasks queued, in the ring and the FIFO. p.mu is held.
func (p *Pool) queuedLocked() int {
	out := p.retiredTaken + p.shared.taken.Load()
	for w := range p.live {
		out += w.taken.Load()
	}
	return p.queue.Weight() + max(0, int(p.directIn()-out)) // a batch's extra may be on its way
}

// directIn returns the number of tasks that took the direct path: the items pushed into
// the ring, and the tasks of its batches beyond their first.
func (p *Pool) directIn() uint64 {
	r := p.ring.Load()
	if r == nil {
		return 0
	}
	return r.tail.Load() + p.fastExtra.Load()
}

// same reports whether it and o are the same item.
func (it item) same(o item) bool { return it.task == o.task && it.batch == o.batch }
