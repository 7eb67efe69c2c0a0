package procpool_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// envMode makes the test binary play a part other than a test run; see helperMain.
const envMode = "PROCPOOL_TEST_MODE"

func TestMain(m *testing.M) {
	switch os.Getenv(envMode) {
	case "noserve":
		os.Exit(noServeMain())
	case "once":
		onceMain()
	case "deaf":
		os.Exit(deafMain())
	case "echo":
		io.Copy(os.Stdout, os.Stdin) // the raw pipe ping-pong of the benchmarks
		os.Exit(0)
	}
	if os.Getenv(envMode) == "extra" { // a worker built from other code than its parent
		executor.Register("procpool_test.extra", func(context.Context, int) (int, error) { return 0, nil })
	}
	deployedMain()                            // a worker whose answer comes from a file, for Reset's tests
	if os.Getenv(envMode) == "nopropagator" { // a worker that does not read Context frames
		procpool.ServeIfWorker()
	}
	procpool.ServeIfWorker(procpool.WithPropagator(propagators{testPropagator{}, tenantPropagator{}}))
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

// onceMain lets one worker start (the first to create the marker file); every later one
// fails at start-up, leaving a line in the marker's .fails file.
func onceMain() {
	marker := os.Getenv("PROCPOOL_TEST_MARKER")
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		f.Close()
		return
	}
	fails, _ := os.OpenFile(marker+".fails", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	fmt.Fprintln(fails, time.Now().Format(time.RFC3339Nano))
	fails.Close()
	os.Exit(1)
}

// parentMain starts a pool (WithCgroup too, if PROCPOOL_TEST_CGROUP is set), prints its
// workers' pids, and waits to be killed.
func parentMain() int {
	opts := []procpool.Option{procpool.WithWorkers(2), procpool.WithEnv("GORACE=atexit_sleep_ms=0")}
	if os.Getenv("PROCPOOL_TEST_CGROUP") != "" {
		opts = append(opts, procpool.WithCgroup(procpool.CgroupLimits{}))
	}
	p, err := procpool.New(opts...)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	for p.Stats().Workers < 2 {
		time.Sleep(10 * time.Millisecond) // a helper process: polling is fine here
	}
	for _, w := range p.Stats().PerWorker {
		fmt.Println(w.PID)
	}
	if child, err := submitWait(context.Background(), p, startSleep, struct{}{}); err == nil {
		fmt.Println("grandchild", child) // a process a task started, still running
	}
	fmt.Println("ready")
	time.Sleep(time.Minute)
	return 0
}

// deafMain is a worker that says hello and then ignores every frame, Shutdown included;
// it exits only when its IPC pipe ends.
func deafMain() int {
	out := os.NewFile(4, "to-parent")
	hello := ipc.AppendHello(nil, ipc.Hello{Version: ipc.Version, PID: os.Getpid(),
		Codec: os.Getenv("DUALPOOL_CODEC"), Names: backend.Names()})
	if _, err := out.Write(hello); err != nil {
		return 2
	}
	io.Copy(io.Discard, os.NewFile(3, "from-parent"))
	return 0
}
