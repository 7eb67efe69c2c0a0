// Package otelexec connects an executor to OpenTelemetry: a span per task, a trace that
// continues in the worker process, and the pool's [executor.Stats] as metrics.
//
//   - [NewObserver] is an [executor.TaskObserver] (threadpool.WithObserver,
//     procpool.WithObserver) that makes a span per task, child of the caller's span, from
//     its queueing to its end, with its queue wait, run time and, when its worker was
//     killed, why, as attributes.
//   - [NewPropagator] is an [executor.Propagator] over an OpenTelemetry propagator (W3C
//     trace context and baggage by default): given to procpool.WithPropagator on both
//     sides, it carries the task's span to the worker, where the task's ctx continues the
//     same trace.
//   - [NewProducer] is a metric producer for the OpenTelemetry SDK's readers
//     (sdkmetric.WithProducer) that turns one Stats call per collection into the pool's
//     counters, gauges, per-worker figures and per-function histograms, at no cost per
//     task beyond the timings the pool keeps anyway.
package otelexec
