package procpool

import (
	"fmt"
	"io"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

// startLocked starts a worker for slot in a new goroutine that then lives its life.
func (p *Pool) startLocked(slot int) {
	w := &worker{p: p, slot: slot, restarts: p.restarts[slot], nextID: 1, gen: p.size.gen}
	p.size.starting++
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
	w.answers, w.answerFd = r, answerFdOf(w.conn)
	p.workerReady(w)
	err := w.readAnswers()
	if err != io.EOF {
		w.kill(&killInfo{reason: killProtocol, err: err})
	}
	w.endProfiles()
	p.workerGone(w)
	p.workerDied(w, w.reap())
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
	case cfg.path == "" && h.Registry != "" && mainRegistry != "" && h.Registry != mainRegistry:
		return fmt.Errorf("%w: its functions hash to %s, this program's to %s (a binary rebuilt or replaced under "+
			"the running program?)", errOtherCode, h.Registry, mainRegistry)
	}
	w.tel.features = h.Features
	w.p.hello(h.Names, h.Features)
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
	case ipc.KindError, ipc.KindFailure:
		decode := ipc.DecodeError
		if kind == ipc.KindFailure {
			decode = ipc.DecodeFailure
		}
		e, err := decode(body)
		if err != nil {
			return err
		}
		return &errInit{rebuild(e, cfg.codec)}
	}
	return fmt.Errorf("%w: %v frame during start-up", ipc.ErrCorrupt, kind)
}
