package executor

import (
	"context"
	"log/slog"
	"slices"
	"sync"
)

// Future is the eventual result of a submitted task. Its methods are safe for concurrent
// use. Futures are created by [Submit] (and by backends' own submit helpers); the zero
// Future is not usable.
type Future[T any] struct {
	mu       sync.Mutex
	lc       lifecycle     // read without mu; a watched task's final state is published under it
	done     chan struct{} // made on first wait, under mu; closedChan if done before anyone waited
	val      T
	err      error
	watchers *watchers[T] // made for the first callback or ctx watch; under mu
	spin     *spinWait    // how Result waits before it parks, for a backend.Spinner; or nil
}

// watchers are who a Future tells when it is done, besides its channel: kept apart, and
// made only when needed, so that a Future is small for the many that have none.
type watchers[T any] struct {
	callbacks []*callback[T]
	stop      func() bool // stops the watch on the submit ctx
}

// watchersLocked returns f's watchers, made if need be. f.mu is held.
func (f *Future[T]) watchersLocked() *watchers[T] {
	if f.watchers == nil {
		f.watchers = &watchers[T]{}
	}
	return f.watchers
}

// callback is a done callback, held by pointer so that whoever added it can find it to
// remove it.
type callback[T any] struct{ fn func(*Future[T]) }

// closedChan stands in for a Future's done channel when it finished before anyone asked
// for the channel, which saves the allocation on the fast path.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Result waits for the task and returns its result and error. The ctx bounds only this
// wait: when it ends first, Result returns ctx's error and the task goes on (cancel it
// with the ctx given to Submit, or with [Future.Cancel]).
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	if !f.State().done() && (f.spin == nil || !spinUntil(f.spin, f.isDone)) {
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
		if f.lc.watch() {
			f.done = make(chan struct{})
		} else {
			f.done = closedChan
		}
	}
	return f.done
}

// isDone reports whether the task is done, without waiting out a resolver.
func (f *Future[T]) isDone() bool { return State(f.lc.raw()).done() }

// State returns where the task stands now.
func (f *Future[T]) State() State { return f.lc.state() }

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
func (f *Future[T]) AddDoneCallback(fn func(*Future[T])) { f.onDone(fn) }

// onDone adds fn as a done callback, or runs it at once if f is done, and returns a
// function that removes it again: Wait and AsCompleted remove theirs when they return,
// so that polling a long task with short waits does not grow its list without bound.
func (f *Future[T]) onDone(fn func(*Future[T])) (remove func()) {
	f.mu.Lock()
	if f.lc.watch() { // its resolver, even one resolving now, takes the list under mu
		cb := &callback[T]{fn}
		w := f.watchersLocked()
		w.callbacks = append(w.callbacks, cb)
		f.mu.Unlock()
		return func() { f.removeCallback(cb) }
	}
	f.mu.Unlock()
	f.runCallback(fn)
	return func() {}
}

func (f *Future[T]) removeCallback(cb *callback[T]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if w := f.watchers; w != nil {
		if i := slices.Index(w.callbacks, cb); i >= 0 {
			w.callbacks = slices.Delete(w.callbacks, i, i+1)
		}
	}
}

func (f *Future[T]) runCallback(fn func(*Future[T])) {
	defer func() {
		if v := recover(); v != nil {
			slog.Default().Error("executor: done callback panicked", "panic", v)
		}
	}()
	fn(f)
}

// The transitions are lifecycle's. Done, AddDoneCallback and the ctx watch mark the task
// watched under mu; resolve then publishes the outcome under mu too, so that they agree
// on whether to wait.

// start moves a pending future to Running.
func (f *Future[T]) start() bool { return f.lc.start() }

// discard cancels a pending future with err.
func (f *Future[T]) discard(err error) bool {
	if !f.lc.claimPending() {
		return false
	}
	f.err = err
	f.resolve(Cancelled)
	return true
}

// complete resolves a pending or running future. It reports false if it was done already.
func (f *Future[T]) complete(v T, err error) bool {
	if !f.lc.claim() {
		return false
	}
	f.val, f.err = v, err
	f.resolve(Finished)
	return true
}

// resolve publishes the outcome that this goroutine, holding the claim, wrote into val
// and err, and then tells everyone waiting: with one compare-and-swap when nobody
// watches the task, under mu when someone does.
func (f *Future[T]) resolve(s State) {
	if f.lc.publishUnwatched(s) {
		return
	}
	f.mu.Lock()
	f.lc.publish(s)
	if f.done == nil {
		f.done = closedChan
	} else {
		close(f.done)
	}
	w := f.watchers
	f.watchers = nil
	f.mu.Unlock()
	if w == nil {
		return
	}
	if w.stop != nil {
		w.stop()
	}
	for _, cb := range w.callbacks {
		f.runCallback(cb.fn)
	}
}
