// Command cpubound is the guide's cpu_intensive_task in Go: the sum of i*i for i in
// range(n), four times, first one after another, then on a threadpool, then on a
// procpool, with the times and the speedups.
//
// In Python this is where threads stop helping: the GIL lets one thread at a time run
// Python code, so the guide reaches for processes. Go has no GIL. Its goroutines run on
// every core at once, so the threadpool speeds this loop up by about the number of cores,
// and the procpool, which pays for starting processes and for a round trip per task, buys
// no more speed: choose it for isolation.
//
//	go run ./examples/cpubound -n 100000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"math/bits"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// Sum is a 128-bit unsigned sum: the sum of squares of range(10**7) is about 3.3e20,
// beyond uint64, and Python's answer is exact.
type Sum struct{ Hi, Lo uint64 }

func (s Sum) String() string {
	hi := new(big.Int).Lsh(new(big.Int).SetUint64(s.Hi), 64)
	return hi.Add(hi, new(big.Int).SetUint64(s.Lo)).String()
}

// sumOfSquares is the guide's cpu_intensive_task(n): the sum of i*i for 0 ≤ i < n.
var sumOfSquares = executor.Register("cpubound.sumOfSquares", func(ctx context.Context, n uint64) (Sum, error) {
	var s Sum
	var carry uint64
	for i := range n {
		s.Lo, carry = bits.Add64(s.Lo, i*i, 0)
		s.Hi += carry
	}
	return s, nil
})

func main() {
	procpool.ServeIfWorker() // in a worker process: serve tasks, then exit
	n := flag.Uint64("n", 10_000_000, "each task sums the squares of range(n); n < 2**32")
	tasks := flag.Int("tasks", 4, "how many tasks")
	workers := flag.Int("workers", 4, "how many tasks run at once on the pool")
	repeat := flag.Int("repeat", 3, "time each way this many times and report the fastest")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *n, *tasks, *workers, max(1, *repeat)); err != nil {
		fmt.Fprintln(os.Stderr, "cpubound:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, n uint64, tasks, workers, repeat int) error {
	if n >= 1<<32 {
		return fmt.Errorf("-n %d: want n < 2**32, so that i*i fits in 64 bits", n)
	}
	inputs := slices.Repeat([]uint64{n}, tasks)
	fmt.Printf("%d tasks, each the sum of i*i for i in range(%d); %d CPUs, GOMAXPROCS=%d; fastest of %d runs\n",
		tasks, n, runtime.NumCPU(), runtime.GOMAXPROCS(0), repeat)

	// Sequential: the baseline. Each way is timed repeat times and the fastest run
	// counts: on a busy machine the others measure the neighbours.
	var want []Sum
	sequential, err := fastest(repeat, func() (time.Duration, error) {
		start := time.Now()
		want = want[:0]
		for _, in := range inputs {
			s, err := sumOfSquares.Call(ctx, in)
			if err != nil {
				return 0, err
			}
			want = append(want, s)
		}
		return time.Since(start), nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("sequential:              %8.1f ms\n", ms(sequential))

	// The same calls on a threadpool.
	tp, err := threadpool.New(threadpool.WithMaxWorkers(workers))
	if err != nil {
		return err
	}
	defer tp.Close()
	elapsed, err := fastest(repeat, func() (time.Duration, error) { return timeMap(ctx, tp, inputs, want) })
	if err != nil {
		return fmt.Errorf("threadpool: %w", err)
	}
	fmt.Printf("threadpool, %2d workers:  %8.1f ms, %.2fx the speed of sequential\n",
		workers, ms(elapsed), float64(sequential)/float64(elapsed))

	// And on a procpool. New returns when its first worker is ready; the others may
	// still be starting during the Map.
	start := time.Now()
	pp, err := procpool.New(procpool.WithWorkers(workers))
	if err != nil {
		return err
	}
	defer pp.Close()
	startup := time.Since(start)
	elapsed, err = fastest(repeat, func() (time.Duration, error) { return timeMap(ctx, pp, inputs, want) })
	if err != nil {
		return fmt.Errorf("procpool: %w", err)
	}
	fmt.Printf("procpool,   %2d workers:  %8.1f ms, %.2fx the speed of sequential (and %.1f ms in procpool.New)\n",
		workers, ms(elapsed), float64(sequential)/float64(elapsed), ms(startup))

	fmt.Println("Results:", want)
	fmt.Println("Go has no GIL: goroutines run Go code on all cores at once, so a threadpool speeds up CPU-bound work too.")
	return errors.Join(tp.Close(), pp.Close())
}

// timeMap maps sumOfSquares over inputs on ex, checks the results against want, and
// returns how long it took.
func timeMap(ctx context.Context, ex executor.Executor, inputs []uint64, want []Sum) (time.Duration, error) {
	start := time.Now()
	var got []Sum
	for s, err := range executor.Map(ctx, ex, sumOfSquares, slices.Values(inputs)) {
		if err != nil {
			return 0, err
		}
		got = append(got, s)
	}
	elapsed := time.Since(start)
	if !slices.Equal(got, want) {
		return 0, fmt.Errorf("results %v differ from the sequential ones %v", got, want)
	}
	return elapsed, nil
}

// fastest runs f n times and returns its shortest time.
func fastest(n int, f func() (time.Duration, error)) (time.Duration, error) {
	var best time.Duration
	for i := range n {
		d, err := f()
		if err != nil {
			return 0, err
		}
		if i == 0 || d < best {
			best = d
		}
	}
	return best, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
