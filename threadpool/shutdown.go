package threadpool

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/goid"
)

// Shutdown implements [executor.Executor]: it stops accepting tasks and waits until the
// queued and running tasks are done and every worker has exited. With
// [executor.CancelPending] the queued tasks (and the unstarted rest of a Map chunk) are
// cancelled instead of run. When ctx ends first, the queued tasks are cancelled, the
// running ones are left to finish on their own — a goroutine cannot be killed — and
// Shutdown returns ctx's error. It is safe to call more than once.
func (p *Pool) Shutdown(ctx context.Context, opts ...executor.ShutdownOption) error {
	cfg := backend.ShutdownOptions(opts...)
	p.mu.Lock()
	self := p.inWorkerLocked(goid.Current())
	if !p.closed {
		p.closed = true
		close(p.handoff)         // wakes idle workers: they exit
		p.wakeSubmittersLocked() // they see ErrShutdown
		if p.workers == 0 {
			close(p.drained)
		}
		p.cfg.logger.Debug("threadpool: shutting down", "pool", p.cfg.name,
			"queued", p.queuedLocked(), "cancelPending", cfg.CancelPending)
	}
	p.unlock()
	if cfg.CancelPending {
		p.cancelQueued()
	}
	if self { // called by a task or a done callback of this pool
		if err := p.awaitOthers(ctx); err != nil {
			p.cancelQueued()
			return fmt.Errorf("threadpool %s: shutdown from one of its tasks: %w", p.cfg.name, err)
		}
		return nil
	}
	select {
	case <-p.drained:
		return nil
	case <-ctx.Done():
		p.cancelQueued()
		return fmt.Errorf("threadpool %s: shutdown: %d tasks still running: %w", p.cfg.name, p.Stats().Running, ctx.Err())
	}
}

// cancelQueued cancels every task that has not started.
func (p *Pool) cancelQueued() {
	p.halt.CompareAndSwap(haltNone, haltCancel)
	p.mu.Lock()
	queued := p.takeAllLocked()
	p.unlock()
	for _, it := range queued {
		for _, t := range it.tasks() {
			p.resolveHalted(&p.shared, t) // discards t: halt is set
		}
	}
}

// Close shuts the pool down gracefully and waits for it without limit; see [Pool.Shutdown].
func (p *Pool) Close() error { return p.Shutdown(context.Background()) }
