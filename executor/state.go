package executor

import "strconv"

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

// resolving marks a task whose outcome one goroutine is writing; State never returns it.
const resolving = 255

// done reports whether the state is final.
func (s State) done() bool { return s == Finished || s == Cancelled }
