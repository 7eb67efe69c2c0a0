package otelexec_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/telemetry/otelexec"
	"github.com/dualpool/dualpool/threadpool"
)

// SpanSeen is the span context a task found in its ctx, in the worker.
type SpanSeen struct {
	TraceID, SpanID string
	Remote          bool
	PID             int
}

var spanSeen = executor.Register("otelexec_test.spanSeen", func(ctx context.Context, _ int) (SpanSeen, error) {
	sc := trace.SpanContextFromContext(ctx)
	return SpanSeen{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), Remote: sc.IsRemote(), PID: os.Getpid()}, nil
})

var hang = executor.Register("otelexec_test.hang", func(_ context.Context, d time.Duration) (int, error) {
	time.Sleep(d) // ignores its ctx: only a kill stops it
	return 0, nil
})

func tracing() (*tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	sr := tracetest.NewSpanRecorder()
	return sr, sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
}

func newProcPool(t *testing.T, opts ...procpool.Option) *procpool.Pool {
	t.Helper()
	p, err := procpool.New(append([]procpool.Option{procpool.WithWorkers(1), procpool.WithEnv("GORACE=atexit_sleep_ms=0")}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// taskSpan returns the one ended span named name.
func taskSpan(t *testing.T, sr *tracetest.SpanRecorder, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "spans named %q", name)
	return found[0]
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

func TestTraceContinuesInTheWorker(t *testing.T) {
	sr, tp := tracing()
	p := newProcPool(t, procpool.WithObserver(otelexec.NewObserver(otelexec.WithTracerProvider(tp))),
		procpool.WithPropagator(otelexec.NewPropagator(nil)))
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	f, err := executor.Submit(ctx, p, spanSeen, 0)
	require.NoError(t, err)
	seen, err := f.Result(ctx)
	require.NoError(t, err)
	parent.End()

	assert.NotEqual(t, os.Getpid(), seen.PID, "the task ran in another process")
	span := taskSpan(t, sr, "dualpool otelexec_test.spanSeen")
	assert.Equal(t, parent.SpanContext().SpanID(), span.Parent().SpanID(), "the task's span is the caller's child")
	assert.Equal(t, parent.SpanContext().TraceID().String(), seen.TraceID, "the worker continues the caller's trace")
	assert.Equal(t, span.SpanContext().SpanID().String(), seen.SpanID, "the worker's parent is the task's span")
	assert.True(t, seen.Remote)
	for _, k := range []attribute.Key{otelexec.AttrQueueWait, otelexec.AttrRun} {
		v, ok := attr(span, k)
		require.True(t, ok, "attribute %s", k)
		assert.GreaterOrEqual(t, v.AsFloat64(), 0.0)
	}
	run, _ := attr(span, otelexec.AttrRun)
	assert.Positive(t, run.AsFloat64(), "a round trip takes time")
	fn, _ := attr(span, otelexec.AttrFunc)
	assert.Equal(t, "otelexec_test.spanSeen", fn.AsString())
	assert.Equal(t, codes.Unset, span.Status().Code)
}

func TestSpanOfAKilledTask(t *testing.T) {
	sr, tp := tracing()
	p := newProcPool(t, procpool.WithObserver(otelexec.NewObserver(otelexec.WithTracerProvider(tp))),
		procpool.WithKillGrace(10*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	f, err := executor.Submit(ctx, p, hang, time.Minute)
	require.NoError(t, err)
	_, err = f.Result(context.Background())
	require.ErrorIs(t, err, executor.ErrKilled)

	span := taskSpan(t, sr, "dualpool otelexec_test.hang")
	assert.Equal(t, codes.Error, span.Status().Code)
	why, ok := attr(span, otelexec.AttrKillReason)
	require.True(t, ok)
	assert.Equal(t, "outlived its ctx", why.AsString())
}

func TestSpanInAGoroutinePool(t *testing.T) {
	sr, tp := tracing()
	p, err := threadpool.New(threadpool.WithObserver(otelexec.NewObserver(otelexec.WithTracerProvider(tp))))
	require.NoError(t, err)
	defer p.Close()
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	f, err := threadpool.Go(ctx, p, func(ctx context.Context) (trace.TraceID, error) {
		return trace.SpanContextFromContext(ctx).TraceID(), nil
	})
	require.NoError(t, err)
	got, err := f.Result(ctx)
	require.NoError(t, err)
	parent.End()
	assert.Equal(t, parent.SpanContext().TraceID(), got)
	span := taskSpan(t, sr, "dualpool closure")
	assert.Equal(t, parent.SpanContext().SpanID(), span.Parent().SpanID())
}

func TestProducer(t *testing.T) {
	p := newProcPool(t, procpool.WithWorkers(2))
	for i := range 3 {
		f, err := executor.Submit(context.Background(), p, spanSeen, i)
		require.NoError(t, err)
		_, err = f.Result(context.Background())
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return p.Stats().Workers == 2 }, 10*time.Second, time.Millisecond)
	reader := sdkmetric.NewManualReader(sdkmetric.WithProducer(otelexec.NewProducer(p, attribute.String("pool", "test"))))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))

	got := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			got[m.Name] = m.Data
		}
	}
	ended := got["dualpool.tasks.ended"].(metricdata.Sum[int64])
	assert.True(t, ended.IsMonotonic)
	for _, dp := range ended.DataPoints {
		outcome, _ := dp.Attributes.Value("dualpool.task.outcome")
		pool, _ := dp.Attributes.Value("pool")
		assert.Equal(t, "test", pool.AsString())
		if outcome.AsString() == "completed" {
			assert.EqualValues(t, 3, dp.Value)
		}
	}
	run := got["dualpool.task.run.duration"].(metricdata.Histogram[float64])
	require.Len(t, run.DataPoints, 1)
	assert.EqualValues(t, 3, run.DataPoints[0].Count)
	assert.Len(t, run.DataPoints[0].BucketCounts, len(run.DataPoints[0].Bounds)+1)
	mem := got["dualpool.worker.memory.usage"].(metricdata.Gauge[int64])
	assert.Len(t, mem.DataPoints, p.Stats().Workers)
	for _, name := range []string{"dualpool.tasks.submitted", "dualpool.tasks.running", "dualpool.tasks.queued",
		"dualpool.workers", "dualpool.worker.restarts", "dualpool.worker.cpu.time", "dualpool.worker.tasks",
		"dualpool.task.queue_wait.duration"} {
		assert.Contains(t, got, name)
	}
}
