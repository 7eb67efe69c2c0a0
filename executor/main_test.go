package executor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tasks the tests submit, registered once as a program would.
var (
	square = executor.Register("executor_test.square", func(_ context.Context, n int) (int, error) {
		return n * n, nil
	})
	failOdd = executor.Register("executor_test.failOdd", func(_ context.Context, n int) (int, error) {
		if n%2 == 1 {
			return 0, fmt.Errorf("odd %d", n)
		}
		return n, nil
	})
	// gated blocks until its gate is closed (or its ctx ends) and returns the gate's id.
	gated = executor.Register("executor_test.gated", func(ctx context.Context, g *gate) (int, error) {
		close(g.started)
		select {
		case <-g.release:
			return g.id, g.err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	panicky = executor.Register("executor_test.panic", func(_ context.Context, msg string) (int, error) {
		panic(msg)
	})
)

// gate is a latch that a test opens to let one gated task finish.
type gate struct {
	id      int
	err     error
	started chan struct{}
	release chan struct{}
}

func newGate(id int) *gate {
	return &gate{id: id, started: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) open() { close(g.release) }

// newPool returns a goroutine pool closed when the test ends.
func newPool(t *testing.T, workers int) *threadpool.Pool {
	t.Helper()
	p, err := threadpool.New(threadpool.WithMaxWorkers(workers))
	if err != nil {
		t.Fatalf("threadpool.New: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p
}

// submitGated submits a gated task and waits until it runs.
func submitGated(t *testing.T, ex executor.Executor, g *gate) *executor.Future[int] {
	t.Helper()
	f, err := executor.Submit(context.Background(), ex, gated, g)
	if err != nil {
		t.Fatalf("Submit(gated): %v", err)
	}
	return f
}

// blocker occupies every worker of a pool until released, so that later tasks queue.
type blocker struct {
	gates []*gate
	futs  []*executor.Future[int]
}

func block(t *testing.T, ex executor.Executor, workers int) *blocker {
	t.Helper()
	b := &blocker{}
	for i := range workers {
		g := newGate(-1 - i)
		b.gates = append(b.gates, g)
		b.futs = append(b.futs, submitGated(t, ex, g))
		<-g.started
	}
	return b
}

func (b *blocker) release() {
	for _, g := range b.gates {
		g.open()
	}
}

var errBoom = errors.New("boom")
