package procpool

import (
	"slices"

	"github.com/dualpool/dualpool/executor"
)

// workerGone takes a worker whose pipe ended out of service at once, before its process
// is reaped, so that no task is given to a dead worker meanwhile.
func (p *Pool) workerGone(w *worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.gone = true
	if i := slices.Index(p.idle, w); i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
}

// workerDied handles the death of a worker that had started: the task it was running
// fails, tasks it had not reached run elsewhere, and a replacement starts.
func (p *Pool) workerDied(w *worker, x exitInfo) {
	k := w.killed.Load()
	p.cfg.logger.Info("procpool: worker exited", "pid", w.pid, "code", x.code, "signal", x.signal, "retiring", w.retiring)
	type failure struct {
		j   *job
		err error
	}
	var fails []failure
	w.sendMu.Lock() // a send in progress finishes first; a later one finds cur nil
	p.mu.Lock()
	delete(p.workers, w)
	if i := slices.Index(p.idle, w); i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
	var again []*job
	u := w.cur.Swap(nil)
	w.sendMu.Unlock()
	if u != nil {
		u.finish()
		var left []*job
		for _, j := range u.jobs {
			if !j.done.Load() {
				left = append(left, j)
			}
		}
		p.running.Add(-int64(len(left)))
		for _, j := range left {
			err, rerun := p.verdict(w, k, x, j, len(left))
			if rerun && p.broken == nil {
				again = append(again, j)
				continue
			}
			if err == nil {
				err = p.broken
			}
			fails = append(fails, failure{j, err})
		}
	}
	if !w.retiring && p.broken == nil && (!p.closed || p.queue.len() > 0 || len(again) > 0) {
		p.restarts[w.slot]++
		p.startLocked(w.slot)
	}
	for i := len(again) - 1; i >= 0; i-- {
		p.queue.pushFront(&unit{jobs: again[i : i+1 : i+1]})
	}
	sends := p.dispatchIdleLocked()
	p.checkDrainedLocked()
	p.mu.Unlock()
	for _, f := range fails {
		p.failed.Add(1)
		f.j.t.Fail(f.err)
	}
	for _, s := range sends {
		s.w.send(s.u)
	}
}

// verdict decides the fate of job j, left unanswered by a dead worker with n such jobs:
// the error it fails with, or rerun. A lone task was surely the one running; in a batch
// the parent cannot tell which ran, so each is run again alone, once.
func (p *Pool) verdict(w *worker, k *killInfo, x exitInfo, j *job, n int) (err error, rerun bool) {
	ctx := j.t.Context()
	switch {
	case !j.started: // never sent: it did not run
		return nil, true
	case k != nil && k.reason == killCancel:
		if ctx.Err() == nil {
			return nil, true // not what the kill was for
		}
		return &executor.KilledError{PID: w.pid, Grace: p.cfg.killGrace, Cause: ctx.Err()}, false
	case k != nil && k.reason == killShutdown:
		return &executor.KilledError{PID: w.pid, Cause: k.cause}, false
	case n > 1 && !j.retried:
		j.retried = true
		j.done.Store(false)
		return nil, true
	case k != nil && k.reason == killMemory:
		return &executor.MemoryLimitError{PID: w.pid, Used: k.used, Limit: p.cfg.memHard}, false
	case k != nil:
		return w.exitError(x, k.err), false
	}
	return w.exitError(x, nil), false
}

type dispatch struct {
	w *worker
	u *unit
}

// dispatchIdleLocked gives queued units to idle workers.
func (p *Pool) dispatchIdleLocked() []dispatch {
	var out []dispatch
	for len(p.idle) > 0 && p.queue.len() > 0 {
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		u := p.queue.pop()
		p.assignLocked(w, u)
		out = append(out, dispatch{w, u})
	}
	return out
}
