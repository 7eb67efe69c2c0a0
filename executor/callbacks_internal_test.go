package executor

import (
	"context"
	"testing"
)

// TestWaitRemovesItsCallbacks: Wait and AsCompleted remove the done callbacks they add,
// so that polling a long task with short waits does not grow its callback list.
func TestWaitRemovesItsCallbacks(t *testing.T) {
	f := &Future[int]{}
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	for range 1000 {
		Wait(expired, []*Future[int]{f}, AllCompleted)
		for range AsCompleted(expired, f) {
		}
	}
	f.mu.Lock()
	n := 0
	if f.watchers != nil {
		n = len(f.watchers.callbacks)
	}
	f.mu.Unlock()
	if n != 0 {
		t.Fatalf("after 1000 Waits and AsCompleteds that gave up: %d callbacks left; want 0", n)
	}
	f.complete(7, nil)
	if v, err := f.Result(context.Background()); v != 7 || err != nil {
		t.Fatalf("Result = %d, %v; want 7, <nil>", v, err)
	}
}
