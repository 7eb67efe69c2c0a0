package threadpool

import (
	"sync/atomic"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/timing"
)

// tally counts tasks by outcome. Each worker keeps its own, on its own cache lines (see
// [worker]); Stats adds them up.
type tally struct {
	running                      atomic.Int64
	completed, failed, cancelled atomic.Uint64
	taken                        atomic.Uint64 // tasks taken from the pool's ring
}

// addTo adds t's figures to s.
func (t *tally) addTo(s *executor.Stats) {
	s.Running += int(t.running.Load())
	s.Completed += t.completed.Load()
	s.Failed += t.failed.Load()
	s.Cancelled += t.cancelled.Load()
}

// Stats implements [executor.Executor].
func (p *Pool) Stats() executor.Stats {
	p.mu.Lock()
	defer p.unlock()
	s := p.retired
	s.Submitted, s.Queued, s.Workers = p.submitted+p.directIn(), p.queuedLocked(), p.workers
	for w := range p.live {
		w.addTo(&s)
	}
	p.shared.addTo(&s)
	s.Busy = s.Running
	if !p.cfg.noTimings {
		for w := range p.live {
			w.funcs.AddTo(&s)
		}
		p.retiredFuncs.AddTo(&s)
		timing.Totals(&s)
	}
	return s
}
