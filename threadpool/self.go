package threadpool

import "context"

// A task or a done callback (which runs on the worker that resolved its task) may call
// Shutdown or Close of its own pool. The worker running it cannot exit before it returns,
// so such a Shutdown waits for the other workers only; the calling worker exits when its
// task is over. The pool tells its workers' goroutines by their ids, read from the
// runtime's stack header once per worker goroutine.

// inWorkerLocked reports whether goroutine id is one of p's live workers. p.mu is held.
func (p *Pool) inWorkerLocked(id uint64) bool {
	for w := range p.live {
		if w.gid.Load() == id {
			return true
		}
	}
	return false
}

// awaitOthers waits until no worker but the caller's is left, or ctx ends.
func (p *Pool) awaitOthers(ctx context.Context) error {
	for {
		p.mu.Lock()
		if p.workers <= 1 {
			p.unlock()
			return nil
		}
		exited := p.exited
		p.unlock()
		select {
		case <-exited:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
