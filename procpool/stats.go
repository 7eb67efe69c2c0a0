package procpool

import (
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/supervise"
)

// Stats implements [executor.Executor]. Workers and PerWorker count the workers that are
// ready to serve (not those starting or exiting). PerWorker has a line per worker, with its
// private memory and CPU time read from the system (gopsutil): a call costs a few
// hundred microseconds per worker.
func (p *Pool) Stats() executor.Stats {
	p.mu.Lock()
	s := executor.Stats{Submitted: p.submitted.Load(), Queued: p.queue.Weight()}
	var live []*worker
	for w := range p.workers {
		if w.ready && !w.retiring {
			live = append(live, w)
		}
		if w.ready && w.cur.Load() != nil {
			s.Busy++
		}
	}
	for _, n := range p.restarts {
		s.Restarts += uint64(n)
	}
	p.mu.Unlock()
	p.addTimings(&s)
	s.Completed = p.completed.Load()
	s.Failed = p.failed.Load()
	s.Cancelled = p.cancelled.Load()
	s.Running = int(p.running.Load())
	s.Workers = len(live)
	for _, w := range live {
		ws := executor.WorkerStats{PID: w.pid, Started: w.started, TasksDone: w.tasks.Load(), Restarts: w.restarts}
		ws.Memory, _ = supervise.PrivateMemory(w.pid)
		if proc, err := process.NewProcess(int32(w.pid)); err == nil {
			if t, err := proc.Times(); err == nil {
				ws.CPUTime = time.Duration((t.User + t.System) * float64(time.Second))
			}
		}
		s.PerWorker = append(s.PerWorker, ws)
	}
	return s
}
