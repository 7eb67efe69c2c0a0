package procpool_test

import (
	"context"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// servicePools are the pools a service would run, each on 2 workers: the fixed pool is
// the baseline of the others, so that what a bounded queue, a queue timeout or an
// elastic size costs per task is a ratio from one run.
var servicePools = []struct {
	name string
	opts []procpool.Option
}{
	{"fixed", nil},
	{"queue-size", []procpool.Option{procpool.WithQueueSize(1024)}},
	{"queue-timeout", []procpool.Option{procpool.WithQueueTimeout(time.Minute)}},
	{"elastic", []procpool.Option{procpool.WithMinWorkers(1), procpool.WithIdleTTL(time.Minute)}},
}

// serviceBenchPool starts one of servicePools and has both its workers ready: an elastic
// pool is grown first, as a service under load would have it.
func serviceBenchPool(b *testing.B, opts []procpool.Option) *procpool.Pool {
	b.Helper()
	p, err := procpool.New(append(append(baseOptions(), procpool.WithWorkers(2)), opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	ctx := context.Background()
	for p.Stats().Workers < 2 { // outside the timed loop: a burst grows an elastic pool
		burst(b, ctx, p, 16)
	}
	return p
}

// BenchmarkServiceRoundTrip is one Submit of Square plus its Result, one at a time.
func BenchmarkServiceRoundTrip(b *testing.B) {
	for _, c := range servicePools {
		b.Run(c.name, func(b *testing.B) {
			p := serviceBenchPool(b, c.opts)
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := submitWait(ctx, p, workloads.Square, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServiceBurst submits 64 tasks at once and waits for them all: the queue is
// used, its timer set and reset. An op is a burst; ns/task is per task.
func BenchmarkServiceBurst(b *testing.B) {
	const n = 64
	for _, c := range servicePools {
		b.Run(c.name, func(b *testing.B) {
			p := serviceBenchPool(b, c.opts)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				burst(b, ctx, p, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
		})
	}
}

func burst(b *testing.B, ctx context.Context, p *procpool.Pool, n int) {
	futs := make([]*executor.Future[int], n)
	for i := range futs {
		f, err := executor.Submit(ctx, p, workloads.Square, i)
		if err != nil {
			b.Fatal(err)
		}
		futs[i] = f
	}
	for _, f := range futs {
		if _, err := f.Result(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
