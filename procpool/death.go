package procpool

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/supervise"
)

// exitInfo is how a worker process ended.
type exitInfo struct {
	code   int
	signal os.Signal
	stderr []byte
	// With WithCgroup's memory controller: the processes of its cgroup that the kernel
	// killed for going over memory.max, and the most memory the cgroup used.
	oomKills, memPeak uint64
}

// reap waits for the process to end and its output to drain, and closes its connection.
// A worker whose IPC pipe ended but that does not exit within a second is killed; what
// its tasks started is killed with its process group, and with its whole cgroup
// (WithCgroup), which is then removed; output still open a second after the exit (a
// process the task started holds it) is closed.
func (w *worker) reap() exitInfo {
	t := time.AfterFunc(time.Second, func() {
		w.kill(&killInfo{reason: killProtocol, err: errors.New("closed its IPC pipe but did not exit")})
	})
	state := w.conn.Wait()
	supervise.KillGroup(w.pid) // what its tasks started, which may hold its output open
	w.killCgroup()             // and what left the group
	t.Stop()
	if t := w.exitTimer.Load(); t != nil {
		t.Stop()
	}
	drained := make(chan struct{})
	go func() { w.output.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(time.Second):
		closeReaders(w.outRC, w.errRC)
		<-drained
	}
	w.conn.Close()
	x := exitInfo{stderr: w.stderr.bytes()}
	x.code, x.signal = supervise.ExitStatus(state)
	x.oomKills, x.memPeak = w.oomKilled()
	w.removeCgroup()
	return x
}

func closeReaders(rs ...io.ReadCloser) {
	for _, r := range rs {
		if r != nil {
			r.Close()
		}
	}
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
	case x.oomKills > 0:
		return fmt.Errorf("procpool: worker %d (%s) went over its cgroup's memory.max of %d MiB before its hello: %w",
			w.pid, w.p.path, w.p.cfg.cgroup.MemoryMax>>20, w.exitError(x, nil))
	case k != nil && k.reason == killStart && k.err != err:
		return fmt.Errorf("procpool: worker %d (%s) sent no hello within %v: %s: %w",
			w.pid, w.p.path, w.p.cfg.startTimeout, fix, w.exitError(x, k.err))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("procpool: worker %d (%s) ended before its hello: %s: %w",
			w.pid, w.p.path, fix, w.exitError(x, nil))
	}
	return fmt.Errorf("procpool: worker %d (%s) failed its handshake: %w", w.pid, w.p.path, w.exitError(x, err))
}

// workerGone takes a worker whose pipe ended out of service at once, before its process
// is reaped, so that no task is given to a dead worker meanwhile.
func (p *Pool) workerGone(w *worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.gone = true
	p.setReadyLocked(w, false)
	if i := slices.Index(p.idle, w); i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
}

// workerDied handles the death of a worker that had started: the task it was running
// fails, tasks it had not reached run elsewhere, and a replacement starts.
func (p *Pool) workerDied(w *worker, x exitInfo) {
	k := w.killed.Load()
	attrs := []any{"pid", w.pid, "code", x.code}
	if x.signal != nil {
		attrs = append(attrs, "signal", supervise.SignalName(x.signal))
	}
	if w.retiring {
		attrs = append(attrs, "retiring", true)
	}
	p.cfg.logger.Info("procpool: worker exited", attrs...)
	w.sendMu.Lock() // a send in progress finishes first; a later one finds cur nil
	p.mu.Lock()
	delete(p.workers, w)
	if i := slices.Index(p.idle, w); i >= 0 {
		p.idle = slices.Delete(p.idle, i, i+1)
	}
	u := w.cur.Swap(nil)
	w.sendMu.Unlock()
	var dropped []*unit
	delay := time.Duration(0)
	if w.counts(u, k, x) {
		var broke bool
		if delay, broke = p.countLocked(w.slot); broke {
			dropped = p.breakLocked(fmt.Errorf("procpool: worker %d (%s) keeps dying: %w", w.pid, p.path, w.exitError(x, nil)))
		}
	}
	fails, again := p.judgeLocked(w, k, x, u)
	restart := !w.retiring && p.broken == nil && (!p.closed || p.queue.Len() > 0 || len(again) > 0)
	if restart && !p.keepsLocked(w) {
		restart = false
		p.freeLocked(w.slot)
	}
	p.changedLocked()
	if restart {
		if delay > 0 {
			p.scheduleLocked(w.slot, delay)
		} else {
			p.restarts[w.slot]++
			p.startLocked(w.slot)
		}
	}
	for i := len(again) - 1; i >= 0; i-- {
		p.queue.PushFront(unitOf(again[i]))
	}
	sends := p.dispatchIdleLocked()
	p.checkDrainedLocked()
	p.mu.Unlock()
	p.resolveIn(nil, func() {
		for _, f := range fails {
			p.failed.Add(uint64(f.j.size()))
			p.timed(nil, f.j)
			f.j.t.Fail(f.err)
		}
		p.fail(dropped, p.brokenErr())
	})
	for _, s := range sends {
		s.w.send(s.u)
	}
}

