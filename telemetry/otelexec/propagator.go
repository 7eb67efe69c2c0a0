package otelexec

import (
	"context"

	"go.opentelemetry.io/otel/propagation"

	"github.com/dualpool/dualpool/executor"
)

// NewPropagator returns an [executor.Propagator] that injects and extracts with p, or
// with W3C trace context and baggage when p is nil. Give the same one to the pool and to
// its workers.
func NewPropagator(p propagation.TextMapPropagator) executor.Propagator {
	if p == nil {
		p = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return propagator{p}
}

type propagator struct{ p propagation.TextMapPropagator }

// Inject writes ctx's span context and baggage into c; executor.Carrier has the method
// set of propagation.TextMapCarrier.
func (p propagator) Inject(ctx context.Context, c executor.Carrier) { p.p.Inject(ctx, c) }

func (p propagator) Extract(ctx context.Context, c executor.Carrier) context.Context {
	return p.p.Extract(ctx, c)
}
