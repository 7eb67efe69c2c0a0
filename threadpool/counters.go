package threadpool

import (
	"sync/atomic"

	"github.com/dualpool/dualpool/backend"
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

	// The worker's own plan, touched by its goroutine only; p is nil for counters that
	// belong to no worker.
	p        *Pool
	lastTask bool     // the task running is the last of its item
	step     nextStep // what the worker does after its item, once planned
	nextItem item     // for stepRun
	_        [64]byte
}

// nextStep is what a worker does once its item is done.
type nextStep uint8

const (
	stepUnplanned nextStep = iota
	stepRun                // run nextItem, taken from the queue
	stepWait               // counted idle: wait for the handoff
	stepExit               // the pool is closed and nothing is queued
)

func newCounters(p *Pool) *counters {
	c := &counters{p: p}
	c.count = c.outcome
	return c
}

// outcome records a finished task, just before its Future resolves. After the last task
// of an item it also plans the worker's next step, so that the worker is counted idle
// before the task's waiter wakes: a waiter that submits again at once then finds it,
// instead of queueing behind a worker that is about to be free.
func (c *counters) outcome(err error) {
	c.running.Add(-1)
	if err != nil {
		c.failed.Add(1)
	} else {
		c.completed.Add(1)
	}
	if c.lastTask && c.p != nil {
		c.lastTask = false
		c.p.plan(c)
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
func (p *Pool) run(c *counters, t backend.Task) {
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
		c.lastTask = true
		p.run(c, it.task)
	} else {
		for i, t := range it.batch {
			c.lastTask = i == len(it.batch)-1
			p.run(c, t)
		}
	}
	c.lastTask = false
}
