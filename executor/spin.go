package executor

import (
	"runtime"
	"sync/atomic"
	"time"
)

// A waiter in Result yields for a moment before it parks on a Future's channel, when the
// backend asks for it ([backend.Spinner]): a task in another process often answers
// within tens of microseconds, and a waiter that never parked needs no wake-up. The spin
// is bounded in time and in spinners: at most one goroutine per two processors spins at
// once, so that waiters never crowd out the work they wait for.

var spinners atomic.Int32

// spinUntil yields until done reports true or d has passed, and reports done's last
// answer. It returns false at once when enough goroutines spin already.
func spinUntil(d time.Duration, done func() bool) bool {
	if n := spinners.Add(1); int(n) > max(1, runtime.GOMAXPROCS(0)/2) {
		spinners.Add(-1)
		return false
	}
	defer spinners.Add(-1)
	deadline := time.Now().Add(d)
	for i := 0; ; i++ {
		if done() {
			return true
		}
		if i&7 == 7 && time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
}
