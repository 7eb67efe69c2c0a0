package procpool

import (
	"context"
	"fmt"
	"time"

	"github.com/dualpool/dualpool/internal/supervise"
)

// sizing is how many workers the pool keeps and may have, and which worker slots are in
// use; under p.mu. A slot is in use from the start of a worker for it until that worker
// leaves without a replacement (a shrink), and across restarts and replacements.
type sizing struct {
	min, max int
	elastic  bool          // WithMinWorkers under WithWorkers: grows and shrinks
	used     []bool        // by slot
	starting int           // workers started and not yet ready nor gone
	gen      uint64        // bumped by Reset: workers started since have a higher one
	changed  chan struct{} // closed and replaced when a worker becomes ready or leaves
}

// WithMinWorkers makes the pool elastic: it starts max(n, 1) workers, grows up to the
// maximum of [WithWorkers] while tasks wait for a worker, and stops workers idle for
// [WithIdleTTL] (default 1m in an elastic pool) down to n (0 ≤ n ≤ the maximum). Without
// it, or with n equal to the maximum, the pool keeps its size.
func WithMinWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			c.fail("WithMinWorkers(%d): want at least 0", n)
		}
		c.minWorkers = n
	})
}

// defaultElasticIdleTTL is the idle lifetime of an elastic pool's workers when
// WithIdleTTL does not set one.
const defaultElasticIdleTTL = time.Minute

// checkSizes checks the options that bound the pool's size together.
func (c *config) checkSizes() {
	if c.minWorkers > c.workers {
		c.fail("WithMinWorkers(%d): over the maximum of %d workers (WithWorkers)", c.minWorkers, c.workers)
	}
	if c.minWorkers >= 0 && c.minWorkers < c.workers && c.idleTTL == 0 {
		c.idleTTL = defaultElasticIdleTTL
	}
}

// initSizing sets the pool's sizes from its configuration, and returns how many workers
// New starts.
func (p *Pool) initSizing() int {
	s := &p.size
	s.min, s.max = p.cfg.workers, p.cfg.workers
	if p.cfg.minWorkers >= 0 && p.cfg.minWorkers < p.cfg.workers {
		s.min, s.elastic = p.cfg.minWorkers, true
	}
	s.used = make([]bool, s.max)
	s.changed = make(chan struct{})
	return max(s.min, 1)
}

// claimLocked starts a worker for a free slot below the maximum, if there is one.
func (p *Pool) claimLocked() bool {
	s := &p.size
	for slot := range s.max {
		if !s.used[slot] {
			s.used[slot] = true
			p.startLocked(slot)
			return true
		}
	}
	return false
}

// freeLocked gives slot up: its worker leaves without a replacement.
func (p *Pool) freeLocked(slot int) {
	if slot < len(p.size.used) {
		p.size.used[slot] = false
	}
}

// keepsLocked reports whether the pool replaces w when it leaves: not when a shrink
// (Resize, idle) made it leave.
func (p *Pool) keepsLocked(w *worker) bool {
	return !w.shrink && w.slot < p.size.max
}

// growLocked starts a worker when tasks are waiting that no starting worker will take
// and the pool is below its maximum.
func (p *Pool) growLocked() {
	if p.size.elastic && p.queue.Len() > p.size.starting && !p.closed && p.broken == nil {
		p.claimLocked()
	}
}

// changedLocked wakes whoever waits for the workers to change (Resize, Reset).
func (p *Pool) changedLocked() {
	close(p.size.changed)
	p.size.changed = make(chan struct{})
}

// awaitLocked waits, with p.mu held on entry and on return, until done reports true, the
// pool breaks or shuts down, or ctx ends.
func (p *Pool) awaitLocked(ctx context.Context, what string, done func() bool) error {
	for !done() {
		if err := p.refuseLocked(); err != nil {
			return fmt.Errorf("procpool: %s: %w", what, err)
		}
		changed := p.size.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			p.mu.Lock()
			return fmt.Errorf("procpool: %s: %w", what, ctx.Err())
		}
		p.mu.Lock()
	}
	return nil
}

// Resize sets the number of workers while the pool runs (n ≥ 1): a fixed pool gets n
// workers, an elastic one ([WithMinWorkers]) n as its maximum, and its minimum lowered
// to n if it was over. A fixed pool that grows waits until its new workers are ready;
// a shrink stops idle workers at once and busy ones after their current task, never in
// the middle of one, and waits until they have exited. Resize returns when that is done,
// or with ctx's error when ctx ends first (the change still goes on), or with the pool's
// error when it breaks or shuts down meanwhile. Planned departures never count toward
// the restart rule of [WithRestartIntensity]. It is safe for concurrent use.
func (p *Pool) Resize(ctx context.Context, n int) error {
	if n < 1 {
		return fmt.Errorf("procpool: Resize(%d): want at least 1", n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.refuseLocked(); err != nil {
		return err
	}
	s := &p.size
	p.cfg.logger.Info("procpool: resize", "from", s.max, "to", n)
	for len(s.used) < n {
		s.used = append(s.used, false)
		p.slots = append(p.slots, supervise.Record{})
		p.restarts = append(p.restarts, 0)
	}
	s.max = n
	if s.elastic {
		s.min = min(s.min, n)
	} else {
		s.min = n
	}
	var exits []*worker
	for w := range p.workers {
		if w.slot >= n && !w.retiring && p.takeIdleLocked(w) {
			p.retireLocked(w)
			exits = append(exits, w)
		}
	}
	for t, slot := range p.scheduled {
		if slot >= n {
			t.Stop()
			delete(p.scheduled, t)
			p.freeLocked(slot)
		}
	}
	if !s.elastic {
		for p.claimLocked() {
		}
	}
	for range p.queue.Len() {
		p.growLocked()
	}
	p.roomLocked()
	p.mu.Unlock()
	for _, w := range exits {
		w.tellExit()
	}
	p.mu.Lock()
	p.changedLocked()
	return p.awaitLocked(ctx, fmt.Sprintf("resize to %d", n), func() bool { return p.sizedLocked(n) })
}

// sizedLocked reports whether a Resize to n is done: no worker above it is left, and a
// fixed pool has its n workers ready.
func (p *Pool) sizedLocked(n int) bool {
	ready := 0
	for w := range p.workers {
		if w.slot >= n {
			return false
		}
		if w.ready && !w.retiring {
			ready++
		}
	}
	return p.size.elastic || ready >= n || p.size.max != n
}

// takeIdleLocked takes w off the idle list, and reports whether it was there.
func (p *Pool) takeIdleLocked(w *worker) bool {
	for i, x := range p.idle {
		if x == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return true
		}
	}
	return false
}
