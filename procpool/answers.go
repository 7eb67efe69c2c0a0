package procpool

// The answers of one worker: its reader goroutine (or a waiter, see await.go) reads
// them, and each resolves its task.

import (
	"fmt"

	"github.com/dualpool/dualpool/ipc"
)

// readAnswers reads the worker's answers until its pipe ends, and returns why it ended:
// io.EOF when the worker closed it (exiting), or what was wrong with a frame. On a pipe
// whose readiness it can wait for, it waits without holding w.rd, so that a waiter may
// read its own task's answer instead (Await); it then reads what that waiter left.
func (w *worker) readAnswers() error {
	if w.answerFd < 0 {
		for {
			if err := w.readFrame(); err != nil {
				return err
			}
		}
	}
	var y yielder
	for {
		y.maybe()
		read := w.framesRead.Load()
		_, quiet := waitAnswer(w.answerFd, w.outputs.fds(), -1)
		w.rd.Lock()
		err := w.readReady(read, quiet)
		w.rd.Unlock()
		if err != nil {
			return err
		}
	}
}

// readReady reads the frames that the pipe was found readable for; w.rd is held. When a
// waiter (Await) has read since the pipe was polled (read is framesRead then), what it
// left will show the pipe readable again at once, and nothing is read here: so the pipe
// is never read without bytes in it, and never polled twice for one answer. Quiet is
// what the poll found of the outputs (waitAnswer). It returns why the answers ended, if
// they have, here or in a waiter's Await.
func (w *worker) readReady(read uint64, quiet bool) error {
	if w.readErr == nil && w.framesRead.Load() == read {
		w.polled(quiet)
		w.readErr = w.readFrame()
	}
	w.readBuffered()
	return w.readErr
}

// polled notes what a poll that found the answer pipe readable found of the outputs;
// w.rd is held. When they were quiet, the next frame to be read, which began in the pipe
// when they were looked at, needs no sync of the outputs.
func (w *worker) polled(quiet bool) {
	if quiet && w.answers.Buffered() == 0 {
		w.quietTo = w.framesRead.Load() + 1
	}
}

// readBuffered reads the frames whose bytes the reader holds already, which no poll of
// the pipe would announce; w.rd is held.
func (w *worker) readBuffered() {
	for w.readErr == nil && w.answers.Buffered() > 0 {
		w.readErr = w.readFrame()
	}
}

// readFrame reads one frame of the worker and acts on it; w.rd is held.
func (w *worker) readFrame() error {
	kind, body, err := w.answers.Next()
	if err != nil {
		return err
	}
	w.framesRead.Add(1)
	var a answer
	switch kind {
	case ipc.KindResult:
		a.id, a.out, err = ipc.DecodeResult(body)
	case ipc.KindError, ipc.KindFailure:
		var e ipc.Error
		if kind == ipc.KindError {
			e, err = ipc.DecodeError(body)
		} else {
			e, err = ipc.DecodeFailure(body)
		}
		a.id, a.failure = e.ID, &e
	case ipc.KindChunkResult:
		a.id, a.failed, a.out, err = ipc.DecodeChunkResult(body)
		a.chunk = true
	case ipc.KindProfile:
		return w.profiled(body)
	case ipc.KindRecycle:
		if err := ipc.DecodeRecycle(body); err != nil {
			return err
		}
		w.recycle.Store(true) // after the unit: see retiresLocked
		return nil
	default:
		err = fmt.Errorf("%w: unexpected %v frame from worker", ipc.ErrCorrupt, kind)
	}
	if err != nil {
		return err
	}
	return w.answered(&a)
}

// answer is one answer frame of a worker.
type answer struct {
	id      uint64
	out     []byte      // the encoded result, or a chunk's results
	failure *ipc.Error  // the task's failure, or the whole chunk's
	chunk   bool        // a ChunkResult
	failed  []ipc.Error // a chunk's failed calls, by index
}

