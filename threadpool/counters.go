package threadpool

import (
	"sync/atomic"

	"github.com/dualpool/dualpool/executor"
)

// counters are one worker's tallies. Each worker has its own, alone on its cache lines, so
// that workers on different cores do not fight over a shared counter for every task; Stats
// adds them up.
type counters struct {
	_                            [64]byte
	running                      atomic.Int64
	completed, failed, cancelled atomic.Uint64
	count                        func(error) // c.outcome, bound once: Task.Run's hook
	_                            [64]byte
}

func newCounters() *counters {
	c := new(counters)
	c.count = c.outcome
	return c
}

// outcome records a finished task, just before its Future resolves.
func (c *counters) outcome(err error) {
	c.running.Add(-1)
	if err != nil {
		c.failed.Add(1)
	} else {
		c.completed.Add(1)
	}
}

// addTo adds c's figures to s.
func (c *counters) addTo(s *executor.Stats) {
	s.Running += int(c.running.Load())
	s.Completed += c.completed.Load()
	s.Failed += c.failed.Load()
	s.Cancelled += c.cancelled.Load()
}

// run runs t, or resolves it as halt says, and counts the outcome in c.
func (p *Pool) run(c *counters, t executor.Task) {
	switch p.halt.Load() {
	case haltCancel:
		if t.Discard(executor.ErrShutdown) {
			c.cancelled.Add(1)
		}
		return
	case haltBroken:
		p.mu.Lock()
		err := p.broken
		p.mu.Unlock()
		t.Fail(err)
		c.failed.Add(1)
		return
	}
	if !t.Start() {
		c.cancelled.Add(1)
		return
	}
	c.running.Add(1)
	t.Run(c.count)
}

func (p *Pool) runItem(c *counters, it item) {
	if it.task != nil {
		p.run(c, it.task)
		return
	}
	for _, t := range it.batch {
		p.run(c, t)
	}
}
