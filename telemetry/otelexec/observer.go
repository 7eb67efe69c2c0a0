package otelexec

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/dualpool/dualpool/executor"
)

// The attributes of a task's span.
const (
	AttrFunc       = attribute.Key("dualpool.func")               // the registered name
	AttrCalls      = attribute.Key("dualpool.calls")              // a Map chunk's calls
	AttrQueueWait  = attribute.Key("dualpool.queue_wait.seconds") // from Submit to start
	AttrRun        = attribute.Key("dualpool.run.seconds")        // from start to end
	AttrKillReason = attribute.Key("dualpool.kill_reason")        // why its worker was killed
)

// ScopeName is the instrumentation scope of the spans and metrics of this package.
const ScopeName = "github.com/dualpool/dualpool/telemetry/otelexec"

// Observer is an [executor.TaskObserver] that makes a span per task. Make it with
// [NewObserver]; it is safe for concurrent use.
type Observer struct {
	tracer trace.Tracer
}

var _ executor.TaskObserver = (*Observer)(nil)

// ObserverOption configures an [Observer].
type ObserverOption func(*Observer)

// WithTracerProvider makes the spans with tp instead of the global provider.
func WithTracerProvider(tp trace.TracerProvider) ObserverOption {
	return func(o *Observer) { o.tracer = tp.Tracer(ScopeName) }
}

// NewObserver returns an Observer of the global tracer provider's, unless an option says
// otherwise.
func NewObserver(opts ...ObserverOption) *Observer {
	o := &Observer{}
	for _, opt := range opts {
		opt(o)
	}
	if o.tracer == nil {
		o.tracer = otel.GetTracerProvider().Tracer(ScopeName)
	}
	return o
}

// spanName is the name of a task's span: "dualpool <func>", or "dualpool closure".
func spanName(fn string) string {
	if fn == "" {
		return "dualpool closure"
	}
	return "dualpool " + fn
}

// TaskQueued starts the task's span, a child of ctx's, and returns ctx with it: what a
// process pool's propagator carries to the worker.
func (o *Observer) TaskQueued(ctx context.Context, ev executor.TaskEvent) context.Context {
	attrs := []attribute.KeyValue{AttrFunc.String(ev.Func)}
	if ev.Calls > 1 {
		attrs = append(attrs, AttrCalls.Int(ev.Calls))
	}
	ctx, _ = o.tracer.Start(ctx, spanName(ev.Func), trace.WithAttributes(attrs...))
	return ctx
}

// TaskStarted marks the span with an event when the task leaves the queue.
func (o *Observer) TaskStarted(ctx context.Context, ev executor.TaskEvent) {
	trace.SpanFromContext(ctx).AddEvent("started", trace.WithAttributes(AttrQueueWait.Float64(ev.QueueWait.Seconds())))
}

// TaskEnded ends the span, with the task's times, its error and its kill reason.
func (o *Observer) TaskEnded(ctx context.Context, ev executor.TaskEvent) {
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(AttrQueueWait.Float64(ev.QueueWait.Seconds()), AttrRun.Float64(ev.Run.Seconds()))
	if ev.Kill != "" {
		span.SetAttributes(AttrKillReason.String(ev.Kill))
	}
	if ev.Err != nil {
		span.RecordError(ev.Err)
		span.SetStatus(codes.Error, ev.Err.Error())
	}
	span.End()
}
