package executor

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
)

// A waiter in Result waits a moment before it parks on a Future's channel, when the
// backend asks for it ([backend.Spinner]): a task in another process often answers
// within tens of microseconds, and a waiter that never parked needs no wake-up. Where the
// backend can, the waiter reads its task's answer itself, asleep in the kernel
// ([backend.Awaiter]); otherwise it yields. The yielding is bounded in time and in
// spinners: at most one goroutine per two processors yields at once, so that waiters
// never crowd out the work they wait for.

var spinners atomic.Int32

// spinWait is what a Future's Result needs to wait before it parks: the backend that
// asked for it, and the task, for a backend.Awaiter.
type spinWait struct {
	s backend.Spinner
	t backend.Task
}

// spinUntil waits for done to report true: in the backend's Await if it has one and can
// (the waiter then sleeps in the kernel, costing no processor), and otherwise yielding
// for up to the backend's WaitSpin. It reports done's last answer. It yields only when
// fewer goroutines than half the processors yield already.
func spinUntil(w *spinWait, done func() bool) bool {
	a, _ := w.s.(backend.Awaiter)
	if a != nil && a.Await(w.t, done) {
		return done()
	}
	if n := spinners.Add(1); int(n) > max(1, runtime.GOMAXPROCS(0)/2) {
		spinners.Add(-1)
		return false
	}
	defer spinners.Add(-1)
	deadline := time.Now().Add(w.s.WaitSpin())
	for i := 1; ; i++ {
		if done() {
			return true
		}
		if i&7 == 0 {
			if a != nil && a.Await(w.t, done) { // its task has reached a worker meanwhile
				return done()
			}
			if time.Now().After(deadline) {
				return false
			}
		}
		runtime.Gosched()
	}
}
