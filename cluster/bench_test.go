package cluster_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// The cluster's costs, each beside its baseline on a procpool of this host in the same
// run: go test -run '^$' -bench . -benchtime=2s ./cluster (in the cluster module).

// roundTrips submits one task at a time, b.N times, and reports the p50 and p99 of the
// round trip.
func roundTrips(b *testing.B, ex executor.Executor) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		f, err := executor.Submit(ctx, ex, workloads.Square, i)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Result(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkRoundTrip is one task's round trip through the embedded server and a local
// node, one at a time; Procpool is the same on a process pool, the baseline.
func BenchmarkRoundTrip(b *testing.B) {
	b.Run("cluster", func(b *testing.B) {
		p, err := cluster.New(cluster.WithLocalWorkers(1))
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		roundTrips(b, p)
	})
	b.Run("procpool", func(b *testing.B) {
		p := baseline(b, procpool.WithWorkers(1))
		defer p.Close()
		roundTrips(b, p)
	})
}

// BenchmarkThroughputTwoNodes is Map with Chunk(256) over two nodes, each in a process of
// its own with one worker, reported in tasks/s; the baseline is a procpool of two workers.
func BenchmarkThroughputTwoNodes(b *testing.B) {
	const items = 10000
	run := func(b *testing.B, ex executor.Executor) {
		in := make([]int, items)
		ctx := context.Background()
		b.ResetTimer()
		for range b.N {
			for _, err := range executor.Map(ctx, ex, workloads.Square, slices.Values(in), executor.Chunk(256)) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(items*b.N)/b.Elapsed().Seconds(), "tasks/s")
	}
	b.Run("cluster", func(b *testing.B) {
		url, name := serverURL(b), poolName(b)
		p := client(b, url, name)
		startNode(b, url, name)
		startNode(b, url, name)
		run(b, p)
	})
	b.Run("procpool", func(b *testing.B) {
		p := baseline(b, procpool.WithWorkers(2))
		defer p.Close()
		run(b, p)
	})
}

// BenchmarkNodeKilled is the time from a node's SIGKILL, mid-task, to its task's
// completion on the other node, with AckWait 1s (the wait is most of it); the baseline is
// a procpool's worker killed mid-task, whose task fails at once.
func BenchmarkNodeKilled(b *testing.B) {
	b.Run("cluster", func(b *testing.B) {
		url, name := serverURL(b), poolName(b)
		p := client(b, url, name, cluster.WithAckWait(time.Second))
		nodes := map[int]*nodeProc{}
		for range 2 {
			n := startNode(b, url, name)
			nodes[n.cmd.Process.Pid] = n
		}
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			dir, task := b.TempDir(), "t"+strconv.Itoa(i)
			f, err := executor.Submit(context.Background(), p, gate, GateArgs{dir, task})
			if err != nil {
				b.Fatal(err)
			}
			waitFile(b, dir, task+".started")
			first, _ := strconv.Atoi(runs(b, dir, task)[0])
			release(b, dir, task)
			b.StartTimer()
			nodes[first].kill(b)
			if _, err := f.Result(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			delete(nodes, first)
			n := startNode(b, url, name) // the next kill leaves one node too
			nodes[n.cmd.Process.Pid] = n
			b.StartTimer()
		}
	})
	b.Run("procpool", func(b *testing.B) {
		// Each fresh worker dies on its first task, which the restart rule counts as one
		// that cannot stay up: the baseline lifts the rule, as a crash is what it times.
		p := baseline(b, procpool.WithWorkers(1), procpool.WithRestartIntensity(1<<20, time.Minute))
		defer p.Close()
		for range b.N {
			f, err := executor.Submit(context.Background(), p, workloads.Exit, 1)
			if err != nil {
				b.Fatal(err)
			}
			f.Result(context.Background())
		}
	})
}

// BenchmarkEmbedded is the start-up of a cluster pool: New (the embedded server and a
// local node of one worker) to the first result, then Close; the baseline is procpool's.
func BenchmarkEmbedded(b *testing.B) {
	first := func(b *testing.B, ex executor.Executor) {
		f, err := executor.Submit(context.Background(), ex, workloads.Square, 2)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Result(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("cluster", func(b *testing.B) {
		for range b.N {
			p, err := cluster.New(cluster.WithLocalWorkers(1))
			if err != nil {
				b.Fatal(err)
			}
			first(b, p)
			b.StopTimer()
			p.Close()
			b.StartTimer()
		}
	})
	b.Run("procpool", func(b *testing.B) {
		for range b.N {
			p, err := procpool.New(procpool.WithWorkers(1))
			if err != nil {
				b.Fatal(err)
			}
			first(b, p)
			b.StopTimer()
			p.Close()
			b.StartTimer()
		}
	})
}

// baseline starts the procpool a cluster figure is set beside; the caller closes it.
func baseline(b *testing.B, opts ...procpool.Option) *procpool.Pool {
	b.Helper()
	p, err := procpool.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	return p
}
