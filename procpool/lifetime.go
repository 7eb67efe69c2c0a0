package procpool

import (
	"math/rand/v2"
	"time"
)

// WithWorkerTTL replaces each worker after it has lived about d (d > 0), between two
// tasks, never in the middle of one: RoadRunner's ttl. Each worker's lifetime is d less
// up to a tenth of it, at random, so that workers started together do not all leave
// together; and no more than a quarter of the pool (at least one worker) is replaced at
// a time, so the others keep serving. A replacement never counts toward the restart rule
// of [WithRestartIntensity]. The default (0) keeps a worker as long as it serves.
func WithWorkerTTL(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail("WithWorkerTTL(%v): want more than 0", d)
		}
		c.workerTTL = d
	})
}

// WithIdleTTL stops a worker that has waited d for a task (d > 0): RoadRunner's
// idle_ttl. An elastic pool ([WithMinWorkers]) stops it for good while more than its
// minimum are left, and defaults to 1m; a pool of fixed size replaces it with a fresh
// worker instead (within the limit of a quarter of the pool at a time that
// [WithWorkerTTL] has too). Neither counts toward the restart rule.
func WithIdleTTL(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail("WithIdleTTL(%v): want more than 0", d)
		}
		c.idleTTL = d
	})
}

// lifetimeOf is how long a new worker may live under WithWorkerTTL: d less up to a
// tenth of it, or 0 for no limit.
func (p *Pool) lifetimeOf() time.Duration {
	d := p.cfg.workerTTL
	if d <= 0 {
		return 0
	}
	return d - rand.N(d/10+1)
}

// replaceQuotaLocked reports whether another worker may be replaced for its age or
// idleness now: fewer than a quarter of the pool's workers (at least one) are starting.
func (p *Pool) replaceQuotaLocked() bool {
	return p.size.starting < max(1, p.size.max/4)
}

// retiresLocked reports whether w must leave after the unit it has just finished, by the
// one rule of every planned departure: too many tasks, over its soft memory limit, a
// Reset or a Recycle asked for it, past its lifetime, or above the pool's size.
func (p *Pool) retiresLocked(w *worker) bool {
	switch {
	case p.cfg.maxTasks > 0 && w.tasks.Load() >= uint64(p.cfg.maxTasks),
		w.overSoft, w.replace, w.recycle.Load(), w.shrink, w.slot >= p.size.max:
		return true
	case !w.expires.IsZero() && time.Now().After(w.expires):
		return p.replaceQuotaLocked()
	}
	return false
}

// lifetimes enforces WithWorkerTTL and WithIdleTTL on idle workers (busy ones are looked
// at when they finish a unit) a few times per the shorter of the two.
func (p *Pool) lifetimes() {
	defer p.wg.Done()
	every := p.cfg.workerTTL
	if every == 0 || p.cfg.idleTTL > 0 && p.cfg.idleTTL < every {
		every = p.cfg.idleTTL
	}
	tick := time.NewTicker(min(max(every/4, 5*time.Millisecond), time.Second))
	defer tick.Stop()
	for {
		select {
		case <-p.stopLife:
			return
		case <-tick.C:
		}
		p.mu.Lock()
		exits := p.expireIdleLocked(time.Now())
		p.mu.Unlock()
		for _, w := range exits {
			w.tellExit()
		}
	}
}

// expireIdleLocked retires the idle workers past their lifetime or idle lifetime, and
// returns them to be told to exit.
func (p *Pool) expireIdleLocked(now time.Time) []*worker {
	if p.closed || p.broken != nil {
		return nil
	}
	var exits []*worker
	for i := 0; i < len(p.idle); i++ {
		w := p.idle[i]
		idleTooLong := p.cfg.idleTTL > 0 && now.Sub(w.idleSince) >= p.cfg.idleTTL
		switch {
		case idleTooLong && p.size.elastic:
			if p.usedLocked() <= p.size.min {
				continue
			}
			w.shrink = true
		case idleTooLong || !w.expires.IsZero() && now.After(w.expires):
			if !p.replaceQuotaLocked() {
				continue
			}
		default:
			continue
		}
		p.idle = append(p.idle[:i], p.idle[i+1:]...)
		i--
		p.cfg.logger.Debug("procpool: retiring worker", "pid", w.pid, "idle", now.Sub(w.idleSince), "shrink", w.shrink)
		p.retireLocked(w)
		exits = append(exits, w)
	}
	return exits
}

// usedLocked is the number of worker slots in use.
func (p *Pool) usedLocked() int {
	n := 0
	for _, u := range p.size.used {
		if u {
			n++
		}
	}
	return n
}
