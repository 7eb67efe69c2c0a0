package cluster_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/cluster"
)

func TestMain(m *testing.M) {
	cluster.ServeIfWorker()
	goleak.VerifyTestMain(m)
}
