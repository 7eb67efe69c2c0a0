package procpool

import (
	"fmt"
	"io"
	"time"

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

// life is a worker's whole life as the parent sees it: start, handshake, reading its
// answers, and death (death.go).
func (w *worker) life() {
	p := w.p
	if err := w.start(); err != nil {
		w.output.Wait() // a transport's forwarders, if it started any: its process is gone
		p.startFailed(w, fmt.Errorf("procpool: starting worker %s: %w", p.path, err), nil)
		return
	}
	p.cfg.logger.Debug("procpool: worker started", "pid", w.pid, "slot", w.slot, "restarts", w.restarts)
	r := ipc.NewReader(w.conn, p.cfg.maxFrame)
	w.decode = w.decodeOut
	if err := w.handshake(r); err != nil {
		w.kill(&killInfo{reason: killStart, err: err})
		exit := w.reap()
		p.startFailed(w, w.startError(err, exit), err)
		return
	}
	p.workerReady(w)
	err := w.readAnswers(r)
	if err != io.EOF {
		w.kill(&killInfo{reason: killProtocol, err: err})
	}
	p.workerGone(w)
	p.workerDied(w, w.reap())
}

// readAnswers reads the worker's answers until its pipe ends, and returns why it ended:
// io.EOF when the worker closed it (exiting), or what was wrong with a frame.
func (w *worker) readAnswers(r *ipc.Reader) error {
	for {
		kind, body, err := r.Next()
		if err != nil {
			return err
		}
		var id uint64
		var out []byte
		var failure *ipc.Error
		switch kind {
		case ipc.KindResult:
			id, out, err = ipc.DecodeResult(body)
		case ipc.KindError:
			var e ipc.Error
			e, err = ipc.DecodeError(body)
			id, failure = e.ID, &e
		default:
			err = fmt.Errorf("%w: unexpected %v frame from worker", ipc.ErrCorrupt, kind)
		}
		if err != nil {
			return err
		}
		if err := w.answered(id, out, failure); err != nil {
			return err
		}
	}
}

// answered resolves the task an answer is for. After the last answer of a unit the
// worker takes its next unit, or is counted idle, before the task's waiter wakes: a
// waiter that submits again at once then finds it free.
func (w *worker) answered(id uint64, out []byte, failure *ipc.Error) error {
	u := w.cur.Load()
	if u == nil || id < u.base || id-u.base >= uint64(len(u.jobs)) {
		return fmt.Errorf("%w: answer for task %d, which is not in flight", ipc.ErrCorrupt, id)
	}
	j := u.jobs[id-u.base]
	if j.done.Swap(true) {
		return fmt.Errorf("%w: second answer for task %d", ipc.ErrCorrupt, id)
	}
	w.done++
	if failure != nil {
		w.failed++
	}
	var next *unit
	last := u.left.Add(-1) == 0
	if last {
		w.outputs.sync() // what the tasks printed comes before their results
		w.count()
		next = w.p.unitDone(w, u)
		if next != nil {
			w.send(next)
		}
	}
	if failure != nil {
		j.t.Fail(rebuild(*failure))
		return nil
	}
	w.out, w.counted = out, last
	j.t.Finish(w.decode)
	return nil
}

// count adds the answers read since the last count to the pool's Stats: once a unit,
// before any of its tasks is resolved where a caller can see it.
func (w *worker) count() {
	p := w.p
	p.running.Add(-int64(w.done))
	p.completed.Add(w.done - w.failed)
	p.failed.Add(w.failed)
	w.tasks.Add(w.done)
	w.done, w.failed = 0, 0
}

// decodeOut decodes the result being finished; the reader goroutine's only. A result
// that does not decode is a failure, counted before its task resolves.
func (w *worker) decodeOut(ptr any) error {
	if err := w.p.cfg.codec.Decode(w.out, ptr); err != nil {
		if w.counted {
			w.p.completed.Add(^uint64(0))
			w.p.failed.Add(1)
		} else {
			w.failed++
		}
		return fmt.Errorf("procpool: decoding the result: %w", err)
	}
	return nil
}

// handshake reads the worker's hello and runs the initializer, within the start timeout.
func (w *worker) handshake(r *ipc.Reader) error {
	cfg := &w.p.cfg
	timer := time.AfterFunc(cfg.startTimeout, func() {
		w.kill(&killInfo{reason: killStart, err: fmt.Errorf("no hello and initializer within %v", cfg.startTimeout)})
	})
	defer timer.Stop()
	kind, body, err := r.Next()
	if err != nil {
		return err
	}
	if kind != ipc.KindHello {
		return fmt.Errorf("%w: first frame is %v, not hello", ipc.ErrCorrupt, kind)
	}
	h, err := ipc.DecodeHello(body)
	switch {
	case err != nil:
		return err
	case h.Version != ipc.Version:
		return fmt.Errorf("worker speaks protocol %d, the pool %d", h.Version, ipc.Version)
	case h.Codec != cfg.codec.Name():
		return fmt.Errorf("worker uses codec %q, the pool %q", h.Codec, cfg.codec.Name())
	}
	w.p.hello(h.Names)
	if cfg.initName == "" {
		return nil
	}
	return w.initialize(r)
}

// errInit marks an initializer's failure: it breaks the pool at once.
type errInit struct{ err error }

func (e *errInit) Error() string { return "initializer: " + e.err.Error() }
func (e *errInit) Unwrap() error { return e.err }

func (w *worker) initialize(r *ipc.Reader) error {
	cfg := &w.p.cfg
	in, err := cfg.codec.Append(nil, cfg.initInput)
	if err != nil {
		return &errInit{fmt.Errorf("encoding its argument: %w", err)}
	}
	id := w.nextID
	w.nextID++
	if err := w.write(func(b []byte) []byte {
		return ipc.AppendTask(b, ipc.Task{ID: id, Func: cfg.initName, Input: in})
	}); err != nil {
		return err
	}
	kind, body, err := r.Next()
	if err != nil {
		return err
	}
	switch kind {
	case ipc.KindResult:
		return nil
	case ipc.KindError:
		e, err := ipc.DecodeError(body)
		if err != nil {
			return err
		}
		return &errInit{rebuild(e)}
	}
	return fmt.Errorf("%w: %v frame during start-up", ipc.ErrCorrupt, kind)
}
