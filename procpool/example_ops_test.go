package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

// LoadPlugin stands for a task that loads what its worker should not keep: it asks for a
// fresh worker once it returns.
var LoadPlugin = executor.Register("example.load_plugin", func(ctx context.Context, name string) (string, error) {
	if err := procpool.Recycle(ctx); err != nil {
		return "", err
	}
	return "loaded " + name, nil
})

// An elastic pool of 1 to 4 workers, grown to 8 at run time.
func ExamplePool_Resize() {
	pool, err := procpool.New(procpool.WithWorkers(4), procpool.WithMinWorkers(1),
		procpool.WithIdleTTL(30*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	fmt.Println(pool.Stats().Workers) // the minimum, until tasks wait
	if err := pool.Resize(ctx, 8); err != nil {
		log.Fatal(err)
	}
	f, _ := executor.Submit(ctx, pool, Cube, 4)
	fmt.Println(f.Result(ctx))
	// Output:
	// 1
	// 64 <nil>
}

// A rolling restart after deploying a new worker binary: every worker is replaced, one at
// a time, with no task lost.
func ExamplePool_Reset() {
	pool, err := procpool.New(procpool.WithWorkers(2))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	before := map[int]bool{}
	for _, w := range pool.Stats().PerWorker {
		before[w.PID] = true
	}
	if err := pool.Reset(ctx); err != nil {
		log.Fatal(err)
	}
	renewed := true
	for _, w := range pool.Stats().PerWorker {
		renewed = renewed && !before[w.PID]
	}
	fmt.Println(renewed)
	// Output: true
}

func ExampleRecycle() {
	pool, err := procpool.New(procpool.WithWorkers(1))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	f, _ := executor.Submit(ctx, pool, LoadPlugin, "thumbnailer")
	fmt.Println(f.Result(ctx)) // its worker is replaced before the next task
	// Output: loaded thumbnailer <nil>
}

// Nap sleeps for d, a task that holds its worker, and returns the worker's pid.
var Nap = executor.Register("example.nap", func(ctx context.Context, d time.Duration) (int, error) {
	time.Sleep(d)
	return os.Getpid(), nil
})

// A task that cannot start within its queue timeout fails with an error that says so,
// apart from how long a started task may run.
func ExampleWithQueueTimeout() {
	pool, err := procpool.New(procpool.WithWorkers(1), procpool.WithQueueTimeout(20*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	nap, _ := executor.Submit(ctx, pool, Nap, 200*time.Millisecond) // takes the one worker
	f, _ := executor.Submit(ctx, pool, Cube, 2)                     // and this one waits
	_, err = f.Result(ctx)
	fmt.Println(errors.Is(err, executor.ErrQueueTimeout), errors.Is(err, executor.ErrCancelled))
	_, err = nap.Result(ctx) // it ran longer than the queue timeout: that bounds the wait only
	fmt.Println(err)
	// Output:
	// true true
	// <nil>
}

// A bounded queue: with WithNonBlocking, a full queue refuses at once.
func ExampleWithQueueSize() {
	pool, err := procpool.New(procpool.WithWorkers(1), procpool.WithQueueSize(1), procpool.WithNonBlocking())
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	nap, _ := executor.Submit(ctx, pool, Nap, 100*time.Millisecond) // runs
	queued, _ := executor.Submit(ctx, pool, Cube, 2)                // waits
	_, err = executor.Submit(ctx, pool, Cube, 3)                    // finds the queue full
	fmt.Println(errors.Is(err, executor.ErrQueueFull))
	nap.Result(ctx)
	fmt.Println(queued.Result(ctx))
	// Output:
	// true
	// 8 <nil>
}

// Workers renewed as they age: a worker past its lifetime finishes its task, then a new
// one takes its place.
func ExampleWithWorkerTTL() {
	pool, err := procpool.New(procpool.WithWorkers(1), procpool.WithWorkerTTL(10*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	nap, _ := executor.Submit(ctx, pool, Nap, 50*time.Millisecond) // outlives the worker's lifetime
	first, _ := nap.Result(ctx)
	f, _ := executor.Submit(ctx, pool, Nap, 0)
	next, _ := f.Result(ctx)
	fmt.Println(next != first)
	// Output: true
}
