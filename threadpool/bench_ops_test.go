package threadpool_test

import (
	"context"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// BenchmarkServiceBurst submits 64 tasks to 2 workers at once and waits for them all, so
// that most wait in the queue: the fixed pool is the baseline of the queue timeout's
// timer and of an elastic pool's bookkeeping, in one run. An op is a burst; ns/task is
// per task.
func BenchmarkServiceBurst(b *testing.B) {
	const n = 64
	for _, c := range []struct {
		name string
		opts []threadpool.Option
	}{
		{"fixed", nil},
		{"queue-size", []threadpool.Option{threadpool.WithQueueSize(1024)}},
		{"queue-timeout", []threadpool.Option{threadpool.WithQueueTimeout(time.Minute)}},
		{"elastic", []threadpool.Option{threadpool.WithMinWorkers(1), threadpool.WithIdleTimeout(time.Minute)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, err := threadpool.New(append([]threadpool.Option{threadpool.WithMaxWorkers(2)}, c.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			ctx := context.Background()
			futs := make([]*executor.Future[int], n)
			b.ReportAllocs()
			for b.Loop() {
				for i := range futs {
					if futs[i], err = executor.Submit(ctx, p, square, i); err != nil {
						b.Fatal(err)
					}
				}
				for _, f := range futs {
					if _, err := f.Result(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
		})
	}
}
