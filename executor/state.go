package executor

import (
	"runtime"
	"strconv"
	"sync/atomic"
)

// State is where a [Future]'s task stands.
type State uint8

const (
	Pending   State = iota // queued, not started; Cancel still succeeds
	Running                // started; it will finish, with a result or an error
	Finished               // done, with a result or an error
	Cancelled              // cancelled before it started; it never ran
)

func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Running:
		return "running"
	case Finished:
		return "finished"
	case Cancelled:
		return "cancelled"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// done reports whether the state is final.
func (s State) done() bool { return s == Finished || s == Cancelled }

// resolving marks a task whose outcome one goroutine is writing; State never returns it.
const resolving = 255

// watched is a flag beside the state: someone waits on the task's done channel, or has
// a done callback or a ctx watch on it, so that its resolver must publish under the
// Future's mu to tell them. A task that nobody watches resolves without a lock.
const watched = 1 << 8

// lifecycle is the one state machine of every task, a Future's or a Map item's:
// Pending → Running → Finished, or Pending → Cancelled. Each move is a compare-and-swap,
// so starting a task takes no lock. Whoever resolves a task first claims it (moving it to
// resolving), writes its outcome, and then publishes the final state; everyone else's
// claim fails, which is what makes a task resolve exactly once. The moves keep the
// watched flag; the final state drops it.
type lifecycle struct{ s atomic.Uint32 }

// move changes the state from one of from to to, keeping the watched flag, and reports
// whether it did.
func (l *lifecycle) move(to uint32, from func(uint32) bool) bool {
	for {
		old := l.s.Load()
		if !from(old &^ watched) {
			return false
		}
		if l.s.CompareAndSwap(old, to|old&watched) {
			return true
		}
	}
}

func isPending(s uint32) bool   { return s == uint32(Pending) }
func isUnclaimed(s uint32) bool { return s != resolving && !State(s).done() }

// start moves a pending task to Running.
func (l *lifecycle) start() bool {
	// The usual case first: one compare-and-swap, where move would load the state too.
	return l.s.CompareAndSwap(uint32(Pending), uint32(Running)) || l.move(uint32(Running), isPending)
}

// claim takes a pending or running task for its resolver.
func (l *lifecycle) claim() bool { return l.move(resolving, isUnclaimed) }

// finishRunning resolves a running task whose outcome is written already, in one step
// instead of a claim and a publish; it reports false, changing nothing, when the task is
// not running (resolved, or being resolved, by someone else) or is watched.
func (l *lifecycle) finishRunning() bool {
	return l.s.CompareAndSwap(uint32(Running), uint32(Finished))
}

// claimPending takes a task that has not started, to cancel it.
func (l *lifecycle) claimPending() bool { return l.move(resolving, isPending) }

// publish ends a claim with the final state s.
func (l *lifecycle) publish(s State) { l.s.Store(uint32(s)) }

// publishUnwatched ends a claim with the final state s, unless the task is watched: then
// it reports false, changing nothing, and the resolver publishes under the Future's mu.
func (l *lifecycle) publishUnwatched(s State) bool {
	return l.s.CompareAndSwap(resolving, uint32(s))
}

// watch sets the watched flag, unless the task is done; it reports whether it did. The
// caller holds the Future's mu.
func (l *lifecycle) watch() bool {
	for {
		old := l.s.Load()
		if State(old &^ watched).done() {
			return false
		}
		if old&watched != 0 || l.s.CompareAndSwap(old, old|watched) {
			return true
		}
	}
}

// raw returns the state, resolving included.
func (l *lifecycle) raw() uint32 { return l.s.Load() &^ watched }

// state returns where the task stands, waiting out a resolver that is writing.
func (l *lifecycle) state() State {
	s := l.raw()
	for s == resolving { // for the few instructions it takes another goroutine to finish
		runtime.Gosched()
		s = l.raw()
	}
	return State(s)
}
