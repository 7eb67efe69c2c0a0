package executor_test

import (
	"context"
	"testing"

	"github.com/dualpool/dualpool/executor"
)

// BenchmarkSubmitResultInline: Submit and Result through a backend that runs each task at
// once in the caller's goroutine, a thousand Submits and then their Results: what the
// executor itself costs per task (the Future, its states, its result), which every backend
// pays on top of its own dispatch.
func BenchmarkSubmitResultInline(b *testing.B) {
	var ex inline
	ctx := context.Background()
	futs := make([]*executor.Future[int], 1000)
	b.ReportAllocs()
	for done := 0; done < b.N; done += len(futs) {
		n := min(len(futs), b.N-done)
		for i := range n {
			f, err := executor.Submit(ctx, &ex, square, i)
			if err != nil {
				b.Fatal(err)
			}
			futs[i] = f
		}
		for i := range n {
			if v, err := futs[i].Result(ctx); v != i*i || err != nil {
				b.Fatalf("Result() = %d, %v; want %d", v, err, i*i)
			}
		}
		ex.sizes = ex.sizes[:0]
	}
}
