package procpool

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// Execute implements [executor.Executor]; programs use [executor.Submit]. The argument is
// encoded here, in the caller's goroutine, and when a worker is free the task's frame is
// written from here too. A value the codec cannot encode fails its own Future and
// nothing else.
func (p *Pool) Execute(ctx context.Context, t backend.Task) error {
	if err := p.admit(t); err != nil {
		return err
	}
	u := unitOne(t, nil)
	in, err := p.encodeInput(u.small[:0], t)
	if err != nil {
		return p.take(nil, nil, []failure{{&u.one, err}}, 1)
	}
	u.one.input = in
	return p.take(u, nil, nil, 1)
}

// ExecuteBatch implements backend.Batcher: the batch goes to one worker in one frame (or
// in as few as the frame limit allows), and its results come back together.
func (p *Pool) ExecuteBatch(ctx context.Context, batch []backend.Task) error {
	if len(batch) == 0 {
		return nil
	}
	if err := p.admit(batch...); err != nil {
		return err
	}
	units, bad := p.encodeBatch(batch)
	return p.take(nil, units, bad, len(batch))
}

// ExecuteChunk implements backend.ChunkExecutor: the chunk's arguments are encoded as one
// slice and go to one worker in one frame, and its results come back as one, which costs
// one encoding and one decoding for the whole chunk. A chunk whose arguments do not encode
// together or do not fit a frame, or a pool whose workers do not announce chunks, goes as
// a batch instead, call by call.
func (p *Pool) ExecuteChunk(ctx context.Context, c backend.Chunk) error {
	if err := p.admit(c); err != nil {
		return err
	}
	p.mu.Lock()
	chunks := p.features&ipc.FeatureChunk != 0
	p.mu.Unlock()
	if !chunks {
		return p.ExecuteBatch(ctx, c.Items())
	}
	u := unitOne(c, c)
	in, err := p.encodeInput(nil, c)
	if err != nil {
		return p.ExecuteBatch(ctx, c.Items())
	}
	u.one.input = in
	return p.take(u, nil, nil, c.Len())
}

// admit checks what can be checked before anything is encoded.
func (p *Pool) admit(tasks ...backend.Task) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.refuseLocked(); err != nil {
		return err
	}
	name := ""
	for i, t := range tasks {
		if i > 0 && t.Func() == name {
			continue
		}
		if name = t.Func(); !p.names[name] {
			if name == "" {
				return fmt.Errorf("%w: a closure cannot run in a worker process; register the function with executor.Register", executor.ErrUnknownFunc)
			}
			return fmt.Errorf("%w: %q is not registered in the worker binary %s", executor.ErrUnknownFunc, name, p.path)
		}
	}
	return nil
}

// take takes n tasks: the units to run (one, or several), and the tasks that failed to
// encode. It checks once more that the pool accepts them, so that a Shutdown that came
// meanwhile refuses them all (and resolves none); once they are taken, the bad ones fail.
func (p *Pool) take(one *unit, units []*unit, bad []failure, n int) error {
	var buf [1]dispatch
	sends := buf[:0]
	place := func(u *unit) {
		if k := len(p.idle); k > 0 {
			w := p.idle[k-1]
			p.idle = p.idle[:k-1]
			p.assignLocked(w, u)
			sends = append(sends, dispatch{w, u})
		} else {
			p.queue.Push(u)
		}
	}
	p.mu.Lock()
	if err := p.refuseLocked(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.submitted.Add(uint64(n))
	if one != nil {
		place(one)
	}
	for _, u := range units {
		place(u)
	}
	p.mu.Unlock()
	for _, f := range bad {
		p.failed.Add(uint64(f.j.size()))
		f.j.t.Fail(f.err)
	}
	for _, s := range sends {
		s.w.send(s.u)
	}
	return nil
}

// encodeInput appends t's encoded argument to dst, checking it against the frame limit.
func (p *Pool) encodeInput(dst []byte, t backend.Task) ([]byte, error) {
	in, err := p.cfg.codec.Append(dst, t.Input())
	if err == nil && len(in)-len(dst) > p.cfg.maxFrame-len(t.Func())-taskOverhead {
		err = fmt.Errorf("argument of %d bytes is over the frame limit of %d bytes", len(in)-len(dst), p.cfg.maxFrame)
	}
	if err != nil {
		return nil, fmt.Errorf("procpool: %s: encoding the argument: %w", t.Func(), err)
	}
	return in, nil
}

// taskOverhead bounds what a task adds to a frame beside its name and argument: its id
// and deadline (10 bytes each at most), the lengths of name and argument (5 each), and a
// frame's own header and batch count.
const taskOverhead = 10 + 10 + 5 + 5 + 5 + 5

// encodeBatch encodes the arguments of a batch into one buffer and cuts it into units
// whose frames fit the frame limit. A task whose argument does not encode, or is too big
// for a frame of its own, is returned to fail.
func (p *Pool) encodeBatch(batch []backend.Task) (units []*unit, bad []failure) {
	jobs := make([]job, len(batch))
	refs := make([]*job, len(batch))
	ends := make([]int, len(batch))
	var buf []byte
	for i, t := range batch {
		jobs[i].t = t
		start := len(buf)
		var err error
		if buf, err = p.encodeInput(buf, t); err != nil {
			buf = buf[:start]
			bad = append(bad, failure{&jobs[i], err})
			ends[i] = -1
			continue
		}
		ends[i] = len(buf)
	}
	first, size, start := 0, 0, 0 // the unit being filled: refs[first:k]
	k := 0
	for i := range jobs {
		if ends[i] < 0 {
			continue
		}
		j := &jobs[i]
		j.input = buf[start:ends[i]:ends[i]]
		start = ends[i]
		cost := len(j.input) + len(j.t.Func()) + taskOverhead
		if k > first && size+cost > p.cfg.maxFrame {
			units = append(units, unitOf(refs[first:k:k]...))
			first, size = k, 0
		}
		refs[k] = j
		k++
		size += cost
	}
	if k > first {
		units = append(units, unitOf(refs[first:k:k]...))
	}
	return units, bad
}

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
		return u, false
	}
	if p.closed || p.broken != nil {
		w.retiring = true
		return nil, true
	}
	p.idle = append(p.idle, w)
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
		j.started = true
		live++
	}
	return live
}

// writeUnit writes the frame of u's live tasks.
func (w *worker) writeUnit(u *unit, live int) error {
	if j := u.jobs[0]; live == 1 && len(u.jobs) == 1 && j.chunk == nil && len(j.input) >= largeInput {
		return w.writeLarge(taskOf(u, 0))
	}
	return w.write(func(b []byte) []byte { return appendUnit(b, u, live) })
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
	p.mu.Lock()
	if !w.cur.CompareAndSwap(u, nil) { // the worker died: its death took care of u
		p.mu.Unlock()
		return nil
	}
	retire := (p.cfg.maxTasks > 0 && w.tasks.Load() >= uint64(p.cfg.maxTasks)) || w.overSoft
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
		w.write(ipc.AppendShutdown)
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
