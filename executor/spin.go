package executor

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Before a waiter parks on a Future's channel, it yields for a moment in the hope that the
// answer comes first: a task on another goroutine or in another process often answers
// within a few microseconds, and a waiter that never parked needs no wake-up. Waking a
// parked goroutine is what costs a round trip most (a futex call, and the scheduler's
// spinning threads that try to steal it), so a short spin pays for itself many times over.
// The spin is bounded in time and in spinners: at most one goroutine per two processors
// spins at once, so that waiters never crowd out the work they wait for.

// spinFor is how long a waiter yields before it parks.
const spinFor = 50 * time.Microsecond

var spinners atomic.Int32

// spinUntil yields until done reports true or spinFor has passed, and reports done's last
// answer. It returns false at once when enough goroutines spin already.
func spinUntil(done func() bool) bool {
	if n := spinners.Add(1); int(n) > max(1, runtime.GOMAXPROCS(0)/2) {
		spinners.Add(-1)
		return false
	}
	defer spinners.Add(-1)
	deadline := time.Now().Add(spinFor)
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
