package procpool

import (
	"errors"
	"fmt"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/supervise"
)

// countLocked records a death that counts for slot i (see supervise.Record: the rule
// of WithRestartIntensity), and returns the back-off before the restart and whether the
// pool must break.
func (p *Pool) countLocked(i int) (delay time.Duration, broke bool) {
	return p.slots[i].Count(supervise.Intensity{N: p.cfg.intensity, Period: p.cfg.period}, time.Now())
}

// productive clears the record of w's slot once w has answered its first task.
func (p *Pool) productive(w *worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.slots[w.slot].Clear()
}

// counts reports whether the death of w, with unit u in flight and killed for k, counts
// against its slot. The kernel's kill for the memory.max of WithCgroup, with a task in
// flight, is the pool's kill for memory.
func (w *worker) counts(u *unit, k *killInfo, x exitInfo) bool {
	byPool := k != nil && k.reason != killProtocol && k.reason != killStart || x.oomKills > 0 && u != nil
	return supervise.Counts(w.retiring, byPool, u != nil, w.tasks.Load())
}

// workerReady puts a worker that finished its start-up to work.
func (p *Pool) workerReady(w *worker) {
	p.mu.Lock()
	w.ready = true
	p.setReadyLocked(w, true)
	if d := p.lifetimeOf(); d > 0 { // from its hello: a slow start does not eat its life
		w.expires = time.Now().Add(d)
	}
	p.size.starting--
	p.changedLocked()
	p.signalFirstLocked(nil)
	var next *unit
	exit := false
	if p.retiresLocked(w) { // a Reset or a shrink came while it started
		p.retireLocked(w)
		exit = true
	} else {
		next, exit = p.nextLocked(w)
	}
	p.roomLocked()
	p.mu.Unlock()
	p.cfg.logger.Debug("procpool: worker ready", "pid", w.pid, "slot", w.slot)
	if exit {
		w.tellExit()
	}
	if next != nil {
		w.send(next)
	}
}

func (p *Pool) signalFirstLocked(err error) {
	if p.first != nil {
		p.first <- err
		p.first = nil
	}
}

// startFailed handles a worker that died or was killed before it was ready: the pool
// backs off and tries again, or breaks when start-ups fail too often (or the initializer
// failed, or New is still waiting for its first worker).
func (p *Pool) startFailed(w *worker, err, cause error) {
	p.cfg.logger.Error("procpool: worker failed to start", "slot", w.slot, "err", err)
	p.mu.Lock()
	delete(p.workers, w)
	p.size.starting--
	p.changedLocked()
	var ie *errInit
	delay, broke := p.countLocked(w.slot)
	var dropped []*unit
	switch {
	case p.first != nil:
		dropped = p.breakLocked(err)
		p.signalFirstLocked(p.broken)
	case errors.As(cause, &ie) || broke:
		dropped = p.breakLocked(err)
	case p.broken == nil && (!p.closed || p.queue.Len() > 0) && p.keepsLocked(w):
		p.scheduleLocked(w.slot, delay)
	default:
		p.freeLocked(w.slot)
	}
	broken := p.broken
	p.checkDrainedLocked()
	p.mu.Unlock()
	p.resolveIn(nil, func() { p.fail(dropped, broken) })
}

// scheduleLocked starts a worker for slot after delay.
func (p *Pool) scheduleLocked(slot int, delay time.Duration) {
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if _, ok := p.scheduled[t]; !ok {
			return
		}
		delete(p.scheduled, t)
		if p.broken == nil && (!p.closed || p.queue.Len() > 0) && slot < p.size.max {
			p.restarts[slot]++
			p.startLocked(slot)
		} else {
			p.freeLocked(slot)
		}
		p.checkDrainedLocked()
	})
	p.scheduled[t] = slot
}

// breakLocked marks the pool broken by err and returns the queued units to fail.
func (p *Pool) breakLocked(err error) []*unit {
	if p.broken == nil {
		p.broken = fmt.Errorf("%w: %w", executor.ErrPoolBroken, err)
		p.roomLocked()
		p.changedLocked()
	}
	for t := range p.scheduled {
		t.Stop()
		delete(p.scheduled, t)
	}
	for _, w := range p.idle {
		w.retiring = true
		p.wg.Add(1)
		go func() { // not under p.mu
			defer p.wg.Done()
			w.tellExit()
		}()
	}
	p.idle = nil
	return p.queue.TakeAll()
}

// retireLocked takes w out of service after its unit (its caller tells it to exit) and
// starts its replacement, unless the pool shrinks. It is the one path of every planned
// departure (lifetimes, Reset, Recycle, memory, a shrink): a worker told to exit never
// counts toward the restart rule.
func (p *Pool) retireLocked(w *worker) {
	w.retiring = true
	switch {
	case p.closed || p.broken != nil:
	case p.keepsLocked(w):
		p.restarts[w.slot]++
		p.startLocked(w.slot)
	default:
		p.freeLocked(w.slot)
	}
	p.changedLocked()
}

// checkDrainedLocked closes drained once the pool is shut down and no worker is left.
func (p *Pool) checkDrainedLocked() {
	if !p.closed || len(p.workers) > 0 || len(p.scheduled) > 0 || p.isDrained {
		return
	}
	close(p.drained)
	p.isDrained = true
}

// fail fails every task of units with err.
func (p *Pool) fail(units []*unit, err error) {
	for _, u := range units {
		for _, j := range u.jobs {
			p.failed.Add(1)
			j.t.Fail(err)
		}
	}
}
