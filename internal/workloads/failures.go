package workloads

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// Fail returns an error whose text is msg: an ordinary task failure.
var Fail = executor.Register("workloads.fail", func(_ context.Context, msg string) (int, error) {
	return 0, errors.New(msg)
})

// Panic panics with msg. Both backends recover it into an *executor.PanicError.
var Panic = executor.Register("workloads.panic", func(_ context.Context, msg string) (int, error) {
	panic(msg)
})

// Exit ends the process that runs it with os.Exit(code), without running deferred calls.
var Exit = executor.Register("workloads.exit", func(_ context.Context, code int) (int, error) {
	os.Exit(code)
	return 0, nil
})

// FatalError crashes the process with a Go fatal error, which no recover can stop:
// goroutines write one map at once until the runtime notices ("fatal error: concurrent
// map writes"). Should the race never be caught, it ends with a stack overflow, another
// fatal error, after a second.
var FatalError = executor.Register("workloads.fatal_error", func(_ context.Context, _ struct{}) (int, error) {
	m := map[int]int{}
	var wg sync.WaitGroup
	stop := time.Now().Add(time.Second)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				m[i%1024+g] = i
			}
		}()
	}
	wg.Wait()
	debug.SetMaxStack(1 << 16)
	return recurse(0), nil
})

// recurse overflows the stack: a fatal error no recover stops.
func recurse(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	//lint:ignore SA5007 the point of it
	return recurse(n+1) + int(pad[0])
}

// Hang sleeps for d, or for ever when d is 0, and ignores its ctx: the task that only a
// kill can stop.
var Hang = executor.Register("workloads.hang", func(_ context.Context, d time.Duration) (int, error) {
	if d <= 0 {
		d = 1<<63 - 1
	}
	time.Sleep(d)
	return 0, nil
})

// leaked keeps what Leak allocates for the life of the process.
var leaked struct {
	sync.Mutex
	blocks [][]byte
}

// Leak allocates n MiB, touches every page so that the memory is really private to the
// process, and keeps it until the process ends: a memory leak. It returns n.
var Leak = executor.Register("workloads.leak", func(_ context.Context, n int) (int, error) {
	b := touched(n)
	leaked.Lock()
	leaked.blocks = append(leaked.blocks, b)
	leaked.Unlock()
	return n, nil
})

// HoldArgs is the input of [Hold].
type HoldArgs struct {
	MiB  int           // how much to allocate
	Hold time.Duration // how long to hold it; 0: until ctx ends
}

// Hold allocates MiB mebibytes, touches them, and holds them for Hold or until its ctx
// ends, then lets them go. It returns MiB, or ctx's error.
var Hold = executor.Register("workloads.hold", func(ctx context.Context, a HoldArgs) (int, error) {
	b := touched(a.MiB)
	var timeout <-chan time.Time
	if a.Hold > 0 {
		t := time.NewTimer(a.Hold)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	b[len(b)-1]++ // keep b alive until here
	return a.MiB, nil
})

func touched(mib int) []byte {
	b := make([]byte, max(mib, 0)<<20+1)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return b
}

// Noise writes n lines to stdout and n to stderr, alternating, each long enough (about
// 100 bytes) that torn or interleaved lines would show. It returns n.
var Noise = executor.Register("workloads.noise", func(_ context.Context, n int) (int, error) {
	pad := "................................................................................"
	for i := range n {
		fmt.Fprintf(os.Stdout, "noise stdout %d pid %d %s\n", i, os.Getpid(), pad)
		fmt.Fprintf(os.Stderr, "noise stderr %d pid %d %s\n", i, os.Getpid(), pad)
	}
	return n, nil
})

// LargeResult returns n bytes, byte i being i%251: a result that exercises big frames.
var LargeResult = executor.Register("workloads.large_result", func(_ context.Context, n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("LargeResult(%d): want n ≥ 0", n)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b, nil
})
