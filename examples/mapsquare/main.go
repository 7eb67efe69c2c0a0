// Command mapsquare is the guide's map(square) example in Go: executor.Map calls square
// on each number on a pool and yields the results in input order. A second pass maps a
// long range lazily, in chunks, as one would with many small tasks. Both run on a
// threadpool and then on a procpool, with the same code.
//
//	go run ./examples/mapsquare -n 1000000 -chunk 4096
package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// square is the guide's square(n), registered so that any backend can run it.
var square = executor.Register("mapsquare.square", func(_ context.Context, n int) (int, error) {
	return n * n, nil
})

func main() {
	procpool.ServeIfWorker() // in a worker process: serve tasks, then exit
	backends := flag.String("backend", "thread,proc", "the pools to run on, in order: thread, proc")
	workers := flag.Int("workers", 3, "how many tasks run at once")
	n := flag.Int("n", 100_000, "how many squares the chunked pass sums")
	chunk := flag.Int("chunk", 1000, "how many numbers each dispatch carries in the chunked pass")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, strings.Split(*backends, ","), *workers, *n, *chunk); err != nil {
		fmt.Fprintln(os.Stderr, "mapsquare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, backends []string, workers, n, chunk int) error {
	for _, backend := range backends {
		if err := runOn(ctx, backend, workers, n, chunk); err != nil {
			return err
		}
	}
	return nil
}

// runOn runs both passes on one pool: only its constructor depends on the backend.
func runOn(ctx context.Context, backend string, workers, n, chunk int) error {
	var ex executor.Executor
	var err error
	switch backend {
	case "thread":
		ex, err = threadpool.New(threadpool.WithMaxWorkers(workers))
	case "proc":
		ex, err = procpool.New(procpool.WithWorkers(workers))
	default:
		err = fmt.Errorf("-backend %q: want thread or proc", backend)
	}
	if err != nil {
		return err
	}
	defer ex.Close()
	fmt.Printf("--- %spool, %d workers ---\n", backend, workers)

	// The guide's example: results come back in the order of the numbers.
	numbers := []int{1, 2, 3, 4, 5}
	var results []int
	for sq, err := range executor.Map(ctx, ex, square, slices.Values(numbers)) {
		if err != nil {
			return err
		}
		results = append(results, sq)
	}
	fmt.Println("Original numbers:", numbers)
	fmt.Println("Squared results:", results)

	// Many small tasks: Chunk sends them in batches, and Map pulls the numbers from the
	// iterator only a window ahead of the loop, so the range never sits in memory whole.
	sum := 0
	for sq, err := range executor.Map(ctx, ex, square, upTo(n), executor.Chunk(chunk)) {
		if err != nil {
			return err
		}
		sum += sq
	}
	fmt.Printf("Sum of the squares of 1..%d, in chunks of %d: %d\n", n, chunk, sum)
	return ex.Close()
}

// upTo yields 1, 2, …, n.
func upTo(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= n && yield(i); i++ {
		}
	}
}
