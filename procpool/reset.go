package procpool

import (
	"context"
	"errors"
	"slices"
)

// Reset replaces every worker with a new process, one at a time, as after deploying a
// new worker binary: RoadRunner's reset. Each worker leaves after its current task,
// never in the middle of one; the next is replaced only once the previous one's
// replacement has said hello (and run the initializer). So no task fails, and at least
// n-1 of n workers are ready throughout. Workers that start while Reset runs are new
// already. Reset returns once every worker is new, or with ctx's error (the workers
// marked go on being replaced), or with the pool's error when it breaks meanwhile: a
// replacement that fails to start counts toward [WithRestartIntensity] like any start,
// so a binary that no longer starts ends in [executor.ErrPoolBroken]. The departures
// themselves never count. Concurrent Resets run one after another.
func (p *Pool) Reset(ctx context.Context) error {
	p.resetMu.Lock()
	defer p.resetMu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.refuseLocked(); err != nil {
		return err
	}
	p.size.gen++
	gen := p.size.gen
	var old []*worker
	for w := range p.workers {
		if !w.retiring {
			old = append(old, w)
		}
	}
	slices.SortFunc(old, func(a, b *worker) int { return a.slot - b.slot })
	p.cfg.logger.Info("procpool: reset", "workers", len(old))
	for _, w := range old {
		if err := p.replaceLocked(ctx, w, gen); err != nil {
			return err
		}
	}
	return nil
}

// replaceLocked retires w (now if it is idle, after its unit if it is busy, once ready
// if it is starting) and waits until its slot has a ready worker of generation gen, or
// is given up by a shrink.
func (p *Pool) replaceLocked(ctx context.Context, w *worker, gen uint64) error {
	if _, ok := p.workers[w]; ok && !w.retiring {
		w.replace = true
		if p.takeIdleLocked(w) {
			p.retireLocked(w)
			p.mu.Unlock()
			w.tellExit()
			p.mu.Lock()
		}
	}
	slot := w.slot
	return p.awaitLocked(ctx, "reset", func() bool {
		if slot >= p.size.max || !p.size.used[slot] {
			return true
		}
		for x := range p.workers {
			if x.slot == slot && x.gen >= gen && x.ready && !x.retiring {
				return true
			}
		}
		return false
	})
}

// errNotInWorker is Recycle's error outside a task of a worker process.
var errNotInWorker = errors.New("procpool: Recycle: not called with the ctx of a task in a worker process")

// recycleKey is the ctx key under which a task's ctx in a worker answers [Recycle].
type recycleKey struct{}

// Recycle asks, from a task running in a worker process, that the worker be replaced
// once the task has returned (RoadRunner's {"stop":true}): for a task that knows it
// leaked, or loaded something the worker should not keep. ctx is the task's ctx, or one
// derived from it. The task's own result is unchanged; the worker finishes the unit it
// was given (the rest of a Map chunk), then leaves by the pool's one retire path: a new
// worker takes its place, and the departure never counts toward [WithRestartIntensity].
// Recycle returns an error, and does nothing, when ctx is not a worker task's (on a
// goroutine pool, say), or when the pool is too old to take the request.
func Recycle(ctx context.Context) error {
	c, ok := ctx.Value(recycleKey{}).(*taskCtx)
	switch {
	case !ok:
		return errNotInWorker
	case !c.s.recycle:
		return errors.New("procpool: Recycle: the pool does not take recycle requests (a parent of an older version)")
	}
	c.recycle.Store(true)
	return nil
}
