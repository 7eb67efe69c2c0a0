package promexec_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/procpool"
)

func TestMain(m *testing.M) {
	procpool.ServeIfWorker()
	goleak.VerifyTestMain(m)
}
