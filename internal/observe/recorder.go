package observe

import (
	"context"
	"fmt"
	"sync"

	"github.com/dualpool/dualpool/executor"
)

// Recorder is an [executor.TaskObserver] that keeps what it is told, for tests. Its
// TaskQueued returns a ctx carrying RecorderKey with the task's function name.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	ended  chan struct{} // a token per TaskEnded
}

// Event is one call to a Recorder: "queued", "started" or "ended".
type Event struct {
	What string
	executor.TaskEvent
	Marked bool // the ctx carried the mark TaskQueued put in it
}

type recorderKey struct{}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{ended: make(chan struct{}, 1<<16)} }

func (r *Recorder) add(ctx context.Context, what string, ev executor.TaskEvent) {
	r.mu.Lock()
	r.events = append(r.events, Event{What: what, TaskEvent: ev, Marked: ctx.Value(recorderKey{}) == ev.Func})
	r.mu.Unlock()
}

func (r *Recorder) TaskQueued(ctx context.Context, ev executor.TaskEvent) context.Context {
	ctx = context.WithValue(ctx, recorderKey{}, ev.Func)
	r.add(ctx, "queued", ev)
	return ctx
}

func (r *Recorder) TaskStarted(ctx context.Context, ev executor.TaskEvent) {
	r.add(ctx, "started", ev)
}

func (r *Recorder) TaskEnded(ctx context.Context, ev executor.TaskEvent) {
	r.add(ctx, "ended", ev)
	r.ended <- struct{}{}
}

// WaitEnded waits for n calls of TaskEnded (counted from the start).
func (r *Recorder) WaitEnded(ctx context.Context, n int) error {
	for range n {
		select {
		case <-r.ended:
		case <-ctx.Done():
			return fmt.Errorf("waiting for TaskEnded: %w", ctx.Err())
		}
	}
	return nil
}

// Events returns what it was told, in order.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}
