// Package observe calls an [executor.TaskObserver] around a task by wrapping it: a backend
// wraps each task it takes when it was given an observer, and pays nothing otherwise.
package observe

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/timing"
)

// Wrap calls o.TaskQueued for t and returns t wrapped, so that o hears of its start and
// its end. The wrapper's Context is the ctx o returned. A Chunk stays a Chunk.
func Wrap(t backend.Task, o executor.TaskObserver) backend.Task {
	if c, ok := t.(backend.Chunk); ok {
		return WrapChunk(c, o)
	}
	return newTask(t, o, 1)
}

// WrapChunk is [Wrap] for a Chunk: one event for all its calls.
func WrapChunk(c backend.Chunk, o executor.TaskObserver) backend.Chunk {
	return &chunk{task: newTask(c, o, c.Len()), c: c}
}

func newTask(t backend.Task, o executor.TaskObserver, calls int) *task {
	w := &task{Task: t, o: o, queued: timing.Now()}
	w.ev = executor.TaskEvent{Func: t.Func(), Calls: calls}
	w.ctx = o.TaskQueued(t.Context(), w.ev)
	if w.ctx == nil {
		w.ctx = t.Context()
	}
	return w
}

// task is a Task whose start and end o hears of.
type task struct {
	backend.Task
	o       executor.TaskObserver
	ctx     context.Context
	ev      executor.TaskEvent
	queued  int64
	started atomic.Int64
	ended   atomic.Bool
}

func (t *task) Context() context.Context { return t.ctx }

func (t *task) Start() bool {
	if !t.Task.Start() { // cancelled while queued, and resolved so
		err := t.Task.Context().Err()
		if err == nil {
			err = executor.ErrCancelled
		}
		t.end(err)
		return false
	}
	now := timing.Now()
	t.started.Store(now)
	ev := t.ev
	ev.QueueWait = time.Duration(now - t.queued)
	t.o.TaskStarted(t.ctx, ev)
	return true
}

// end tells o that t ended with err, once.
func (t *task) end(err error) {
	if !t.ended.CompareAndSwap(false, true) {
		return
	}
	now := timing.Now()
	ev := t.ev
	ev.Err, ev.Kill = err, KillReason(err)
	if s := t.started.Load(); s != 0 {
		ev.QueueWait, ev.Run = time.Duration(s-t.queued), time.Duration(now-s)
	} else {
		ev.QueueWait = time.Duration(now - t.queued)
	}
	t.o.TaskEnded(t.ctx, ev)
}

func (t *task) Run(count func(error)) {
	t.Task.Run(func(err error) {
		t.end(err)
		if count != nil {
			count(err)
		}
	})
}

// Finish, Fail and Run tell o before the task resolves, so that whoever waits for the
// task finds o told; Discard tells it after, since only then is it known.
func (t *task) Finish(decode func(out any) error) {
	var derr error
	t.Task.Finish(func(out any) error {
		derr = decode(out)
		t.end(derr)
		return derr
	})
	t.end(derr)
}

func (t *task) Fail(err error) {
	t.end(err)
	t.Task.Fail(err)
}

func (t *task) Discard(cause error) bool {
	if !t.Task.Discard(cause) {
		return false
	}
	t.end(cause)
	return true
}

// chunk is a Chunk whose start and end o hears of, as one task of Len calls.
type chunk struct {
	*task
	c backend.Chunk
}

func (c *chunk) Len() int                  { return c.c.Len() }
func (c *chunk) FailItem(i int, err error) { c.c.FailItem(i, err) }

// Items returns the calls, each of which tells o of the chunk's end when the last of
// them is resolved, with the first error among them.
func (c *chunk) Items() []backend.Task {
	items := c.c.Items()
	g := &group{c: c}
	g.left.Store(int64(len(items)))
	out := make([]backend.Task, len(items))
	for i, t := range items {
		out[i] = &item{Task: t, g: g}
	}
	return out
}

type group struct {
	c     *chunk
	left  atomic.Int64
	first atomic.Pointer[error]
}

func (g *group) done(err error) {
	if err != nil {
		g.first.CompareAndSwap(nil, &err)
	}
	if g.left.Add(-1) == 0 {
		var first error
		if p := g.first.Load(); p != nil {
			first = *p
		}
		g.c.end(first)
	}
}

// item is one call of an observed chunk, run on its own.
type item struct {
	backend.Task
	g    *group
	once atomic.Bool
}

func (t *item) resolved(err error) {
	if t.once.CompareAndSwap(false, true) {
		t.g.done(err)
	}
}

func (t *item) Context() context.Context { return t.g.c.ctx }

func (t *item) Run(count func(error)) {
	t.Task.Run(func(err error) {
		t.resolved(err)
		if count != nil {
			count(err)
		}
	})
}

func (t *item) Finish(decode func(out any) error) {
	var derr error
	t.Task.Finish(func(out any) error { derr = decode(out); t.resolved(derr); return derr })
	t.resolved(derr)
}

func (t *item) Fail(err error) { t.resolved(err); t.Task.Fail(err) }

func (t *item) Discard(cause error) bool {
	if !t.Task.Discard(cause) {
		return false
	}
	t.resolved(cause)
	return true
}

// KillReason says why a pool killed the worker of a task that failed with err, or "".
func KillReason(err error) string {
	var k *executor.KilledError
	var m *executor.MemoryLimitError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &m):
		return "over the hard memory limit"
	case errors.As(err, &k) && k.Grace > 0:
		return "outlived its ctx"
	case errors.As(err, &k):
		return "shutdown's ctx ended"
	}
	return ""
}

// Refused tells the observer of each wrapped task of tasks that the pool did not take
// it, when err is not nil.
func Refused(tasks []backend.Task, err error) {
	if err == nil {
		return
	}
	for _, t := range tasks {
		switch t := t.(type) {
		case *task:
			t.end(err)
		case *chunk:
			t.end(err)
		}
	}
}
