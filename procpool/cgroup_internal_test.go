package procpool

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// ctxTask is a backend.Task of which verdict reads only the ctx.
type ctxTask struct{ backend.Task }

func (ctxTask) Context() context.Context { return context.Background() }

// TestOOMKillVerdict: a worker that the kernel killed for WithCgroup's memory.max fails
// its task with a MemoryLimitError, and its death does not count against its slot, as
// with the sampled hard limit; a worker that died otherwise is a WorkerExitError that
// counts. (The kernel's side, the memory controller, needs a host that delegates it.)
func TestOOMKillVerdict(t *testing.T) {
	p := &Pool{cfg: defaultConfig()}
	p.cfg.cgroup = &CgroupLimits{MemoryMax: 128 << 20}
	w := &worker{p: p, pid: 42}
	oom := exitInfo{code: -1, signal: syscall.SIGKILL, oomKills: 1, memPeak: 127 << 20}

	err, rerun := p.verdict(w, nil, oom, &job{t: ctxTask{}, started: true}, 1)
	var me *executor.MemoryLimitError
	if rerun || !errors.As(err, &me) {
		t.Fatalf("verdict after an OOM kill = %v, rerun %v; want a *MemoryLimitError", err, rerun)
	}
	if want := (executor.MemoryLimitError{PID: 42, Used: 128 << 20, Limit: 128 << 20}); *me != want {
		t.Errorf("MemoryLimitError = %+v; want %+v", *me, want)
	}
	if w.counts(&unit{}, nil, oom) {
		t.Error("an OOM kill with a task in flight counts against the slot; want it to count as the pool's kill")
	}

	died := oom
	died.oomKills = 0
	err, _ = p.verdict(w, nil, died, &job{t: ctxTask{}, started: true}, 1)
	var we *executor.WorkerExitError
	if !errors.As(err, &we) || errors.Is(err, executor.ErrMemoryLimit) {
		t.Errorf("verdict after a SIGKILL without an OOM kill = %v; want a *WorkerExitError", err)
	}
	if !w.counts(&unit{}, nil, died) {
		t.Error("a death on the first task does not count; want it to")
	}
	if err := w.startError(errors.New("EOF"), oom); !errors.As(err, &we) || !strings.Contains(err.Error(), "memory.max of 128 MiB") {
		t.Errorf("startError after an OOM kill = %v; want one naming memory.max", err)
	}
}