// answered resolves the task an answer is for. After the last answer of a unit the
// worker takes its next unit, or is counted idle, before the task's waiter wakes: a
// waiter that submits again at once then finds it free.
func (w *worker) answered(a *answer) error {
	u, j, err := w.answerFor(a)
	if err != nil {
		return err
	}
	w.timed(j)
	n := j.size()
	// A call of a chunk ended its goroutine with runtime.Goexit: the worker could not
	// tell what the others gave, so each runs again alone, as after a crash.
	rerun := a.failure != nil && a.failure.Kind == ipc.ErrGoexit && j.chunk != nil
	switch {
	case rerun:
		w.p.running.Add(-int64(n))
	case a.failure != nil:
		w.done += uint64(n)
		w.failed += uint64(n)
	default:
		w.done += uint64(n)
		w.failed += uint64(len(a.failed))
	}
	var next *unit
	last := u.left.Add(-1) == 0
	if last {
		// What the tasks printed comes before their results.
		w.outputs.sync(w.framesRead.Load() <= w.quietTo)
		w.count()
		next = w.p.unitDone(w, u)
		if next != nil {
			w.send(next)
		}
	}
	if rerun {
		w.p.rerunCalls(j)
		return nil
	}
	w.p.resolveIn(w, func() {
		if a.failure != nil {
			j.t.Fail(rebuild(*a.failure, w.p.cfg.codec))
			return
		}
		for _, e := range a.failed {
			j.chunk.FailItem(int(e.ID), rebuild(e, w.p.cfg.codec))
		}
		w.out, w.counted, w.decoded = a.out, last, uint64(n-len(a.failed))
		j.t.Finish(w.decode)
	})
	return nil
}

// resolveIn resolves tasks from one of the pool's goroutines (w's reader, if w is not
// nil): their done callbacks run here, and one of them may call Shutdown, which must
// then not wait for this goroutine.
func (p *Pool) resolveIn(w *worker, resolve func()) {
	p.resolving.Add(1)
	if w != nil {
		w.resolving.Store(true)
	}
	defer func() {
		if w != nil {
			w.resolving.Store(false)
		}
		p.resolving.Add(-1)
	}()
	resolve()
}

// answerFor finds the job an answer is for, checks that the answer fits it, and marks it
// answered: an answer for nothing in flight, or a second one, breaks the protocol.
func (w *worker) answerFor(a *answer) (*unit, *job, error) {
	u := w.cur.Load()
	id := a.id
	if u == nil || id < u.base || id-u.base >= uint64(len(u.jobs)) {
		return nil, nil, fmt.Errorf("%w: answer for task %d, which is not in flight", ipc.ErrCorrupt, id)
	}
	j := u.jobs[id-u.base]
	switch {
	case a.chunk && j.chunk == nil:
		return nil, nil, fmt.Errorf("%w: chunk result for task %d, which is not a chunk", ipc.ErrCorrupt, id)
	case !a.chunk && a.failure == nil && j.chunk != nil:
		return nil, nil, fmt.Errorf("%w: result for chunk %d, which needs a chunk result", ipc.ErrCorrupt, id)
	}
	for _, e := range a.failed {
		if e.ID >= uint64(j.size()) {
			return nil, nil, fmt.Errorf("%w: failure of call %d in a chunk of %d", ipc.ErrCorrupt, e.ID, j.size())
		}
	}
	if j.done.Swap(true) {
		return nil, nil, fmt.Errorf("%w: second answer for task %d", ipc.ErrCorrupt, id)
	}
	return u, j, nil
}

// count adds the answers read since the last count to the pool's Stats: once a unit,
// before any of its tasks is resolved where a caller can see it.
func (w *worker) count() {
	p := w.p
	p.running.Add(-int64(w.done))
	p.completed.Add(w.done - w.failed)
	p.failed.Add(w.failed)
	if w.tasks.Add(w.done) == w.done && w.done > 0 {
		p.productive(w)
	}
	w.done, w.failed = 0, 0
}

// decodeOut decodes the result being finished, under w.rd. A result
// that does not decode is a failure, counted before its task resolves.
func (w *worker) decodeOut(ptr any) error {
	if err := w.p.cfg.codec.Decode(w.out, ptr); err != nil {
		if w.counted {
			w.p.completed.Add(-w.decoded)
			w.p.failed.Add(w.decoded)
		} else {
			w.failed += w.decoded
		}
		return fmt.Errorf("procpool: decoding the result: %w", err)
	}
	return nil
}
