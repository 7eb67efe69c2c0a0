package executor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dualpool/dualpool/backend"
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

// awaitAfter is a backend.Awaiter that declines until its task has "reached a worker"
// (the n-th call), then waits for it: it makes done true and reports that it waited.
type awaitAfter struct {
	spinFor
	n, calls int
	task     backend.Task
	finished *bool
}

func (a *awaitAfter) Await(t backend.Task, done func() bool) bool {
	a.calls++
	if t != a.task {
		panic("Await of another task")
	}
	if a.calls < a.n {
		return false
	}
	*a.finished = true
	return true
}

func TestSpinAwaitsInTheBackend(t *testing.T) {
	task := &call[int, int]{}
	for _, n := range []int{1, 3} { // in flight at once, or after two refusals
		finished := false
		a := &awaitAfter{spinFor: spinFor(time.Second), n: n, task: task, finished: &finished}
		start := time.Now()
		if !spinUntil(&spinWait{s: a, t: task}, func() bool { return finished }) {
			t.Fatalf("n=%d: spinUntil = false after Await finished the task; want true", n)
		}
		if a.calls != n {
			t.Errorf("n=%d: Await was called %d times; want %d", n, a.calls, n)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("n=%d: spinUntil took %v; want it to return as soon as Await waited", n, d)
		}
	}

	// An Await that waited without the task finishing: the waiter parks, at once.
	never := &awaitAfter{spinFor: spinFor(time.Second), n: 1, task: task, finished: new(bool)}
	if spinUntil(&spinWait{s: never, t: task}, func() bool { return false }) {
		t.Error("spinUntil = true for a task not done; want false")
	}
}
