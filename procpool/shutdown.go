package procpool

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// Shutdown implements [executor.Executor]: it stops accepting tasks, lets the workers
// finish the running and queued ones (with [executor.CancelPending], the queued ones are
// cancelled instead), tells each worker to exit, and waits until every process has ended.
// When ctx ends first, the queued tasks are cancelled and the workers killed: their
// running tasks fail with an *[executor.KilledError] matching ctx's error, which Shutdown
// returns. Once it returns, no process, goroutine or file descriptor of the pool remains.
// It is safe to call more than once.
func (p *Pool) Shutdown(ctx context.Context, opts ...executor.ShutdownOption) error {
	cfg := backend.ShutdownOptions(opts...)
	p.mu.Lock()
	var exits []*worker
	if !p.closed {
		p.closed = true
		exits = p.idle
		p.idle = nil
		for _, w := range exits {
			w.retiring = true
		}
		p.cfg.logger.Debug("procpool: shutting down", "queued", p.queue.Weight(), "cancelPending", cfg.CancelPending)
	}
	var dropped []*unit
	if cfg.CancelPending {
		dropped = p.queue.TakeAll()
	}
	p.stopScheduledLocked()
	p.checkDrainedLocked()
	p.mu.Unlock()
	p.cancelQueued(dropped)
	for _, w := range exits {
		w.write(shutdownFrame)
	}
	var err error
	select {
	case <-p.drained:
	case <-ctx.Done():
		err = fmt.Errorf("procpool: shutdown: %w", ctx.Err())
		p.mu.Lock()
		dropped = p.queue.TakeAll()
		p.stopScheduledLocked()
		workers := make([]*worker, 0, len(p.workers))
		for w := range p.workers {
			workers = append(workers, w)
		}
		p.checkDrainedLocked()
		p.mu.Unlock()
		p.cancelQueued(dropped)
		for _, w := range workers {
			w.kill(&killInfo{reason: killShutdown, cause: ctx.Err()})
		}
		<-p.drained
	}
	p.mu.Lock()
	left := p.queue.TakeAll() // none should be here: no worker is left to run them
	p.mu.Unlock()
	p.fail(left, executor.ErrShutdown)
	p.finishOnce.Do(func() {
		if p.stopMonitor != nil {
			close(p.stopMonitor)
		}
		p.wg.Wait()
		p.spawner.stop()
	})
	return err
}

// stopScheduledLocked cancels the restarts waiting out a back-off when nothing is queued.
func (p *Pool) stopScheduledLocked() {
	if p.queue.Len() > 0 {
		return
	}
	for t := range p.scheduled {
		t.Stop()
		delete(p.scheduled, t)
	}
}

// cancelQueued cancels tasks that never reached a worker, and fails those that were
// waiting to run again.
func (p *Pool) cancelQueued(units []*unit) {
	for _, u := range units {
		for _, j := range u.jobs {
			if !j.started {
				if j.t.Discard(executor.ErrShutdown) {
					p.cancelled.Add(1)
				}
				continue
			}
			p.failed.Add(1)
			j.t.Fail(fmt.Errorf("procpool: task not run again: %w", executor.ErrShutdown))
		}
	}
}

// Close shuts the pool down gracefully and waits without limit; see [Pool.Shutdown].
func (p *Pool) Close() error { return p.Shutdown(context.Background()) }
