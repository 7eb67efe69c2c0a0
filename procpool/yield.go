package procpool

import (
	"runtime"
	"time"

	"github.com/dualpool/dualpool/internal/timing"
)

// yielder keeps a goroutine that waits only in system calls (a worker's reader, a waiter
// in Await, the reader goroutine in the parent) known to the scheduler. Such a goroutine
// keeps its processor from one call to the next and is never rescheduled, and the
// runtime takes a processor away from a goroutine that has not been rescheduled for
// 10 ms at each of its blocking calls, waking other threads every time (futex and
// nanosleep calls, 2 to 3 per round trip). A reschedule every few milliseconds costs a
// fraction of a microsecond.
type yielder struct{ last int64 }

// yieldEvery is how often such a goroutine reschedules itself: well within the 10 ms.
const yieldEvery = 2 * time.Millisecond

// maybe reschedules the calling goroutine if it has not for yieldEvery.
func (y *yielder) maybe() {
	if now := timing.Now(); now-y.last >= int64(yieldEvery) {
		y.last = now
		runtime.Gosched()
	}
}
