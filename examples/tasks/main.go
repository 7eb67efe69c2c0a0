// Command tasks is the first example of the guide in Go: five tasks that sleep for 2, 1,
// 3, 1 and 2 units run on a pool of 3 workers; Submit returns a Future for each, and
// AsCompleted hands them back in the order they finish.
//
// With -backend proc the tasks run in worker processes, which are this program started
// again: procpool.ServeIfWorker, first thing in main, makes such a process serve tasks.
// What the tasks print reaches the program's stdout line by line, whole.
//
//	go run ./examples/tasks -unit 1s
//	go run ./examples/tasks -unit 1s -backend proc
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// Job is the argument of the task: which task, and how long it sleeps.
type Job struct {
	Name  string
	Units int
	Unit  time.Duration
}

// task is the guide's task(name, duration), registered so that any backend can run it.
var task = executor.Register("tasks.task", func(ctx context.Context, j Job) (string, error) {
	fmt.Printf("Task %s started. Will run for %d units.\n", j.Name, j.Units)
	select {
	case <-time.After(time.Duration(j.Units) * j.Unit):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	fmt.Printf("Task %s finished.\n", j.Name)
	return "Result from task " + j.Name, nil
})

func main() {
	procpool.ServeIfWorker() // in a worker process: serve tasks, then exit
	backend := flag.String("backend", "thread", "where the tasks run: thread (a goroutine pool) or proc (a process pool)")
	unit := flag.Duration("unit", 100*time.Millisecond, "how long one unit of work lasts")
	workers := flag.Int("workers", 3, "how many tasks run at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *backend, *workers, *unit); err != nil {
		fmt.Fprintln(os.Stderr, "tasks:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, backend string, workers int, unit time.Duration) error {
	jobs := []Job{{"A", 2, unit}, {"B", 1, unit}, {"C", 3, unit}, {"D", 1, unit}, {"E", 2, unit}}

	ex, err := newPool(backend, workers)
	if err != nil {
		return err
	}
	defer ex.Close() // the with block: on every return, wait for the tasks and stop the pool

	fmt.Printf("--- Running tasks with a %s pool of %d workers ---\n", backend, workers)
	start := time.Now()

	// Submit schedules each task at once and returns its Future; the map plays the part
	// of the guide's future_to_task dict.
	jobOf := make(map[*executor.Future[string]]Job, len(jobs))
	futures := make([]*executor.Future[string], 0, len(jobs))
	for _, j := range jobs {
		f, err := executor.Submit(ctx, ex, task, j)
		if err != nil {
			return err
		}
		jobOf[f] = j
		futures = append(futures, f)
	}

	// AsCompleted yields each Future as its task finishes.
	for f := range executor.AsCompleted(ctx, futures...) {
		result, err := f.Result(ctx)
		if err != nil {
			fmt.Printf("Task %s generated an error: %v\n", jobOf[f].Name, err)
			continue
		}
		fmt.Printf("Received: %s\n", result)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	fmt.Printf("--- All tasks completed in %.1f units ---\n", float64(time.Since(start))/float64(unit))
	return ex.Close()
}

// newPool is the only code that depends on the backend.
func newPool(backend string, workers int) (executor.Executor, error) {
	switch backend {
	case "thread":
		return threadpool.New(threadpool.WithMaxWorkers(workers))
	case "proc":
		return procpool.New(procpool.WithWorkers(workers))
	}
	return nil, fmt.Errorf("-backend %q: want thread or proc", backend)
}
