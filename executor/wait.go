package executor

import (
	"context"
	"iter"
)

// AsCompleted yields the futures as they complete: those already done first, in the order
// given, then the others in completion order. Each future is yielded once, even if it is
// given twice; nil futures are skipped. The sequence stops early when ctx ends: after the
// loop, ctx.Err() != nil tells the caller that not every future was yielded. It is
// Python's as_completed, with ctx in place of its timeout.
func AsCompleted[T any](ctx context.Context, futs ...*Future[T]) iter.Seq[*Future[T]] {
	return func(yield func(*Future[T]) bool) {
		done, pending := split(futs)
		for _, f := range done {
			if !yield(f) {
				return
			}
		}
		ch, stop := notifyDone(pending)
		defer stop()
		for range pending {
			select {
			case f := <-ch:
				if !yield(f) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}
}

// WaitCondition says when [Wait] returns.
type WaitCondition uint8

const (
	// AllCompleted: when every future is done.
	AllCompleted WaitCondition = iota
	// FirstCompleted: when any future is done (at once if one already is).
	FirstCompleted
	// FirstError: when any future finishes with an error; if none does, when all are
	// done. A cancelled future is not an error here, as in Python's FIRST_EXCEPTION.
	FirstError
)

// Wait blocks until cond holds for futs or ctx ends, and returns the futures split into
// those done and those not done, each in the order given, without duplicates or nils. When
// ctx ends first it returns the split as it stands, without an error: check ctx.Err() if it
// matters. It is Python's concurrent.futures.wait.
func Wait[T any](ctx context.Context, futs []*Future[T], cond WaitCondition) (done, notDone []*Future[T]) {
	d, pending := split(futs)
	met := func(f *Future[T]) bool {
		switch cond {
		case FirstCompleted:
			return true
		case FirstError:
			return f.State() == Finished && f.Err() != nil
		}
		return false
	}
	stop := len(pending) == 0 || (cond == FirstCompleted && len(d) > 0)
	for _, f := range d {
		stop = stop || met(f)
	}
	if !stop {
		ch, stopNotify := notifyDone(pending)
		defer stopNotify()
	wait:
		for range pending {
			select {
			case f := <-ch:
				if met(f) {
					break wait
				}
			case <-ctx.Done():
				break wait
			}
		}
	}
	done, notDone = split(futs)
	return done, notDone
}

// split returns the distinct non-nil futures, done and not done, in the order given.
func split[T any](futs []*Future[T]) (done, pending []*Future[T]) {
	seen := make(map[*Future[T]]struct{}, len(futs))
	for _, f := range futs {
		if f == nil {
			continue
		}
		if _, dup := seen[f]; dup {
			continue
		}
		seen[f] = struct{}{}
		if f.State().done() {
			done = append(done, f)
		} else {
			pending = append(pending, f)
		}
	}
	return done, pending
}

// notifyDone returns a channel on which each future is sent once when it is done, and a
// function that removes the callbacks that have not run. The channel has room for all of
// them, so a caller that stops listening blocks nobody.
func notifyDone[T any](futs []*Future[T]) (<-chan *Future[T], func()) {
	ch := make(chan *Future[T], len(futs))
	removes := make([]func(), len(futs))
	for i, f := range futs {
		removes[i] = f.onDone(func(f *Future[T]) { ch <- f })
	}
	return ch, func() {
		for _, remove := range removes {
			remove()
		}
	}
}
