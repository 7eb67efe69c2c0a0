package threadpool_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// The baselines live beside the pool's benchmarks so that every ratio comes from one run:
// raw goroutines with a WaitGroup (no pool at all), and the plain channel worker pool a Go
// programmer writes by hand, with a result channel per task.

var noop = executor.Register("threadpool_test.noop", func(_ context.Context, n int) (int, error) { return n, nil })

// burst is how many tasks each throughput iteration submits before collecting results.
const burst = 1000

// BenchmarkSubmitResult: submit a burst of no-op tasks, then collect every result.
// ns/op is per task. The bursts of deep=10000 queue more than the pool's lock-free ring
// holds (1024): the rest waits in the FIFO behind it.
func BenchmarkSubmitResult(b *testing.B) {
	for _, c := range []struct {
		name           string
		workers, burst int
	}{{"workers=2", 2, burst}, {"workers=1000", 1000, burst}, {"workers=2,deep", 2, 10 * burst}} {
		b.Run("dualpool/"+c.name, func(b *testing.B) {
			submitBurstsOf(b, c.burst, threadpool.WithMaxWorkers(c.workers))
		})
		b.Run("chanpool/"+c.name, func(b *testing.B) {
			pool := newChanPool(c.workers)
			defer pool.close()
			results := make([]chan int, c.burst)
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += c.burst {
				n := min(c.burst, b.N-done)
				for i := range n {
					results[i] = pool.submit(i)
				}
				for i := range n {
					if v := <-results[i]; v != i {
						b.Fatalf("result %d; want %d", v, i)
					}
				}
			}
		})
	}
	b.Run("rawgo+waitgroup", func(b *testing.B) {
		out := make([]int, burst)
		b.ReportAllocs()
		b.ResetTimer()
		for done := 0; done < b.N; done += burst {
			n := min(burst, b.N-done)
			var wg sync.WaitGroup
			wg.Add(n)
			for i := range n {
				go func() {
					defer wg.Done()
					out[i] = i
				}()
			}
			wg.Wait()
		}
	})
}

// BenchmarkLatency: one task at a time, submit to result.
func BenchmarkLatency(b *testing.B) {
	b.Run("dualpool", func(b *testing.B) {
		p, err := threadpool.New(threadpool.WithMaxWorkers(2))
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		ctx := context.Background()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f, err := executor.Submit(ctx, p, noop, i)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Result(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("chanpool", func(b *testing.B) {
		pool := newChanPool(2)
		defer pool.close()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			<-pool.submit(i)
		}
	})
}

// BenchmarkMap: Map of a no-op over b.N items; ns/op is per item. "auto" gives no Chunk
// option: Map sizes its chunks itself.
func BenchmarkMap(b *testing.B) {
	for _, chunk := range []int{0, 1, 16, 256} {
		name, opts := "dualpool/auto", []executor.MapOption(nil)
		if chunk > 0 {
			name, opts = fmt.Sprintf("dualpool/chunk=%d", chunk), []executor.MapOption{executor.Chunk(chunk)}
		}
		b.Run(name, func(b *testing.B) {
			p, err := threadpool.New(threadpool.WithMaxWorkers(2))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for _, err := range executor.Map(context.Background(), p, noop, count(b.N), opts...) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != b.N {
				b.Fatalf("Map yielded %d results; want %d", n, b.N)
			}
		})
	}
	b.Run("chanpool", func(b *testing.B) {
		// The hand-written equivalent: a window of result channels, read in order.
		pool := newChanPool(2)
		defer pool.close()
		window := make([]chan int, 0, 256)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if len(window) == cap(window) {
				<-window[0]
				window = window[1:]
			}
			window = append(window, pool.submit(i))
			if len(window) == cap(window) && cap(window) < 256 {
				window = append(make([]chan int, 0, 256), window...)
			}
		}
		for _, c := range window {
			<-c
		}
	})
}

func count(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// chanPool is the baseline: fixed workers reading a channel of jobs, a result channel
// per job.
type chanPool struct {
	jobs chan chanJob
	wg   sync.WaitGroup
}

type chanJob struct {
	n   int
	out chan int
}

func newChanPool(workers int) *chanPool {
	p := &chanPool{jobs: make(chan chanJob, 1024)}
	p.wg.Add(workers)
	for range workers {
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				j.out <- j.n
			}
		}()
	}
	return p
}

func (p *chanPool) submit(n int) chan int {
	out := make(chan int, 1)
	p.jobs <- chanJob{n: n, out: out}
	return out
}

func (p *chanPool) close() { close(p.jobs); p.wg.Wait() }

// submitBursts times Submit and Result of no-op tasks on a pool made with opts, a burst
// at a time; ns/op is per task.
func submitBursts(b *testing.B, opts ...threadpool.Option) { submitBurstsOf(b, burst, opts...) }

// submitBurstsOf is submitBursts with bursts of n tasks.
func submitBurstsOf(b *testing.B, n int, opts ...threadpool.Option) {
	p, err := threadpool.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	futs := make([]*executor.Future[int], n)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += n {
		k := min(n, b.N-done)
		for i := range k {
			if futs[i], err = executor.Submit(ctx, p, noop, i); err != nil {
				b.Fatal(err)
			}
		}
		for i := range k {
			if v, err := futs[i].Result(ctx); v != i || err != nil {
				b.Fatalf("Result() = %d, %v; want %d, <nil>", v, err, i)
			}
		}
	}
}
