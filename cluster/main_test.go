package cluster_test

import (
	"context"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
)

// A node started with CLUSTER_TEST_OTHER_CODE=1 registers one function more than the
// client: it runs other code, and must refuse the client's tasks.
func init() {
	if os.Getenv("CLUSTER_TEST_OTHER_CODE") != "" {
		executor.Register("cluster_test.onlyOnTheNode", func(_ context.Context, n int) (int, error) { return n, nil })
	}
}

func TestMain(m *testing.M) {
	cluster.ServeIfWorker()
	goleak.VerifyTestMain(m)
}
