package threadpool_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

func ExampleNew() {
	p, err := threadpool.New(
		threadpool.WithMaxWorkers(8),
		threadpool.WithQueueSize(100),
		threadpool.WithIdleTimeout(time.Minute),
		threadpool.WithName("fetchers"),
	)
	if err != nil {
		panic(err)
	}
	defer p.Close()

	f, _ := executor.Submit(context.Background(), p, square, 5)
	fmt.Println(f.Result(context.Background()))
	// Output: 25 <nil>
}

func ExampleNew_invalid() {
	_, err := threadpool.New(threadpool.WithMaxWorkers(0))
	fmt.Println(err)
	// Output: threadpool: WithMaxWorkers(0): want at least 1
}

func ExampleGo() {
	p, _ := threadpool.New()
	defer p.Close()

	// A plain closure: fine on a goroutine pool, which never leaves the process.
	greeting := "hello"
	f, _ := threadpool.Go(context.Background(), p, func(context.Context) (string, error) {
		return greeting + ", pool", nil
	})
	fmt.Println(f.Result(context.Background()))
	// Output: hello, pool <nil>
}

func ExampleWithNonBlocking() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(1), threadpool.WithQueueSize(0), threadpool.WithNonBlocking())
	defer p.Close()

	release := make(chan struct{})
	busy, _ := threadpool.Go(context.Background(), p, func(context.Context) (int, error) { <-release; return 0, nil })
	_, err := executor.Submit(context.Background(), p, square, 2)
	fmt.Println(errors.Is(err, executor.ErrQueueFull))
	close(release)
	_, _ = busy.Result(context.Background())
	// Output: true
}

func ExampleWithInitializer() {
	p, _ := threadpool.New(
		threadpool.WithMaxWorkers(2),
		threadpool.WithInitializer(func(context.Context) error { return errors.New("no database") }),
	)
	defer p.Close()

	f, _ := executor.Submit(context.Background(), p, square, 2)
	_, err := f.Result(context.Background())
	fmt.Println(errors.Is(err, executor.ErrPoolBroken))
	fmt.Println(err)
	// Output:
	// true
	// executor: pool is broken: threadpool threadpool: initializer: no database
}

func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, _ := threadpool.New(threadpool.WithLogger(logger), threadpool.WithName("io"))
	defer p.Close()
	fmt.Println(p.Stats().Workers)
	// Output: 0
}

func ExamplePool_Shutdown() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(1))
	started, release := make(chan struct{}), make(chan struct{})
	running, _ := threadpool.Go(context.Background(), p, func(context.Context) (int, error) {
		close(started)
		<-release
		return 1, nil
	})
	<-started
	queued, _ := executor.Submit(context.Background(), p, square, 3)

	// Python's shutdown(cancel_futures=True): the queued task is cancelled, the running
	// one finishes.
	go func() { <-queued.Done(); close(release) }()
	err := p.Shutdown(context.Background(), executor.CancelPending())
	fmt.Println(err, queued.State(), running.State())
	// Output: <nil> cancelled finished
}

func ExamplePool_Stats() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(2))
	for i := range 10 {
		_, _ = executor.Submit(context.Background(), p, square, i)
	}
	_ = p.Close()
	s := p.Stats()
	fmt.Println(s.Submitted, s.Completed, s.Failed, s.Workers)
	// Output: 10 10 0 0
}

func ExamplePool_Resize() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(2), threadpool.WithMinWorkers(1))
	defer p.Close()

	// Grow for a burst, shrink after it: a shrink waits for busy workers to finish.
	ctx := context.Background()
	if err := p.Resize(ctx, 16); err != nil {
		panic(err)
	}
	f, _ := executor.Submit(ctx, p, square, 9)
	fmt.Println(f.Result(ctx))
	if err := p.Resize(ctx, 1); err != nil {
		panic(err)
	}
	fmt.Println(p.Stats().Workers <= 1)
	// Output:
	// 81 <nil>
	// true
}

func ExampleWithQueueTimeout() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(1), threadpool.WithQueueTimeout(10*time.Millisecond))
	defer p.Close()

	ctx := context.Background()
	release := make(chan struct{})
	busy, _ := threadpool.Go(ctx, p, func(context.Context) (int, error) { <-release; return 0, nil })
	waiting, _ := executor.Submit(ctx, p, square, 3) // the one worker is busy past 10ms
	_, err := waiting.Result(ctx)
	fmt.Println(errors.Is(err, executor.ErrQueueTimeout), errors.Is(err, executor.ErrCancelled))
	close(release)
	busy.Result(ctx)
	// Output: true true
}
