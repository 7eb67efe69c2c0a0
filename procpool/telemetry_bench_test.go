package procpool_test

import (
	"context"
	"testing"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// BenchmarkRoundTripTelemetry is BenchmarkRoundTrip with the timings of Stats off and on
// (the default), and with an idle propagator (one that has nothing to inject) and with
// one that injects a trace: the differences in ns/op are their cost per task.
func BenchmarkRoundTripTelemetry(b *testing.B) {
	traced := context.WithValue(context.Background(), traceKey{}, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	for _, c := range []struct {
		name string
		ctx  context.Context
		opts []procpool.Option
	}{
		{"timings=off", context.Background(), []procpool.Option{procpool.WithTimings(false)}},
		{"timings=on", context.Background(), nil},
		{"timings=on+idle-propagator", context.Background(), []procpool.Option{procpool.WithPropagator(testPropagator{})}},
		{"timings=on+propagated-trace", traced, []procpool.Option{procpool.WithPropagator(testPropagator{})}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := benchPool(b, 1, c.opts...)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := submitWait(c.ctx, p, workloads.Square, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var _ executor.Propagator = testPropagator{}
