package otelexec_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/telemetry/otelexec"
)

func TestMain(m *testing.M) {
	procpool.ServeIfWorker(procpool.WithPropagator(otelexec.NewPropagator(nil)))
	goleak.VerifyTestMain(m)
}
