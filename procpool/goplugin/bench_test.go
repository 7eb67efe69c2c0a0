package goplugin_test

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
	tt "github.com/dualpool/dualpool/procpool/goplugin/internal/testtasks"
)

// The benchmarks run the same plugin binary over both transports, so that each go-plugin
// figure has its pipe baseline from the same run: a task's round trip, Map's per-item
// cost, and the start-up of a pool (with and without AutoMTLS).

// transports are the ways to start a pool of n processes of the test plugin.
var transports = []struct {
	name string
	new  func(n int) (*procpool.Pool, error)
}{
	{"pipe", func(n int) (*procpool.Pool, error) {
		return procpool.New(append(baseOptions(), procpool.WithCommand(pluginBin), procpool.WithWorkers(n))...)
	}},
	{"goplugin", func(n int) (*procpool.Pool, error) {
		return goplugin.New(pluginBin, goplugin.WithPoolOptions(append(baseOptions(), procpool.WithWorkers(n))...))
	}},
	{"goplugin_mtls", func(n int) (*procpool.Pool, error) {
		return goplugin.New(pluginBin, goplugin.WithAutoMTLS(), goplugin.WithPoolOptions(append(baseOptions(), procpool.WithWorkers(n))...))
	}},
}

// benchPool starts a pool of n workers and waits until all are ready.
func benchPool(b *testing.B, newPool func(int) (*procpool.Pool, error), n int) *procpool.Pool {
	b.Helper()
	p, err := newPool(n)
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
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			p := benchPool(b, tr.new, 1)
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := submitWait(ctx, p, tt.Square, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMap is Map(Square) on 2 workers: ns/op is per item.
func BenchmarkMap(b *testing.B) {
	for _, tr := range transports[:2] {
		for _, chunk := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/chunk=%d", tr.name, chunk), func(b *testing.B) {
				p := benchPool(b, tr.new, 2)
				b.ReportAllocs()
				b.ResetTimer()
				for _, err := range executor.Map(context.Background(), p, tt.Square, count(b.N), executor.Chunk(chunk)) {
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// BenchmarkStart is New with one worker until its first result, then Close.
func BenchmarkStart(b *testing.B) {
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := tr.new(1)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := submitWait(context.Background(), p, tt.Square, 2); err != nil {
					b.Fatal(err)
				}
				if err := p.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
