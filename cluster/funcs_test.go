package cluster_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// GateArgs is the input of gate: the folder of its marker files and its name there.
type GateArgs struct {
	Dir, Name string
}

// gate notes each run of it in Dir/Name.runs (the pid of its node, a line a run), writes
// Dir/Name.started, then waits for Dir/Name.go or its ctx, and returns its node's pid:
// a task that other processes can see start, hold, count and release.
var gate = executor.Register("cluster_test.gate", func(ctx context.Context, a GateArgs) (int, error) {
	base := filepath.Join(a.Dir, a.Name)
	node := strconv.Itoa(os.Getppid())
	f, err := os.OpenFile(base+".runs", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	f.WriteString(node + "\n")
	f.Close()
	if err := os.WriteFile(base+".started", []byte(node), 0o644); err != nil {
		return 0, err
	}
	for {
		if _, err := os.Stat(base + ".go"); err == nil {
			return os.Getppid(), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
})

// nodePID returns the pid of the node that runs it (its worker's parent), after d.
var nodePID = executor.Register("cluster_test.nodePID", func(_ context.Context, d time.Duration) (int, error) {
	time.Sleep(d)
	return os.Getppid(), nil
})

// deadlineLeft returns how long its ctx had left when it started, or -1 with no deadline.
var deadlineLeft = executor.Register("cluster_test.deadlineLeft", func(ctx context.Context, _ int) (time.Duration, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return -1, nil
	}
	return time.Until(d), nil
})

// squareOrGoexit squares n, except that n < 0 calls runtime.Goexit, as t.FailNow does.
var squareOrGoexit = executor.Register("cluster_test.squareOrGoexit", func(_ context.Context, n int) (int, error) {
	if n < 0 {
		runtime.Goexit()
	}
	return n * n, nil
})

// hidden has a field that no other process would ever see.
type hidden struct{ n int }

var notPortable = executor.Register("cluster_test.notPortable", func(_ context.Context, h hidden) (int, error) { return h.n, nil })

// byteLen returns the length of its argument.
var byteLen = executor.Register("cluster_test.byteLen", func(_ context.Context, b []byte) (int, error) { return len(b), nil })
