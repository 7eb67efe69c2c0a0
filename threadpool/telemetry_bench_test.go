package threadpool_test

import (
	"context"
	"testing"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// BenchmarkSubmitResultTelemetry: BenchmarkSubmitResult's loop on 2 workers with the
// timings of Stats on (the default: every task timed) and off, on for one task in 8, and
// with an observer that does nothing; the difference in ns/op is their cost per task.
func BenchmarkSubmitResultTelemetry(b *testing.B) {
	for _, c := range []struct {
		name string
		opt  threadpool.Option
	}{
		{"timings=off", threadpool.WithTimings(false)},
		{"timings=on", nil},
		{"timings=on,sample=8", threadpool.WithTimingSample(8)},
		{"timings=on+observer", threadpool.WithObserver(nopObserver{})},
	} {
		b.Run(c.name, func(b *testing.B) { submitBursts(b, threadpool.WithMaxWorkers(2), c.opt) })
	}
}

type nopObserver struct{}

func (nopObserver) TaskQueued(ctx context.Context, _ executor.TaskEvent) context.Context {
	return ctx
}
func (nopObserver) TaskStarted(context.Context, executor.TaskEvent) {}
func (nopObserver) TaskEnded(context.Context, executor.TaskEvent)   {}
