package executor

import (
	"runtime"

	"github.com/dualpool/dualpool/backend"
	"sync/atomic"
	"time"
)

// A waiter in Result yields for a moment before it parks on a Future's channel, when the
// backend asks for it ([backend.Spinner]): a task in another process often answers
// within tens of microseconds, and a waiter that never parked needs no wake-up. The spin
// is bounded in time and in spinners: at most one goroutine per two processors spins at
// once, so that waiters never crowd out the work they wait for.

var spinners atomic.Int32

// spinWait is what a Future's Result needs to wait before it parks: the backend that
// asked for it, and the task, for a backend.Awaiter.
type spinWait struct {
	s backend.Spinner
	t backend.Task
}

// spinUntil waits for done to report true, for at most the backend's WaitSpin: in the
// backend's Await if it has one and can, and otherwise yielding. It reports done's last
// answer, and returns false at once when enough goroutines spin already.
func spinUntil(w *spinWait, done func() bool) bool {
	if n := spinners.Add(1); int(n) > max(1, runtime.GOMAXPROCS(0)/2) {
		spinners.Add(-1)
		return false
	}
	defer spinners.Add(-1)
	d := w.s.WaitSpin()
	a, _ := w.s.(backend.Awaiter)
	deadline := time.Now().Add(d)
	for i := 0; ; i++ {
		if done() {
			return true
		}
		if a != nil {
			left := time.Until(deadline)
			if left <= 0 {
				return false
			}
			if a.Await(w.t, left, done) {
				return true
			}
		} else if i&7 == 7 && time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
}
