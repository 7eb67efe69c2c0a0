package threadpool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// TestDirectPathKicksAnIdleWorker: a Submit that found the direct path open, while the
// only worker finished its task and went idle before the Submit's push, sees the path
// closed after its push and hands its task to the idle worker itself.
func TestDirectPathKicksAnIdleWorker(t *testing.T) {
	p, err := New(WithMaxWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	release := make(chan struct{})
	held, err := Go(ctx, p, func(context.Context) (int, error) { <-release; return 0, nil })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return p.direct.Load() }, "the direct path to open behind the busy worker")
	testHookDirect = func() {
		testHookDirect = nil
		close(release)
		held.Result(ctx)
		waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.idle == 1 }, "the worker to go idle")
	}
	defer func() { testHookDirect = nil }()
	f, err := Go(ctx, p, func(context.Context) (int, error) { return 7, nil })
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if v, err := f.Result(wctx); v != 7 || err != nil {
		t.Fatalf("Result = %d, %v; want 7: the task was left in the queue beside an idle worker", v, err)
	}
}

// TestDirectPathRefusesAfterShutdown: a Submit that found the direct path open, while the
// pool shut down and its last worker exited before the Submit's push, is refused with
// ErrShutdown, as the locked path would have refused it.
func TestDirectPathRefusesAfterShutdown(t *testing.T) {
	p, err := New(WithMaxWorkers(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	release := make(chan struct{})
	if _, err := Go(ctx, p, func(context.Context) (int, error) { <-release; return 0, nil }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return p.direct.Load() }, "the direct path to open behind the busy worker")
	testHookDirect = func() {
		testHookDirect = nil
		close(release)
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	}
	defer func() { testHookDirect = nil }()
	f, err := Go(ctx, p, func(context.Context) (int, error) { return 7, nil })
	if !errors.Is(err, executor.ErrShutdown) || f != nil {
		t.Fatalf("Submit after the pool closed under it: %v, %v; want ErrShutdown", f, err)
	}
	if s := p.Stats(); s.Submitted != 1 || s.Queued != 0 {
		t.Fatalf("Stats %+v; want 1 submitted, none queued", s)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestRingIsMadeWhenTheDirectPathOpens: a pool that never has every worker busy, or whose
// queue is bounded, never pays for the ring.
func TestRingIsMadeWhenTheDirectPathOpens(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		opts []Option
		busy bool // every worker busy with nothing queued: the direct path opens
		want bool
	}{
		{"idle workers", []Option{WithMaxWorkers(2)}, false, false},
		{"busy workers", []Option{WithMaxWorkers(2)}, true, true},
		{"bounded queue", []Option{WithMaxWorkers(2), WithQueueSize(4)}, true, false},
		{"queue timeout", []Option{WithMaxWorkers(2), WithQueueTimeout(time.Minute)}, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := New(c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			release := make(chan struct{})
			n := 1
			if c.busy {
				n = 2
			}
			for range n {
				if _, err := Go(ctx, p, func(context.Context) (int, error) { <-release; return 0, nil }); err != nil {
					t.Fatal(err)
				}
			}
			if got := p.ring.Load() != nil; got != c.want {
				t.Errorf("ring made: %v; want %v", got, c.want)
			}
			close(release)
		})
	}
}