func (p *Pool) brokenErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.broken
}

type failure struct {
	j   *job
	err error
}

// judgeLocked decides the fate of the unanswered jobs of u, the unit a dead worker had:
// the ones that fail, and the ones to run again.
func (p *Pool) judgeLocked(w *worker, k *killInfo, x exitInfo, u *unit) (fails []failure, again []*job) {
	if u == nil {
		return nil, nil
	}
	u.finish()
	var left []*job
	calls := 0
	for _, j := range u.jobs {
		if !j.done.Load() {
			left = append(left, j)
			calls += j.size()
		}
	}
	p.running.Add(-int64(calls))
	for _, j := range left {
		err, rerun := p.verdict(w, k, x, j, calls)
		if rerun && p.broken == nil && j.chunk != nil && j.started {
			again, fails = p.unchunkLocked(j, again, fails)
			continue
		}
		if rerun && p.broken == nil {
			again = append(again, j)
			continue
		}
		if err == nil {
			err = p.broken
		}
		fails = append(fails, failure{j, err})
	}
	return fails, again
}

// rerunCalls queues the calls of chunk job j to run again alone, first.
func (p *Pool) rerunCalls(j *job) {
	p.mu.Lock()
	again, fails := p.unchunkLocked(j, nil, nil)
	for i := len(again) - 1; i >= 0; i-- {
		p.queue.PushFront(unitOf(again[i]))
	}
	sends := p.dispatchIdleLocked()
	p.mu.Unlock()
	for _, f := range fails {
		p.failed.Add(1)
		f.j.t.Fail(f.err)
	}
	for _, s := range sends {
		s.w.send(s.u)
	}
}

// unchunkLocked splits a chunk that was sent to a worker that died into its calls, each
// to run again alone: the parent cannot tell which of them ran.
func (p *Pool) unchunkLocked(j *job, again []*job, fails []failure) ([]*job, []failure) {
	for _, t := range j.chunk.Items() {
		c := &job{t: t, started: true, retried: true}
		in, err := p.encodeInput(nil, t)
		if err != nil {
			fails = append(fails, failure{c, err})
			continue
		}
		c.input = in
		again = append(again, c)
	}
	return again, fails
}

// verdict decides the fate of job j, left unanswered by a dead worker with n such jobs:
// the error it fails with, or rerun. A lone task was surely the one running; in a batch
// the parent cannot tell which ran, so each is run again alone, once.
func (p *Pool) verdict(w *worker, k *killInfo, x exitInfo, j *job, n int) (err error, rerun bool) {
	ctx := j.t.Context()
	switch {
	case !j.started: // never sent: it did not run
		return nil, true
	case k != nil && k.reason == killCancel:
		if ctx.Err() == nil {
			return nil, true // not what the kill was for
		}
		return &executor.KilledError{PID: w.pid, Grace: p.cfg.killGrace, Cause: ctx.Err()}, false
	case k != nil && k.reason == killShutdown:
		return &executor.KilledError{PID: w.pid, Cause: k.cause}, false
	case n > 1 && !j.retried: // a chunk is split into its calls
		j.retried = true
		j.done.Store(false)
		return nil, true
	case k != nil && k.reason == killMemory:
		return &executor.MemoryLimitError{PID: w.pid, Used: k.used, Limit: p.cfg.memHard}, false
	case k == nil && x.oomKills > 0: // the kernel killed for memory.max (WithCgroup)
		return &executor.MemoryLimitError{PID: w.pid, Used: max(x.memPeak, p.cfg.cgroup.MemoryMax), Limit: p.cfg.cgroup.MemoryMax}, false
	case k != nil:
		return w.exitError(x, k.err), false
	}
	return w.exitError(x, nil), false
}
