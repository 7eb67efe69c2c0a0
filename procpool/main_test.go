package procpool_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// envMode makes the test binary play a part other than a test run; see helperMain.
const envMode = "PROCPOOL_TEST_MODE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(envMode); mode == "noserve" {
		os.Exit(noServeMain())
	}
	procpool.ServeIfWorker()
	switch os.Getenv(envMode) {
	case "parent":
		os.Exit(parentMain())
	}
	goleak.VerifyTestMain(m)
}

// noServeMain is a program that forgot procpool.ServeIfWorker: started as a worker, it
// runs its main, which starts a pool.
func noServeMain() int {
	_, err := procpool.New(procpool.WithWorkers(1))
	fmt.Fprintln(os.Stderr, "noserve main:", err)
	return 1
}

// parentMain starts a pool, prints its workers' pids, and waits to be killed.
func parentMain() int {
	p, err := procpool.New(procpool.WithWorkers(2))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	ctx := context.Background()
	for range 2 { // make sure both workers are up
		f, err := workloadsPID(ctx, p)
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		_ = f
	}
	for _, w := range p.Stats().PerWorker {
		fmt.Println(w.PID)
	}
	fmt.Println("ready")
	time.Sleep(time.Minute)
	return 0
}

func workloadsPID(ctx context.Context, p *procpool.Pool) (int, error) {
	return submitWait(ctx, p, workloads.PID, struct{}{})
}
