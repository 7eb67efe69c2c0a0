package procpool

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/dualpool/dualpool/internal/timing"
	"github.com/dualpool/dualpool/ipc"
)

// assignLocked makes u w's unit in flight: its ids are given here, under p.mu, so that
// the worker's death always finds what it was doing.
func (p *Pool) assignLocked(w *worker, u *unit) {
	u.base = w.nextID
	w.nextID += uint64(len(u.jobs))
	u.left.Store(int32(len(u.jobs)))
	w.cur.Store(u)
	p.running.Add(int64(u.size))
}

// nextLocked gives w its next unit, or parks it: idle, or told to exit when the pool is
// shutting down and nothing is queued. It returns the unit to send, if any.
func (p *Pool) nextLocked(w *worker) (u *unit, exit bool) {
	if w.gone {
		return nil, false
	}
	if u, ok := p.queue.Pop(); ok {
		p.assignLocked(w, u)
		p.roomLocked()
		return u, false
	}
	if p.closed || p.broken != nil {
		w.retiring = true
		return nil, true
	}
	w.idleSince = time.Now()
	p.idle = append(p.idle, w)
	p.roomLocked()
	return nil, false
}

type dispatch struct {
	w *worker
	u *unit
}

// dispatchIdleLocked gives queued units to idle workers.
func (p *Pool) dispatchIdleLocked() []dispatch {
	var out []dispatch
	for len(p.idle) > 0 && p.queue.Len() > 0 {
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		u, _ := p.queue.Pop()
		p.assignLocked(w, u)
		out = append(out, dispatch{w, u})
	}
	if len(out) > 0 {
		p.roomLocked()
	}
	return out
}

// send writes u to w and watches the ctx of its tasks. Tasks cancelled while queued are
// dropped here. sendMu keeps a worker's death from judging u while its tasks are being
// started: they are either all started and sent, or not touched.
func (w *worker) send(u *unit) {
	for u != nil {
		w.sendMu.Lock()
		if w.cur.Load() != u { // the worker died and its death took care of u
			w.sendMu.Unlock()
			return
		}
		live := w.p.start(u)
		if live > 0 {
			if err := w.writeUnit(u, live); err != nil {
				// The worker is gone; its reader sees the end of the pipe and resolves u.
				w.p.cfg.logger.Debug("procpool: writing to worker", "pid", w.pid, "err", err)
			}
		}
		w.sendMu.Unlock()
		if live == 0 {
			u = w.p.unitDone(w, u)
			continue
		}
		w.watch(u) // after the frame, so that a cancel never overtakes its task
		return
	}
}

// start moves u's new tasks to Running and counts the live ones; a task cancelled
// meanwhile is answered here.
func (p *Pool) start(u *unit) (live int) {
	var now int64
	for _, j := range u.jobs {
		n := j.size()
		switch {
		case !j.started && !j.t.Start():
			p.cancelled.Add(uint64(n))
			j.done.Store(true)
			u.left.Add(-1)
			p.running.Add(-int64(n))
			continue
		case j.started && j.t.Context().Err() != nil:
			p.failed.Add(uint64(n))
			j.done.Store(true)
			u.left.Add(-1)
			p.running.Add(-int64(n))
			j.t.Fail(fmt.Errorf("procpool: task not run again after its worker died: %w", j.t.Context().Err()))
			continue
		}
		if !j.started && j.queued != 0 {
			if now == 0 {
				now = timing.Now()
			}
			j.sent.Store(now)
		}
		j.started = true
		live++
	}
	return live
}

// writeUnit writes the frame of u's live tasks.
func (w *worker) writeUnit(u *unit, live int) error {
	if j := u.jobs[0]; live == 1 && len(u.jobs) == 1 && j.chunk == nil && len(j.input) >= largeInput {
		return w.writeLarge(u, taskOf(u, 0))
	}
	return w.write(func(b []byte) []byte { return appendUnit(w.appendContext(b, u), u, live) })
}

// largeInput is the size from which an argument is written apart from its frame.
const largeInput = 64 << 10

// taskOf is job i of u as the protocol sends it.
func taskOf(u *unit, i int) ipc.Task {
	j := u.jobs[i]
	t := ipc.Task{ID: u.base + uint64(i), Func: j.t.Func(), Input: j.input}
	if d, ok := j.t.Context().Deadline(); ok {
		t.Deadline = d.UnixNano()
	}
	return t
}

// appendUnit appends the frame of u's live tasks: a Task frame for one, a Batch for more.
func appendUnit(b []byte, u *unit, live int) []byte {
	var ctx context.Context
	var deadline int64
	task := func(i int) ipc.Task {
		j := u.jobs[i]
		if c := j.t.Context(); c != ctx { // the tasks of a Map chunk share theirs
			ctx, deadline = c, 0
			if d, ok := c.Deadline(); ok {
				deadline = d.UnixNano()
			}
		}
		return ipc.Task{ID: u.base + uint64(i), Func: j.t.Func(), Deadline: deadline, Input: j.input}
	}
	if live == 1 {
		for i, j := range u.jobs {
			switch {
			case j.done.Load():
			case j.chunk != nil:
				return ipc.AppendChunk(b, task(i), j.chunk.Len())
			default:
				return ipc.AppendTask(b, task(i))
			}
		}
	}
	b = slices.Grow(b, len(u.jobs)*(binary.MaxVarintLen64+8)+len(u.jobs[len(u.jobs)-1].input))
	bw := ipc.BeginBatch(b, live)
	for i, j := range u.jobs {
		if !j.done.Load() {
			bw.Add(task(i))
		}
	}
	return bw.End()
}

// unitDone is called when every task of u has its answer: the worker takes its next unit,
// or retires. It returns the next unit, which the caller sends.
func (p *Pool) unitDone(w *worker, u *unit) *unit {
	u.finish()
	over := p.overHardBetweenTasks(w)
	p.mu.Lock()
	if over {
		w.overSoft = true
	}
	if !w.cur.CompareAndSwap(u, nil) { // the worker died: its death took care of u
		p.mu.Unlock()
		return nil
	}
	retire := p.retiresLocked(w)
	var next *unit
	exit := false
	if retire {
		p.retireLocked(w)
		exit = true
	} else {
		next, exit = p.nextLocked(w)
	}
	p.mu.Unlock()
	if exit {
		w.tellExit()
	}
	return next
}

// watch forwards the cancellation of u's tasks' ctx to the worker, and kills the worker
// when a task is still running KillGrace later.
func (w *worker) watch(u *unit) {
	var seen []context.Context
	for _, j := range u.jobs {
		ctx := j.t.Context()
		if ctx.Done() == nil || slices.Contains(seen, ctx) {
			continue
		}
		seen = append(seen, ctx)
		u.addStop(context.AfterFunc(ctx, func() { w.cancel(u, ctx) }))
	}
}
