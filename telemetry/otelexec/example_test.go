package otelexec_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/telemetry/otelexec"
	"github.com/dualpool/dualpool/threadpool"
)

var square = executor.Register("otelexec_test.square", func(_ context.Context, n int) (int, error) { return n * n, nil })

func ExampleNewObserver() {
	spans := tracetest.NewSpanRecorder() // in a program: an exporter's span processor
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	p, _ := threadpool.New(threadpool.WithObserver(otelexec.NewObserver(otelexec.WithTracerProvider(tp))))

	ctx, request := tp.Tracer("example").Start(context.Background(), "request")
	f, _ := executor.Submit(ctx, p, square, 3)
	f.Result(ctx)
	request.End()
	p.Close()

	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.Parent().SpanID() == request.SpanContext().SpanID())
	}
	// Output:
	// dualpool otelexec_test.square true
	// request false
}

func ExampleNewPropagator() {
	// The same propagator on both sides: in main, before anything else, for the worker
	// process...
	prop := otelexec.NewPropagator(nil) // W3C trace context and baggage
	procpool.ServeIfWorker(procpool.WithPropagator(prop))

	// ...and for the pool, whose tasks' spans then continue in their workers.
	p, err := procpool.New(procpool.WithWorkers(2), procpool.WithPropagator(prop),
		procpool.WithObserver(otelexec.NewObserver()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	fmt.Println(executor.Submit(context.Background(), p, square, 4))
}

func ExampleNewProducer() {
	p, _ := threadpool.New()
	defer p.Close()
	reader := sdkmetric.NewManualReader( // in a program: a periodic reader and an exporter
		sdkmetric.WithProducer(otelexec.NewProducer(p, attribute.String("pool", "io"))))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	f, _ := executor.Submit(context.Background(), p, square, 5)
	f.Result(context.Background())
	var rm metricdata.ResourceMetrics
	reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
				fmt.Println(m.Name, h.DataPoints[0].Count)
			}
		}
	}
	// Output:
	// dualpool.task.queue_wait.duration 1
	// dualpool.task.run.duration 1
}
