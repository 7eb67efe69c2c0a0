package procpool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// exitInfo is how a worker process ended.
type exitInfo struct {
	code   int
	signal os.Signal
	stderr []byte
}

// reap waits for the process to end and its output to drain, and closes its pipes. A
// worker whose IPC pipe ended but that does not exit within a second is killed.
func (w *worker) reap() exitInfo {
	t := time.AfterFunc(time.Second, func() {
		w.kill(&killInfo{reason: killProtocol, err: errors.New("closed its IPC pipe but did not exit")})
	})
	var state *os.ProcessState
	if w.conn != nil {
		state = w.conn.Wait()
	} else {
		w.cmd.Wait()
		state = w.cmd.ProcessState
	}
	t.Stop()
	drained := make(chan struct{})
	go func() { w.output.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(time.Second): // a process the task started holds the output open
		closeAll(w.outR, w.errR)
		closeReaders(w.outRC, w.errRC)
		<-drained
	}
	if w.conn != nil {
		w.conn.Close()
	} else {
		closeAll(w.toW, w.fromW)
	}
	code, sig := exitStatus(state)
	return exitInfo{code: code, signal: sig, stderr: w.stderr.bytes()}
}

func (w *worker) exitError(x exitInfo, err error) *executor.WorkerExitError {
	return &executor.WorkerExitError{PID: w.pid, ExitCode: x.code, Signal: x.signal, Stderr: x.stderr, Err: err}
}

// startError explains a worker that failed to start, naming the likely fix.
func (w *worker) startError(err error, x exitInfo) error {
	const fix = "does the binary call procpool.ServeIfWorker() first thing in main (and in TestMain)?"
	var ie *errInit
	k := w.killed.Load()
	switch {
	case errors.As(err, &ie):
		return fmt.Errorf("procpool: worker %d: %w", w.pid, ie)
	case k != nil && k.reason == killStart && k.err != err:
		return fmt.Errorf("procpool: worker %d (%s) sent no hello within %v: %s: %w",
			w.pid, w.p.path, w.p.cfg.startTimeout, fix, w.exitError(x, k.err))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("procpool: worker %d (%s) ended before its hello: %s: %w",
			w.pid, w.p.path, fix, w.exitError(x, nil))
	}
	return fmt.Errorf("procpool: worker %d (%s) failed its handshake: %w", w.pid, w.p.path, w.exitError(x, err))
}

func closeReaders(rs ...io.ReadCloser) {
	for _, r := range rs {
		if r != nil {
			r.Close()
		}
	}
}

func shutdownFrame(b []byte) []byte { return ipc.AppendShutdown(b) }

// hello records what the workers can run.
func (p *Pool) hello(names []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.names == nil {
		p.names = make(map[string]bool, len(names))
		for _, n := range names {
			p.names[n] = true
		}
	}
}

// workerReady puts a worker that finished its start-up to work.
func (p *Pool) workerReady(w *worker) {
	p.mu.Lock()
	w.ready = true
	p.streak = 0
	p.signalFirstLocked(nil)
	next, exit := p.nextLocked(w)
	p.mu.Unlock()
	p.cfg.logger.Debug("procpool: worker ready", "pid", w.pid, "slot", w.slot)
	if exit {
		w.write(shutdownFrame)
	}
	if next != nil {
		w.send(next)
	}
}

func (p *Pool) signalFirstLocked(err error) {
	if p.first != nil {
		p.first <- err
		p.first = nil
	}
}

// startFailed handles a worker that died or was killed before it was ready: the pool
// backs off and tries again, or breaks when start-ups fail too often (or the initializer
// failed, or New is still waiting for its first worker).
func (p *Pool) startFailed(w *worker, err, cause error) {
	p.cfg.logger.Error("procpool: worker failed to start", "slot", w.slot, "err", err)
	p.mu.Lock()
	delete(p.workers, w)
	var ie *errInit
	now := time.Now()
	p.failures = append(p.failures, now)
	for len(p.failures) > 0 && now.Sub(p.failures[0]) > p.cfg.period {
		p.failures = p.failures[1:]
	}
	p.streak++
	var dropped []*unit
	switch {
	case p.first != nil:
		dropped = p.breakLocked(err)
		p.signalFirstLocked(p.broken)
	case errors.As(cause, &ie) || len(p.failures) > p.cfg.intensity:
		dropped = p.breakLocked(err)
	case p.broken == nil && (!p.closed || p.queue.len() > 0):
		p.scheduleLocked(w.slot, min(10*time.Millisecond<<min(p.streak-1, 10), time.Second))
	}
	broken := p.broken
	p.checkDrainedLocked()
	p.mu.Unlock()
	p.fail(dropped, broken)
}

// scheduleLocked starts a worker for slot after delay.
func (p *Pool) scheduleLocked(slot int, delay time.Duration) {
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if _, ok := p.scheduled[t]; !ok {
			return
		}
		delete(p.scheduled, t)
		if p.broken == nil && (!p.closed || p.queue.len() > 0) {
			p.restarts[slot]++
			p.startLocked(slot)
		}
		p.checkDrainedLocked()
	})
	p.scheduled[t] = slot
}

// breakLocked marks the pool broken by err and returns the queued units to fail.
func (p *Pool) breakLocked(err error) []*unit {
	if p.broken == nil {
		p.broken = fmt.Errorf("%w: %w", executor.ErrPoolBroken, err)
	}
	for t := range p.scheduled {
		t.Stop()
		delete(p.scheduled, t)
	}
	for _, w := range p.idle {
		w.retiring = true
		p.wg.Add(1)
		go func() { // not under p.mu
			defer p.wg.Done()
			w.write(shutdownFrame)
		}()
	}
	p.idle = nil
	return p.queue.takeAll()
}

// retireLocked takes w out of service after its unit (its caller tells it to exit) and
// starts its replacement.
func (p *Pool) retireLocked(w *worker) {
	w.retiring = true
	if !p.closed && p.broken == nil {
		p.restarts[w.slot]++
		p.startLocked(w.slot)
	}
}

// checkDrainedLocked closes drained once the pool is shut down and no worker is left.
func (p *Pool) checkDrainedLocked() {
	if !p.closed || len(p.workers) > 0 || len(p.scheduled) > 0 || p.isDrained {
		return
	}
	close(p.drained)
	p.isDrained = true
}

// fail fails every task of units with err.
func (p *Pool) fail(units []*unit, err error) {
	for _, u := range units {
		for _, j := range u.jobs {
			p.failed.Add(1)
			j.t.Fail(err)
		}
	}
}
