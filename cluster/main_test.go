package cluster_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if spec := os.Getenv("CLUSTER_TEST_CLIENT"); spec != "" {
		os.Exit(runClient(spec))
	}
	goleak.VerifyTestMain(m)
}

// runClient is a client in a process of its own, for a test to kill: on the server and
// pool of spec ("url name dir") it submits gate task busy, waits for it to start, submits
// gate task orphan (which waits in the queue behind it), writes dir/submitted and waits
// to be killed.
func runClient(spec string) int {
	f := strings.Fields(spec)
	p, err := cluster.New(cluster.WithURL(f[0]), cluster.WithName(f[1]))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	if _, err := executor.Submit(ctx, p, gate, GateArgs{f[2], "busy"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for {
		if _, err := os.Stat(filepath.Join(f[2], "busy.started")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := executor.Submit(ctx, p, gate, GateArgs{f[2], "orphan"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.WriteFile(filepath.Join(f[2], "submitted"), nil, 0o644)
	select {}
}
