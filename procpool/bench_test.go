package procpool_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/threadpool"
)

// The benchmarks put each figure beside its baseline, so that the ratio comes from one
// run: a task's round trip beside a raw pipe ping-pong with a child process, the CPU
// workload beside a sequential loop and the goroutine pool. Take numbers on a quiet
// machine.

// benchPool starts a pool of n workers and waits until all are ready.
func benchPool(b *testing.B, n int, opts ...procpool.Option) *procpool.Pool {
	b.Helper()
	p, err := procpool.New(append(append(baseOptions(), procpool.WithWorkers(n)), opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	for p.Stats().Workers < n { // polling outside the timed loop
		time.Sleep(time.Millisecond)
	}
	return p
}

// BenchmarkRoundTrip is one Submit of Square plus its Result, on one worker.
func BenchmarkRoundTrip(b *testing.B) {
	p := benchPool(b, 1)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := submitWait(ctx, p, workloads.Square, i); err != nil {
			b.Fatal(err)
		}
	}
}

// startEcho starts this test binary as a child that echoes its stdin to its stdout, and
// returns its ends of the two pipes; the child ends with the benchmark.
func startEcho(b *testing.B) (io.WriteCloser, io.Reader) {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envMode+"=echo")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { in.Close(); cmd.Wait() })
	return in, out
}

// BenchmarkRawPipePingPong is the floor under BenchmarkRoundTrip: 8 bytes to a child
// process over a pipe and back, no protocol, no codec, no futures.
func BenchmarkRawPipePingPong(b *testing.B) {
	in, out := startEcho(b)
	msg := make([]byte, 8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := in.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(out, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEcho1MiB passes a 1 MiB []byte to a worker and takes it back, beside
// BenchmarkRawPipe1MiB, the same bytes through a raw pipe to a child and back.
func BenchmarkEcho1MiB(b *testing.B) {
	p := benchPool(b, 1)
	ctx := context.Background()
	msg := make([]byte, 1<<20)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		out, err := submitWait(ctx, p, workloads.Echo, msg)
		if err != nil || len(out) != len(msg) {
			b.Fatalf("Echo = %d bytes, %v; want %d bytes", len(out), err, len(msg))
		}
	}
}

// BenchmarkRawPipe1MiB: see BenchmarkEcho1MiB.
func BenchmarkRawPipe1MiB(b *testing.B) {
	in, out := startEcho(b)
	msg, back := make([]byte, 1<<20), make([]byte, 1<<20)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		written := make(chan error, 1)
		go func() { _, err := in.Write(msg); written <- err }() // the child echoes as it reads
		if _, err := io.ReadFull(out, back); err != nil {
			b.Fatal(err)
		}
		if err := <-written; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMapSquare is Map(Square) on 2 workers: ns/op is per item. Run it with
// -benchtime=1000000x for the guide's million items.
// The sub-benchmark "auto" gives no Chunk option: Map sizes its chunks itself.
func BenchmarkMapSquare(b *testing.B) {
	for _, chunk := range []int{0, 1, 64, 1024} {
		name, opts := "auto", []executor.MapOption(nil)
		if chunk > 0 {
			name, opts = "chunk="+itoa(chunk), []executor.MapOption{executor.Chunk(chunk)}
		}
		b.Run(name, func(b *testing.B) {
			p := benchPool(b, 2)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for _, err := range executor.Map(ctx, p, workloads.Square, seq(b.N), opts...) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != b.N {
				b.Fatalf("Map yielded %d items; want %d", n, b.N)
			}
		})
	}
}

// workerBinaries are the worker binaries the start-up and memory benchmarks compare:
// this test binary re-executed, and the stock cmd/procworker (built once).
func workerBinaries(b *testing.B) map[string][]procpool.Option {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "procworker")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/procworker").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return map[string][]procpool.Option{"self": nil, "procworker": {procpool.WithCommand(bin)}}
}

// BenchmarkNewToFirstResult is New with 2 workers up to the first task's result.
func BenchmarkNewToFirstResult(b *testing.B) {
	ctx := context.Background()
	for name, opts := range workerBinaries(b) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				p, err := procpool.New(append(append(baseOptions(), procpool.WithWorkers(2)), opts...)...)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := submitWait(ctx, p, workloads.Square, 2); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				p.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkIdleWorkerMemory reports the private memory (USS) of an idle worker, the mean
// of 2 that have each run a task, for this test binary and for cmd/procworker. USS counts
// a binary's pages that no other process maps: with a single worker of a separate binary
// it would include the whole program text.
func BenchmarkIdleWorkerMemory(b *testing.B) {
	ctx := context.Background()
	for name, opts := range workerBinaries(b) {
		b.Run(name, func(b *testing.B) {
			p := benchPool(b, 2, opts...)
			for range 4 {
				if _, err := submitWait(ctx, p, workloads.Square, 2); err != nil {
					b.Fatal(err)
				}
			}
			var mem uint64
			for b.Loop() {
				mem = 0
				ws := p.Stats().PerWorker
				for _, w := range ws {
					mem += w.Memory / uint64(len(ws))
				}
			}
			b.ReportMetric(float64(mem)/(1<<20), "MiB/worker")
		})
	}
}

// BenchmarkCPU is the guide's CPU workload, 4 × sum of squares of range(10^7), one op
// per 4 tasks: sequentially, on a goroutine pool, and on 1 and 2 worker processes.
func BenchmarkCPU(b *testing.B) {
	const n = 10_000_000
	ctx := context.Background()
	run := func(b *testing.B, ex executor.Executor) {
		for b.Loop() {
			var futs []*executor.Future[string]
			for range 4 {
				f, err := executor.Submit(ctx, ex, workloads.SumOfSquares, n)
				if err != nil {
					b.Fatal(err)
				}
				futs = append(futs, f)
			}
			for _, f := range futs {
				if _, err := f.Result(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			for range 4 {
				workloads.SumOfSquares.Call(ctx, n)
			}
		}
	})
	b.Run("threadpool-2", func(b *testing.B) {
		tp, err := threadpool.New(threadpool.WithMaxWorkers(2))
		if err != nil {
			b.Fatal(err)
		}
		defer tp.Close()
		run(b, tp)
	})
	for _, workers := range []int{1, 2} {
		b.Run("procpool-"+itoa(workers), func(b *testing.B) {
			run(b, benchPool(b, workers))
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + itoa(n%10)
}
