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

// lifecycle is the one state machine of every task, a Future's or a Map item's:
// Pending → Running → Finished, or Pending → Cancelled. Each move is a compare-and-swap,
// so starting a task takes no lock. Whoever resolves a task first claims it (moving it to
// resolving), writes its outcome, and then publishes the final state; everyone else's
// claim fails, which is what makes a task resolve exactly once.
type lifecycle struct{ s atomic.Uint32 }

// start moves a pending task to Running.
func (l *lifecycle) start() bool {
	return l.s.CompareAndSwap(uint32(Pending), uint32(Running))
}

// claim takes a pending or running task for its resolver.
func (l *lifecycle) claim() bool {
	for {
		old := l.s.Load()
		if old == resolving || State(old).done() {
			return false
		}
		if l.s.CompareAndSwap(old, resolving) {
			return true
		}
	}
}

// finishRunning resolves a running task whose outcome is written already, in one step
// instead of a claim and a publish; it reports false, changing nothing, when the task is
// not running (resolved, or being resolved, by someone else).
func (l *lifecycle) finishRunning() bool {
	return l.s.CompareAndSwap(uint32(Running), uint32(Finished))
}

// claimPending takes a task that has not started, to cancel it.
func (l *lifecycle) claimPending() bool {
	return l.s.CompareAndSwap(uint32(Pending), resolving)
}

// publish ends a claim with the final state s.
func (l *lifecycle) publish(s State) { l.s.Store(uint32(s)) }

// raw returns the state, resolving included.
func (l *lifecycle) raw() uint32 { return l.s.Load() }

// state returns where the task stands, waiting out a resolver that is writing.
func (l *lifecycle) state() State {
	s := l.s.Load()
	for s == resolving { // for the few instructions it takes another goroutine to finish
		runtime.Gosched()
		s = l.s.Load()
	}
	return State(s)
}
