package procpool

import (
	"context"
	"fmt"
	"io"

	"github.com/dualpool/dualpool/ipc"
)

// startLocked starts a worker for slot in a new goroutine that then lives its life.
func (p *Pool) startLocked(slot int) {
	w := &worker{p: p, slot: slot, restarts: p.restarts[slot], nextID: 1}
	p.workers[w] = struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		w.life()
	}()
}

// life is a worker's whole life as the parent sees it: spawn, handshake, serve, death.
func (w *worker) life() {
	p := w.p
	if err := w.spawn(); err != nil {
		w.output.Wait() // a transport's forwarders, if it started any: its process is gone
		p.startFailed(w, fmt.Errorf("procpool: starting worker %s: %w", p.path, err), nil)
		return
	}
	p.cfg.logger.Debug("procpool: worker started", "pid", w.pid, "slot", w.slot, "restarts", w.restarts)
	var from io.Reader = w.fromW
	if w.conn != nil {
		from = w.conn
	}
	r := ipc.NewReader(from, p.cfg.maxFrame)
	w.decode = w.decodeOut
	if err := w.handshake(r); err != nil {
		w.kill(&killInfo{reason: killStart, err: err})
		exit := w.reap()
		p.startFailed(w, w.startError(err, exit), err)
		return
	}
	p.workerReady(w)
	err := w.serve(r)
	if err != io.EOF {
		w.kill(&killInfo{reason: killProtocol, err: err})
	}
	p.workerGone(w)
	p.workerDied(w, w.reap())
}

// serve reads answers until the worker's pipe ends, and returns why it ended: io.EOF when
// the worker closed it (exiting), or what was wrong with a frame.
func (w *worker) serve(r *ipc.Reader) error {
	for {
		kind, body, err := r.Next()
		if err != nil {
			return err
		}
		switch kind {
		case ipc.KindResult:
			id, out, err := ipc.DecodeResult(body)
			if err != nil {
				return err
			}
			u, j, err := w.answer(id)
			if err != nil {
				return err
			}
			w.syncOutput(u)
			w.finish(j, out)
			w.answered(u)
		case ipc.KindError:
			e, err := ipc.DecodeError(body)
			if err != nil {
				return err
			}
			u, j, err := w.answer(e.ID)
			if err != nil {
				return err
			}
			w.syncOutput(u)
			w.p.failed.Add(1)
			j.t.Fail(rebuild(e))
			w.answered(u)
		default:
			return fmt.Errorf("%w: unexpected %v frame from worker", ipc.ErrCorrupt, kind)
		}
	}
}

// syncOutput lets the worker's output catch up before the last answer of u resolves its
// Future: what a task printed comes before its result. A Map chunk waits once, at its
// end, since Map hands out a chunk's results together.
func (w *worker) syncOutput(u *unit) {
	if u.left.Load() == 0 {
		w.outS.sync()
		w.errS.sync()
	}
}

// answered is called after each answer for u: the last one finishes u.
func (w *worker) answered(u *unit) {
	if u.left.Load() == 0 {
		if next := w.p.unitDone(w, u); next != nil {
			w.send(next)
		}
	}
}

// answer finds the job an answer is for and marks it answered.
func (w *worker) answer(id uint64) (*unit, *job, error) {
	u := w.cur.Load()
	if u == nil || id < u.base || id-u.base >= uint64(len(u.jobs)) {
		return nil, nil, fmt.Errorf("%w: answer for task %d, which is not in flight", ipc.ErrCorrupt, id)
	}
	j := u.jobs[id-u.base]
	if j.done.Swap(true) {
		return nil, nil, fmt.Errorf("%w: second answer for task %d", ipc.ErrCorrupt, id)
	}
	u.left.Add(-1)
	w.p.running.Add(-1)
	w.tasks.Add(1)
	return u, j, nil
}

// finish resolves j with its encoded result, through the reader's decoder (one closure
// per worker, not per result). It counts before resolving, so that Stats agree with what
// a caller has seen.
func (w *worker) finish(j *job, out []byte) {
	w.p.completed.Add(1)
	w.out = out
	j.t.Finish(w.decode)
}

// decodeOut decodes the result being finished; the reader goroutine's only.
func (w *worker) decodeOut(ptr any) error {
	if err := w.p.cfg.codec.Decode(w.out, ptr); err != nil {
		w.p.completed.Add(^uint64(0))
		w.p.failed.Add(1)
		return fmt.Errorf("procpool: decoding the result: %w", err)
	}
	return nil
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
			if err := w.write(func(b []byte) []byte { return appendUnit(b, u, live) }); err != nil {
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
		switch {
		case !j.started && !j.t.Start():
			p.cancelled.Add(1)
			j.done.Store(true)
			u.left.Add(-1)
			p.running.Add(-1)
			continue
		case j.started && j.t.Context().Err() != nil:
			p.failed.Add(1)
			j.done.Store(true)
			u.left.Add(-1)
			p.running.Add(-1)
			j.t.Fail(fmt.Errorf("procpool: task not run again after its worker died: %w", j.t.Context().Err()))
			continue
		}
		j.started = true
		live++
	}
	return live
}

func appendUnit(b []byte, u *unit, live int) []byte {
	task := func(i int) ipc.Task {
		j := u.jobs[i]
		t := ipc.Task{ID: u.base + uint64(i), Func: j.t.Func(), Input: j.input}
		if d, ok := j.t.Context().Deadline(); ok {
			t.Deadline = d.UnixNano()
		}
		return t
	}
	if live == 1 {
		for i, j := range u.jobs {
			if !j.done.Load() {
				return ipc.AppendTask(b, task(i))
			}
		}
	}
	bw := ipc.BeginBatch(b, live)
	for i, j := range u.jobs {
		if !j.done.Load() {
			bw.Add(task(i))
		}
	}
	return bw.End()
}

// unitDone is called when every task of u has its answer: the worker takes its next unit,
// or retires. It returns the next unit for send's loop when called from there.
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
		if ctx.Done() == nil || contains(seen, ctx) {
			continue
		}
		seen = append(seen, ctx)
		u.addStop(context.AfterFunc(ctx, func() { w.cancel(u, ctx) }))
	}
}

func contains(s []context.Context, ctx context.Context) bool {
	for _, c := range s {
		if c == ctx {
			return true
		}
	}
	return false
}
