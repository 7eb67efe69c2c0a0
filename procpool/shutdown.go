package procpool

import (
	"context"
	"errors"
	"fmt"
	"time"

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
		p.roomLocked()
		p.changedLocked()
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
		w.tellExit()
	}
	err := p.awaitDrained(ctx)
	p.mu.Lock()
	left := p.queue.TakeAll() // none should be here: no worker is left to run them
	p.mu.Unlock()
	p.fail(left, executor.ErrShutdown)
	p.finishOnce.Do(func() {
		if p.stopMonitor != nil {
			close(p.stopMonitor)
		}
		if p.stopLife != nil {
			close(p.stopLife)
		}
		p.mu.Lock()
		p.stopExpiryLocked()
		p.mu.Unlock()
		finish := func() { p.wg.Wait(); p.spawner.Stop(); p.removeCgroups() }
		if p.resolving.Load() > 0 {
			go finish() // Shutdown may run in a done callback on one of the pool's goroutines
			return
		}
		finish()
	})
	return err
}

// awaitDrained waits for every worker to be gone. When ctx ends first, it cancels what
// is queued and kills the workers. While one of the pool's goroutines is running done
// callbacks (Shutdown may be called from one), it looks every few milliseconds whether
// the only workers left are those whose readers run callbacks: their processes are
// killed (their units are answered) and Shutdown returns without waiting for them.
func (p *Pool) awaitDrained(ctx context.Context) error {
	var tick <-chan time.Time
	var err error
	for {
		if p.resolving.Load() > 0 && tick == nil {
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			tick = t.C
		}
		select {
		case <-p.drained:
			return err
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("procpool: shutdown: %w", ctx.Err())
				p.killAll(ctx.Err())
			}
			ctx = context.Background()
		case <-tick:
			if p.onlyResolvingLeft() {
				return err
			}
		}
	}
}

// killAll cancels the queued tasks and kills every worker: Shutdown's ctx ended.
func (p *Pool) killAll(cause error) {
	p.mu.Lock()
	dropped := p.queue.TakeAll()
	p.stopScheduledLocked()
	workers := make([]*worker, 0, len(p.workers))
	for w := range p.workers {
		workers = append(workers, w)
	}
	p.checkDrainedLocked()
	p.mu.Unlock()
	p.cancelQueued(dropped)
	for _, w := range workers {
		w.kill(&killInfo{reason: killShutdown, cause: cause})
	}
}

// onlyResolvingLeft reports whether every worker left has a reader busy with done
// callbacks and nothing in flight, and kills them if so.
func (p *Pool) onlyResolvingLeft() bool {
	p.mu.Lock()
	var left []*worker
	for w := range p.workers {
		if !w.resolving.Load() || w.cur.Load() != nil || p.queue.Len() > 0 {
			p.mu.Unlock()
			return false
		}
		left = append(left, w)
	}
	p.mu.Unlock()
	for _, w := range left {
		w.kill(&killInfo{reason: killShutdown, cause: errShutdownFromCallback})
	}
	return true
}

// errShutdownFromCallback is why a worker was killed by a Shutdown that could not wait
// for it: the worker's reader was running the done callback that called Shutdown.
var errShutdownFromCallback = errors.New("procpool: Shutdown called from a done callback")

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
