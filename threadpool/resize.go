package threadpool

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/goid"
)

// Resize sets the pool's maximum of workers to n (n ≥ 1) while it runs, and lowers its
// minimum ([WithMinWorkers]) to n if it was over. Growing starts workers for the tasks
// queued at once. Shrinking stops idle workers at once and busy ones after their current
// task or batch, never in the middle of one; Resize waits until no more than n workers
// are left, or ctx ends (then it returns ctx's error, and the workers still go as they
// finish). Called from one of the pool's own tasks, it does not wait for that task's
// worker. It is safe for concurrent use; the last call wins.
func (p *Pool) Resize(ctx context.Context, n int) error {
	if n < 1 {
		return fmt.Errorf("threadpool %s: Resize(%d): want at least 1", p.cfg.name, n)
	}
	p.mu.Lock()
	switch {
	case p.closed:
		p.unlock()
		return executor.ErrShutdown
	case p.broken != nil:
		err := p.broken
		p.unlock()
		return err
	}
	p.cfg.logger.Debug("threadpool: resize", "pool", p.cfg.name, "from", p.cfg.maxWorkers, "to", n)
	p.cfg.maxWorkers = n
	p.cfg.minWorkers = min(p.cfg.minWorkers, n)
	if n > cap(p.handoff) {
		old := p.handoff
		p.handoff = make(chan item, n)
		close(old) // its waiting workers take the new one (worker.rehandoff)
	}
	for p.workers < n {
		it, ok := p.popLocked(&p.shared)
		if !ok {
			break
		}
		p.startWorkerLocked(it)
	}
	for p.workers-p.leaving > n && p.idle > 0 {
		p.idle--
		p.leaving++
		p.handoff <- item{} // an idle worker takes it and exits
	}
	self := 0 // a task that resizes its own pool waits for the others only
	if p.inWorkerLocked(goid.Current()) {
		self = 1
	}
	defer p.unlock()
	for p.workers > p.cfg.maxWorkers+self {
		exited := p.exited
		p.unlock()
		select {
		case <-exited:
		case <-ctx.Done():
			p.mu.Lock()
			return fmt.Errorf("threadpool %s: resize to %d: %w", p.cfg.name, n, ctx.Err())
		}
		p.mu.Lock()
	}
	return nil
}

// rehandoff is called when w's handoff was closed: it takes the pool's new one, which a
// Resize made, and reports false if the pool is closed instead; w, which nobody claimed,
// then leaves the idle workers.
func (w *worker) rehandoff() bool {
	p := w.p
	p.mu.Lock()
	defer p.unlock()
	if p.closed {
		p.idle--
		return false
	}
	w.handoff = p.handoff
	return true
}

// idleExpired is called when w has waited the idle timeout for a task: it reports
// whether w may exit, which it may when no task has claimed it and more than the minimum
// of workers would be left.
func (w *worker) idleExpired() bool {
	p := w.p
	p.mu.Lock()
	defer p.unlock()
	if p.idle > 0 && p.workers-p.leaving > p.cfg.minWorkers { // nobody claimed a worker
		p.idle--
		p.leaving++
		w.leaving = true
		p.cfg.logger.Debug("threadpool: idle worker exits", "pool", p.cfg.name)
		return true
	}
	return false // claimed (its task is on its way) or needed: wait again
}
