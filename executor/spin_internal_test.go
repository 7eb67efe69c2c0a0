package executor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSpinnersAreBounded(t *testing.T) {
	limit := int32(max(1, runtime.GOMAXPROCS(0)/2))
	var now, most atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spinUntil(&spinWait{s: spinFor(time.Millisecond)}, func() bool {
				n := now.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				now.Add(-1)
				return false
			})
		}()
	}
	wg.Wait()
	if most.Load() > limit {
		t.Errorf("%d goroutines spun at once; want at most %d", most.Load(), limit)
	}
	if spinners.Load() != 0 {
		t.Errorf("spinners = %d after every spin ended; want 0", spinners.Load())
	}
}

func TestSpinEndsWhenDone(t *testing.T) {
	calls := 0
	if !spinUntil(&spinWait{s: spinFor(time.Millisecond)}, func() bool { calls++; return calls == 3 }) {
		t.Fatal("spinUntil = false for a condition that became true; want true")
	}
	if calls != 3 {
		t.Errorf("done was asked %d times; want 3 (it stops asking once done)", calls)
	}
}

// spinFor is a backend.Spinner that asks for d.
type spinFor time.Duration

func (d spinFor) WaitSpin() time.Duration { return time.Duration(d) }
