package procpool

import (
	"testing"
	"time"

	"github.com/dualpool/dualpool/internal/timing"
)

// A yielder reschedules its goroutine once per yieldEvery, and costs a clock read between.
func TestYielderReschedulesEveryFewMilliseconds(t *testing.T) {
	var y yielder
	time.Sleep(yieldEvery) // its clock starts with the process
	y.maybe()
	first := y.last
	if first == 0 {
		t.Fatal("the first call did not reschedule")
	}
	y.maybe()
	if y.last != first && timing.Now()-first < int64(yieldEvery) {
		t.Fatal("a second call at once rescheduled again")
	}
	time.Sleep(yieldEvery)
	y.maybe()
	if y.last == first {
		t.Fatalf("a call %v later did not reschedule", yieldEvery)
	}
}
