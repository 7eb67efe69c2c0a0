package threadpool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
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
	proctest.Eventually(t, 5*time.Second, func() bool { return p.direct.Load() }, "the direct path opens behind the busy worker")
	testHookDirect = func() {
		testHookDirect = nil
		close(release)
		held.Result(ctx)
		proctest.Eventually(t, 5*time.Second, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.idle == 1 }, "the worker goes idle")
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
	proctest.Eventually(t, 5*time.Second, func() bool { return p.direct.Load() }, "the direct path opens behind the busy worker")
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
