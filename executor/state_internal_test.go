package executor

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestUnwatchedTaskResolvesWithoutTheLock: a task nobody watches is published with one
// compare-and-swap and leaves its done channel unmade; a later Done, Result or
// AddDoneCallback still sees it done at once.
func TestUnwatchedTaskResolvesWithoutTheLock(t *testing.T) {
	f := &Future[int]{}
	f.mu.Lock() // resolve must not need it
	if !f.start() || !f.complete(3, nil) {
		t.Fatal("start or complete of a new future failed")
	}
	f.mu.Unlock()
	if f.done != nil {
		t.Fatal("the done channel was made for a future nobody watched")
	}
	select {
	case <-f.Done():
	default:
		t.Fatal("Done of a finished future is not closed")
	}
	ran := false
	f.AddDoneCallback(func(*Future[int]) { ran = true })
	if v, err := f.Result(context.Background()); v != 3 || err != nil || !ran {
		t.Fatalf("Result = %d, %v, callback ran %v; want 3, <nil>, true", v, err, ran)
	}
}

// TestWatchedTaskKeepsItsMoves: once watched (Done, a callback or a ctx watch), a task
// still starts, cancels and finishes, and each watcher hears of its end exactly once.
func TestWatchedTaskKeepsItsMoves(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		f := &Future[int]{}
		done := f.Done()
		if !f.Cancel() {
			t.Fatal("Cancel of a pending, watched future failed")
		}
		<-done
		if f.State() != Cancelled || f.start() {
			t.Fatalf("state %v after Cancel, or it started", f.State())
		}
	})
	t.Run("finish", func(t *testing.T) {
		f := &Future[int]{}
		var calls sync.WaitGroup
		calls.Add(2)
		f.AddDoneCallback(func(*Future[int]) { calls.Done() })
		if !f.start() || f.State() != Running {
			t.Fatalf("a watched future did not start: %v", f.State())
		}
		f.AddDoneCallback(func(*Future[int]) { calls.Done() })
		got := make(chan int)
		go func() { v, _ := f.Result(context.Background()); got <- v }()
		time.Sleep(time.Millisecond) // let Result wait on the channel
		if !f.complete(5, nil) || f.complete(6, nil) {
			t.Fatal("complete did not resolve exactly once")
		}
		if v := <-got; v != 5 {
			t.Fatalf("Result = %d; want 5", v)
		}
		calls.Wait()
		if f.lc.s.Load() != uint32(Finished) {
			t.Fatalf("raw state %#x after finishing; want Finished without the flag", f.lc.s.Load())
		}
	})
	t.Run("ctx", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c := &call[int, int]{ctx: ctx}
		c.watch()
		if c.lc.s.Load()&watched == 0 {
			t.Fatal("the ctx watch did not mark the task watched")
		}
		cancel()
		if _, err := c.Result(context.Background()); err == nil || c.State() != Cancelled {
			t.Fatalf("after its ctx ended: %v, %v; want Cancelled with an error", c.State(), err)
		}
	})
}

// TestResolveRacesWatchers: watchers that arrive while the task resolves are either told
// by the resolver or see it done; none waits for ever.
func TestResolveRacesWatchers(t *testing.T) {
	for range 2000 {
		f := &Future[int]{}
		f.start()
		var wg sync.WaitGroup
		wg.Add(3)
		go func() { defer wg.Done(); f.complete(1, nil) }()
		go func() { defer wg.Done(); <-f.Done() }()
		go func() {
			defer wg.Done()
			ch := make(chan struct{})
			f.AddDoneCallback(func(*Future[int]) { close(ch) })
			<-ch
		}()
		wg.Wait()
	}
}
