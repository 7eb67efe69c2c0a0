package procpool

import (
	"testing"
	"time"
)

// A yielder reschedules its goroutine once per yieldEvery, and costs a clock read between.
func TestYielderReschedulesEveryFewMilliseconds(t *testing.T) {
	var y yielder
	y.maybe()
	first := y.last
	if first == 0 {
		t.Fatal("the first call did not reschedule")
	}
	y.maybe()
	if y.last != first {
		t.Fatal("a second call at once rescheduled again")
	}
	time.Sleep(yieldEvery)
	y.maybe()
	if y.last == first {
		t.Fatalf("a call %v later did not reschedule", yieldEvery)
	}
}
