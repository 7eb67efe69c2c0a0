package workloads

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"net/http"
	"os"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// SleepArgs is the input of [Sleep]: the guide's task(name, duration).
type SleepArgs struct {
	Name     string
	Duration time.Duration
}

// Sleep is the guide's task: it prints "Task <Name> started. Will run for <Duration>.",
// sleeps for Duration (returning ctx's error early if ctx ends), prints
// "Task <Name> finished." and returns "Result from task <Name>". It prints to stdout, so a
// process pool shows the lines through its worker's forwarded output.
var Sleep = executor.Register("workloads.sleep", func(ctx context.Context, a SleepArgs) (string, error) {
	fmt.Printf("Task %s started. Will run for %v.\n", a.Name, a.Duration)
	t := time.NewTimer(a.Duration)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	fmt.Printf("Task %s finished.\n", a.Name)
	return "Result from task " + a.Name, nil
})

// Square returns n*n: the guide's map example, and the smallest task there is, which makes
// it the measure of a backend's per-task overhead.
var Square = executor.Register("workloads.square", func(_ context.Context, n int) (int, error) {
	return n * n, nil
})

// SumOfSquares is the guide's cpu_intensive_task: the sum of i*i for 0 ≤ i < n. The sum
// overflows 64 bits for n = 10^7, so it is kept exact in 128 bits and returned in decimal
// ("333333283333335000000" for 10^7), as Python prints it. It checks ctx every 2^20 steps.
var SumOfSquares = executor.Register("workloads.sum_of_squares", func(ctx context.Context, n int) (string, error) {
	var hi, lo, carry uint64
	for i := 0; i < n; i++ {
		if i&(1<<20-1) == 0 && ctx.Err() != nil {
			return "", ctx.Err()
		}
		sq := uint64(i) * uint64(i) // i < 2^32 keeps this exact
		lo, carry = bits.Add64(lo, sq, 0)
		hi += carry
	}
	v := new(big.Int).SetUint64(hi)
	v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(lo))
	return v.String(), nil
})

// FetchArgs is the input of [Fetch].
type FetchArgs struct {
	URL  string // what to GET
	Path string // the file to write the body to; created or truncated
}

// Fetch is the guide's download_file: an HTTP GET of URL whose body is written to Path.
// It returns the number of bytes written; a status other than 200 is an error.
var Fetch = executor.Register("workloads.fetch", func(ctx context.Context, a FetchArgs) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", a.URL, resp.Status)
	}
	f, err := os.Create(a.Path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
})

// Echo returns its input: the measure of moving bytes through a backend.
var Echo = executor.Register("workloads.echo", func(_ context.Context, b []byte) ([]byte, error) {
	return b, nil
})

// PID returns the process id of the process that runs it: in a process pool, its worker's.
var PID = executor.Register("workloads.pid", func(_ context.Context, _ struct{}) (int, error) {
	return os.Getpid(), nil
})

// Getenv returns the value of the environment variable name in the process that runs it.
var Getenv = executor.Register("workloads.getenv", func(_ context.Context, name string) (string, error) {
	return os.Getenv(name), nil
})
