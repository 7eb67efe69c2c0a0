package cluster_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
)

// externalURL is the URL of a server to run the suite against as well, from
// DUALPOOL_NATS_URL; "" runs it on embedded servers only.
func externalURL() string { return os.Getenv("DUALPOOL_NATS_URL") }

// newPool makes a pool for a test, closed at its end: an embedded server with two local
// workers, or, when DUALPOOL_NATS_URL is set, a pool of its own name on that server with
// two local workers.
func newPool(t testing.TB, opts ...cluster.Option) *cluster.Pool {
	t.Helper()
	base := []cluster.Option{cluster.WithLocalWorkers(2)}
	if u := externalURL(); u != "" {
		base = append(base, cluster.WithURL(u), cluster.WithName(poolName(t)))
	}
	p, err := cluster.New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("cluster.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return p
}

var _ executor.Executor = (*cluster.Pool)(nil)

// poolName is a pool name of the test's own, so that tests sharing an external server
// never take each other's tasks.
func poolName(t testing.TB) string {
	n := []byte(t.Name())
	for i, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			n[i] = '_'
		}
	}
	if len(n) > 40 {
		n = n[:40]
	}
	return string(n) + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
}

// waitFile waits for dir/name to exist.
func waitFile(t testing.TB, dir, name string) {
	t.Helper()
	proctest.Eventually(t, time.Minute, func() bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}, name+" to appear")
}

// release lets the gate task name return.
func release(t testing.TB, dir, name string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".go"), nil, 0o644))
}
