package executor

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
)

// Future is the eventual result of a submitted task. Its methods are safe for concurrent
// use. Futures are created by [Submit] (and by backends' own submit helpers); the zero
// Future is not usable.
type Future[T any] struct {
	mu        sync.Mutex
	state     atomic.Uint32 // a State; written under mu, read without it
	done      chan struct{} // made on first wait; closedChan if done before anyone waited
	val       T
	err       error
	callbacks []func(*Future[T])
	stop      func() bool // stops the watch on the submit ctx
}

// closedChan stands in for a Future's done channel when it finished before anyone asked
// for the channel, which saves the allocation on the fast path.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Result waits for the task and returns its result and error. The ctx bounds only this
// wait: when it ends first, Result returns ctx's error and the task goes on (cancel it
// with the ctx given to Submit, or with [Future.Cancel]).
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	if !f.State().done() {
		done := f.Done()
		if ctx.Done() == nil {
			<-done
		} else {
			select {
			case <-done:
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
	}
	// val and err were written before the final state was stored, and never change again.
	return f.val, f.err
}

// Err returns the task's error once it is done (nil for a success), and nil while it is
// not. It does not block.
func (f *Future[T]) Err() error {
	if !f.State().done() {
		return nil
	}
	return f.err
}

// Done returns a channel that is closed when the task is done: finished or cancelled.
func (f *Future[T]) Done() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.doneLocked()
}

// doneLocked returns the done channel, made if need be. Under mu, a resolving future is
// not done yet: its resolver waits for mu and closes the channel made here.
func (f *Future[T]) doneLocked() chan struct{} {
	if f.done == nil {
		if State(f.state.Load()).done() {
			f.done = closedChan
		} else {
			f.done = make(chan struct{})
		}
	}
	return f.done
}

// State returns where the task stands now.
func (f *Future[T]) State() State {
	s := f.state.Load()
	for s == resolving { // for the few instructions it takes another goroutine to finish
		runtime.Gosched()
		s = f.state.Load()
	}
	return State(s)
}

// Cancel cancels the task if it has not started, and reports whether the task is
// cancelled: true if it was pending (it will never run) or already cancelled, false if it
// is running or finished. This is Python's Future.cancel; to stop a running task, cancel
// the ctx it was submitted with.
func (f *Future[T]) Cancel() bool {
	if f.discard(errCancelledPlain) {
		return true
	}
	return f.State() == Cancelled
}

// AddDoneCallback arranges for fn to be called once with f when the task is done. If it
// is done already, fn runs at once in the calling goroutine; otherwise it runs in the
// goroutine that resolves the task, so it should be quick. Callbacks run in the order
// they were added; a panicking callback is logged with [slog.Default] and does not stop
// the others.
func (f *Future[T]) AddDoneCallback(fn func(*Future[T])) {
	f.mu.Lock()
	if !State(f.state.Load()).done() { // resolving: its resolver takes the list under mu
		f.callbacks = append(f.callbacks, fn)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.runCallback(fn)
}

func (f *Future[T]) runCallback(fn func(*Future[T])) {
	defer func() {
		if v := recover(); v != nil {
			slog.Default().Error("executor: done callback panicked", "panic", v)
		}
	}()
	fn(f)
}

// Transitions are compare-and-swaps on state, so that starting a task takes no lock.
// Whoever resolves a future first moves it to resolving, writes val and err, and then
// stores the final state under mu (with which Done and AddDoneCallback agree on whether
// to wait).

// start moves a pending future to Running.
func (f *Future[T]) start() bool {
	return f.state.CompareAndSwap(uint32(Pending), uint32(Running))
}

// discard cancels a pending future with err.
func (f *Future[T]) discard(err error) bool {
	if !f.state.CompareAndSwap(uint32(Pending), resolving) {
		return false
	}
	f.resolve(Cancelled, *new(T), err)
	return true
}

// complete resolves a pending or running future. It reports false if it was done already.
func (f *Future[T]) complete(v T, err error) bool {
	for {
		old := f.state.Load()
		if old == resolving || State(old).done() {
			return false
		}
		if f.state.CompareAndSwap(old, resolving) {
			break
		}
	}
	f.resolve(Finished, v, err)
	return true
}

// resolve records the outcome of a future this goroutine moved to resolving, and then
// tells everyone waiting.
func (f *Future[T]) resolve(s State, v T, err error) {
	f.val, f.err = v, err
	f.mu.Lock()
	f.state.Store(uint32(s))
	if f.done == nil {
		f.done = closedChan
	} else {
		close(f.done)
	}
	callbacks, stop := f.callbacks, f.stop
	f.callbacks, f.stop = nil, nil
	f.mu.Unlock()
	if stop != nil {
		stop()
	}
	for _, fn := range callbacks {
		f.runCallback(fn)
	}
}
