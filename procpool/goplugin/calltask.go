package goplugin

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// callFunc is the function name of a call's task: the instances announce it, and no
// worker process ever runs it (the call runs in the host, on its instance's T).
const callFunc = "dualpool/goplugin.call"

// callTask is the task that stands for one try of a call in its Supervisor's pool: its
// argument is the call's id, and its result is empty (what fn returned stays in the
// host, in the call). It resolves once, closing done.
type callTask struct {
	ctx   context.Context
	id    uint64
	state atomic.Int32 // taskPending, taskRunning, taskDone
	err   error        // set before done is closed
	done  chan struct{}
}

const (
	taskPending = iota
	taskRunning
	taskDone
)

var _ backend.Task = (*callTask)(nil)

func (t *callTask) Context() context.Context { return t.ctx }
func (t *callTask) Func() string             { return callFunc }
func (t *callTask) Input() any               { return &t.id }
func (t *callTask) Start() bool              { return t.state.CompareAndSwap(taskPending, taskRunning) }

// Run is never called by a process pool; were it, the call could not run here.
func (t *callTask) Run(count func(error)) {
	err := errors.New("goplugin: a supervised call runs only on an instance of its plugin")
	if count != nil {
		count(err)
	}
	t.resolve(err)
}

func (t *callTask) Finish(func(any) error) { t.resolve(nil) }
func (t *callTask) Fail(err error)         { t.resolve(err) }

func (t *callTask) Discard(cause error) bool {
	if !t.state.CompareAndSwap(taskPending, taskDone) {
		return false
	}
	if cause == nil {
		cause = context.Canceled
	}
	t.err = fmt.Errorf("goplugin: call not started: %w: %w", executor.ErrCancelled, cause)
	close(t.done)
	return true
}

func (t *callTask) resolve(err error) {
	for {
		s := t.state.Load()
		if s == taskDone {
			return
		}
		if t.state.CompareAndSwap(s, taskDone) {
			t.err = err
			close(t.done)
			return
		}
	}
}
