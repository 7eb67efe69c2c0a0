// Package testtasks holds the tasks of package goplugin's test plugin: the plugin serves
// them, and the tests import them for their names and types.
package testtasks

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// The tasks.
var (
	Square = executor.Register("tp.square", func(_ context.Context, n int) (int, error) { return n * n, nil })
	Fail   = executor.Register("tp.fail", func(_ context.Context, n int) (int, error) {
		return 0, fmt.Errorf("tp: refusing %d", n)
	})
	Panic = executor.Register("tp.panic", func(_ context.Context, n int) (int, error) {
		panic(fmt.Sprintf("tp: cannot handle %d", n))
	})
	Exit = executor.Register("tp.exit", func(_ context.Context, code int) (int, error) {
		fmt.Fprintf(os.Stderr, "tp: exiting with code %d\n", code)
		os.Exit(code)
		return 0, nil
	})
	Hang = executor.Register("tp.hang", func(_ context.Context, _ int) (int, error) {
		time.Sleep(time.Hour) // ignores its ctx: only a kill stops it
		return 0, nil
	})
	Sleep = executor.Register("tp.sleep", func(ctx context.Context, ms int) (int, error) {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return ms, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	Leak = executor.Register("tp.leak", func(_ context.Context, mib int) (int, error) {
		b := make([]byte, mib<<20)
		for i := range b {
			b[i] = 1
		}
		leaked = append(leaked, b)
		time.Sleep(time.Second) // held while the pool samples it
		return len(leaked), nil
	})
	Print = executor.Register("tp.print", func(_ context.Context, s string) (string, error) {
		fmt.Println("stdout:", s)
		fmt.Fprintln(os.Stderr, "stderr:", s)
		logger.Info("hclog line", "said", s)
		return s, nil
	})
	PID = executor.Register("tp.pid", func(_ context.Context, _ int) (int, error) { return os.Getpid(), nil })
)

var (
	leaked [][]byte
	logger = goplugin.Logger("testplugin")
)
