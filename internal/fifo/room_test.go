package fifo

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestRoomWaitsUntilFree(t *testing.T) {
	var mu sync.Mutex
	var r Room
	r.Free() // nobody waits: nothing to do
	got := make(chan error, 2)
	mu.Lock()
	for range 2 {
		go func() {
			mu.Lock()
			defer mu.Unlock()
			got <- r.Wait(context.Background(), &mu)
		}()
	}
	mu.Unlock()
	for {
		mu.Lock()
		n := r.waiters
		if n == 2 {
			r.Free()
			mu.Unlock()
			break
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	for range 2 {
		if err := <-got; err != nil {
			t.Errorf("Wait = %v after Free; want nil", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if r.waiters != 0 {
		t.Errorf("waiters = %d after both returned; want 0", r.waiters)
	}
}

func TestRoomWaitEndsWithCtx(t *testing.T) {
	var mu sync.Mutex
	var r Room
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	mu.Lock()
	err := r.Wait(ctx, &mu)
	if mu.TryLock() { // Wait must return with mu held
		t.Error("Wait returned without the lock held")
	}
	mu.Unlock()
	if err != context.DeadlineExceeded {
		t.Errorf("Wait = %v; want context.DeadlineExceeded", err)
	}
}
