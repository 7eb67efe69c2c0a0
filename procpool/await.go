package procpool

import (
	"io"
	"slices"
	"time"

	"github.com/dualpool/dualpool/backend"
)

var _ backend.Awaiter = (*Pool)(nil)

// awaitFor is the longest a waiter reads its own task's answers (Await) before it parks
// and leaves them to the worker's reader goroutine: long enough for most short tasks,
// short enough that a Result whose ctx ends meanwhile returns about on time.
const awaitFor = time.Millisecond

// Await reads the answers of the worker that runs t in the calling goroutine, until done
// reports true or for awaitFor ([backend.Awaiter]); the tasks it resolves so run their
// done callbacks here. Its thread sleeps in the kernel until the worker writes, so the
// worker runs on the processor the waiter left free and wakes the waiter there: a round
// trip then costs what a raw pipe's does. It returns false at once when t is not in
// flight, when its worker's answers arrive on no pipe it can wait on (a Transport other
// than the pipes, or not Linux), or when another goroutine reads them now.
func (p *Pool) Await(t backend.Task, done func() bool) bool {
	w := p.runnerOf(t)
	if w == nil || w.answerFd < 0 || !w.rd.TryLock() {
		return false
	}
	defer w.rd.Unlock()
	w.yield.maybe()
	deadline := time.Now().Add(awaitFor)
	fresh := w.readErr == nil
	for !done() && w.readErr == nil && w.cur.Load() != nil {
		if w.answers.Buffered() == 0 {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			ready, quiet := waitAnswer(w.answerFd, w.outputs.fds(), left)
			if !ready {
				break
			}
			w.polled(quiet)
		}
		w.readErr = w.readFrame()
	}
	// Frames already taken from the pipe are read here: the reader goroutine waits for
	// the pipe, which will not show them.
	w.readBuffered()
	if err := w.readErr; fresh && err != nil && err != io.EOF {
		w.kill(&killInfo{reason: killProtocol, err: err}) // its pipe ends, for the reader goroutine
	}
	return true
}

// runnerOf returns the worker whose unit in flight holds t, or nil.
func (p *Pool) runnerOf(t backend.Task) *worker {
	l := p.ready.Load()
	if l == nil {
		return nil
	}
	for _, w := range *l {
		if u := w.cur.Load(); u != nil {
			for _, j := range u.jobs {
				if j.t == t {
					return w
				}
			}
		}
	}
	return nil
}

// setReadyLocked adds w to or removes it from the workers that Await looks through; p.mu
// is held. The list is replaced, never changed in place, so that Await reads it without
// a lock.
func (p *Pool) setReadyLocked(w *worker, ready bool) {
	var l []*worker
	if old := p.ready.Load(); old != nil {
		l = slices.Clone(*old)
	}
	if i := slices.Index(l, w); i >= 0 {
		l = slices.Delete(l, i, i+1)
	}
	if ready {
		l = append(l, w)
	}
	p.ready.Store(&l)
}

// answerFdOf returns the descriptor on which c's answers arrive, for Await, or -1 when
// c is not a pipe whose readiness can be waited for.
func answerFdOf(c Conn) int32 {
	if pc, ok := c.(*pipeConn); ok {
		return pc.fd
	}
	return -1
}
