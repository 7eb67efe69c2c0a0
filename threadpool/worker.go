package threadpool

import (
	"runtime/debug"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/goid"
)

// worker is one goroutine of the pool and what it keeps between tasks. Its tally sits
// alone on its cache lines, so that workers on different cores do not fight over a shared
// counter for every task.
type worker struct {
	_ [64]byte
	tally
	count func(error) // w.outcome, bound once: Task.Run's hook

	// The worker's plan, touched by its goroutine only.
	p        *Pool
	gid      atomic.Uint64  // the id of its goroutine, for a Shutdown from a task
	batch    []backend.Task // the batch running, for a Goexit to hand on
	pos      int            // the index in batch of the task running
	lastTask bool           // the task running is the last of its item
	step     nextStep       // what the worker does after its item, once planned
	nextItem item           // for stepRun
	clocks                  // its tasks' timings and pprof labels
	handoff  chan item      // for stepWait: the pool's handoff when it was planned
	leaving  bool           // counted in the pool's leaving: a shrink stops it
	quitting bool           // counted in the pool's quitting: the pool is closed
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

// startWorkerLocked starts a worker whose first item is first. p.mu is held.
func (p *Pool) startWorkerLocked(first item) {
	w := &worker{p: p}
	w.count = w.outcome
	p.workers++
	p.live[w] = struct{}{}
	go w.serve(first)
}

// serve is the worker's goroutine: it runs the initializer, then first, then whatever the
// queue and the handoff bring.
func (w *worker) serve(first item) {
	w.gid.Store(goid.Current())
	pprof.SetGoroutineLabels(w.p.labels)
	if w.initialize(first) {
		w.work(first, true)
	}
}

// initialize runs the pool's initializer, if any, and reports whether it succeeded. When it
// fails, panics (a *executor.PanicError) or calls runtime.Goexit ([executor.ErrGoexit]),
// the pool is broken: first and the queued tasks fail, and w has exited.
func (w *worker) initialize(first item) (ok bool) {
	fn := w.p.cfg.initializer
	if fn == nil {
		return true
	}
	err := executor.ErrGoexit // unless fn returns or panics
	defer func() {
		if v := recover(); v != nil {
			err = &executor.PanicError{Value: v, Stack: debug.Stack()}
		}
		if err != nil {
			w.p.breakPool(w, err, first)
			w.exit()
		}
	}()
	err = fn(w.p.labels)
	return err == nil
}

// work runs it (if ok; otherwise w follows its plan), then the items that its plan brings,
// until the pool shuts down or w has been idle for too long; then w exits. A task that
// calls runtime.Goexit ends the goroutine in the middle: the deferred call sees that the
// loop did not return and hands w on to a new goroutine ([worker.goexited]).
func (w *worker) work(it item, ok bool) {
	returned := false
	defer func() {
		if returned {
			w.exit()
			return
		}
		// A panic or a runtime.Goexit, told apart as x/sync/singleflight does. A task's
		// panic never gets here (Task.Run recovers it): this is a bug in the pool, so
		// crash with it and touch nothing, lest a lock it holds hang the crash.
		if v := recover(); v != nil {
			panic(v)
		}
		w.goexited()
	}()
	var idle *time.Timer
	if d := w.p.cfg.idleTimeout; d > 0 {
		idle = time.NewTimer(d)
		defer idle.Stop()
	}
	for {
		if ok {
			w.step = stepUnplanned
			w.runItem(it)
		}
		if w.step == stepUnplanned { // no task ran to its end: plan now
			w.plan()
		}
		if it, ok = w.next(idle); !ok {
			break
		}
	}
	returned = true
}

// goexited hands w on after a task called runtime.Goexit, which ends the goroutine once
// Task.Run has counted the task and resolved it with [executor.ErrGoexit]. A new goroutine,
// which inherits this one's pprof labels, goes on as w from where the task left it: the
// rest of its batch, then w's plan, which may hold the next item from the queue or w's
// place among the idle workers. So no task is lost, Stats still count w among the
// workers, and Shutdown waits for it. The cost is one goroutine start per Goexit.
func (w *worker) goexited() {
	rest := item{queued: w.queued, weight: w.weight}
	more := w.batch != nil && w.pos+1 < len(w.batch)
	if more {
		left := w.batch[w.pos+1:]
		rest.batch = &left
	}
	w.batch, w.lastTask = nil, false
	if !more && w.step == stepExit {
		w.exit()
		return
	}
	go func() { w.gid.Store(goid.Current()); w.work(rest, more) }()
}

// runItem runs the task of it, or each task of its batch in order.
func (w *worker) runItem(it item) {
	w.queued, w.weight = it.queued, it.weight
	if it.task != nil {
		w.lastTask = true
		w.run(it.task)
	} else {
		w.batch = *it.batch
		for i, t := range w.batch {
			w.pos, w.lastTask = i, i == len(w.batch)-1
			w.run(t)
		}
		w.batch = nil
	}
	w.lastTask = false
	w.flush() // the span, if its last task did not end it (cancelled, or halted)
}

// run runs t, or resolves it as halt says, and counts the outcome.
func (w *worker) run(t backend.Task) {
	if w.p.halt.Load() != haltNone && w.p.resolveHalted(&w.tally, t) {
		return
	}
	if !t.Start() {
		w.cancelled.Add(1)
		return
	}
	w.running.Add(1)
	w.begin(t)
	t.Run(w.count)
}

// outcome records a finished task, just before its Future resolves. After the last task
// of an item it also plans the worker's next step, so that the worker is counted idle
// before the task's waiter wakes: a waiter that submits again at once then finds it,
// instead of queueing behind a worker that is about to be free.
func (w *worker) outcome(err error) {
	w.end()
	w.running.Add(-1)
	if err != nil {
		w.failed.Add(1)
	} else {
		w.completed.Add(1)
	}
	if w.lastTask {
		w.lastTask = false
		w.plan()
	}
}

// plan decides what w does after its item: the head of the queue, or else wait for the
// handoff (counted idle from now on), or exit when the pool is closed.
func (w *worker) plan() {
	p := w.p
	if !p.shrinking.Load() { // the direct path: the ring's next item, without the lock
		if it, ok := p.popRing(&w.tally); ok {
			w.step, w.nextItem = stepRun, it
			return
		}
	}
	p.mu.Lock()
	defer p.unlock()
	if p.workers-p.leaving > p.cfg.maxWorkers { // a Resize shrank the pool: leave
		w.leaving = true
		p.leaving++
		w.step = stepExit
		return
	}
	if it, ok := p.popLocked(&w.tally); ok {
		w.step, w.nextItem = stepRun, it
		return
	}
	if p.closed {
		w.quitting = true
		p.quitting++
		w.step = stepExit
		return
	}
	p.idle++
	p.publishLocked() // closes the direct path, then looks into the ring: see direct.go
	if it, ok := p.popRing(&w.tally); ok {
		p.idle--
		w.step, w.nextItem = stepRun, it
		return
	}
	w.step, w.handoff = stepWait, p.handoff
	w.idle()
}

// next returns w's next item as planned, waiting for the handoff if need be. It reports
// false when w should exit: the pool is closed, a shrink told it to, or it was idle for
// the idle timeout with more than the minimum of workers left.
func (w *worker) next(idle *time.Timer) (item, bool) {
	p := w.p
	switch w.step {
	case stepRun:
		it := w.nextItem
		w.nextItem = item{}
		return it, true
	case stepExit:
		return item{}, false
	}
	for {
		var it item
		var ok bool
		if idle == nil {
			it, ok = <-w.handoff
		} else {
			idle.Reset(p.cfg.idleTimeout)
			select {
			case it, ok = <-w.handoff:
			case <-idle.C:
				if w.idleExpired() {
					return item{}, false
				}
				continue
			}
		}
		if ok && !it.isExit() {
			return it, true
		}
		if ok || !w.rehandoff() { // told to exit, or the pool is closed
			w.leaving = ok
			return item{}, false
		}
	}
}

// exit retires w: its tally joins those of the workers gone.
func (w *worker) exit() {
	p := w.p
	p.mu.Lock()
	w.addTo(&p.retired)
	p.retiredTaken += w.taken.Load()
	if w.quitting {
		p.quitting--
	}
	p.retiredFuncs.Absorb(&w.funcs)
	delete(p.live, w)
	p.workers--
	if w.leaving {
		p.leaving--
	}
	if p.closed && p.workers == 0 {
		close(p.drained)
	}
	close(p.exited)
	p.exited = make(chan struct{})
	p.unlock()
}
