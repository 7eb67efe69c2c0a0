// Command crashy runs tasks that take their worker process down with them — a panic, an
// os.Exit, a SIGKILL, a hang past the deadline, a Go fatal error — among healthy ones, on a
// process pool. Each failure costs one task: the program goes on, reports it by its error
// type, and the pool replaces the worker and keeps serving.
//
// On a threadpool the same tasks would end the program at the first os.Exit, kill or fatal
// error, and nothing could stop the hang: that is what the process pool is for.
//
// What the workers write to stderr (the exit's message, the fatal error's goroutine dump)
// goes to a file, named on the last line, so that the report reads on its own; the
// line of it that says why a worker died is quoted in the report too.
//
//	go run ./examples/crashy
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

// The tasks. Each is registered, so that a worker process, which is this program
// re-executed, finds it by name.
var (
	square = executor.Register("crashy.square", func(_ context.Context, n int) (int, error) {
		return n * n, nil
	})
	refuse = executor.Register("crashy.refuse", func(_ context.Context, n int) (int, error) {
		return 0, fmt.Errorf("crashy: refusing %d", n)
	})
	panics = executor.Register("crashy.panic", func(_ context.Context, n int) (int, error) {
		panic(fmt.Sprintf("crashy: cannot handle %d", n))
	})
	exits = executor.Register("crashy.exit", func(_ context.Context, code int) (int, error) {
		fmt.Fprintf(os.Stderr, "crashy: giving up with exit code %d\n", code)
		os.Exit(code)
		return 0, nil
	})
	killsItself = executor.Register("crashy.kill", func(_ context.Context, _ int) (int, error) {
		self, err := os.FindProcess(os.Getpid())
		if err != nil {
			return 0, err
		}
		if err := self.Kill(); err != nil { // SIGKILL: a death nothing in the process sees
			return 0, err
		}
		select {}
	})
	hangs = executor.Register("crashy.hang", func(_ context.Context, _ int) (int, error) {
		time.Sleep(24 * time.Hour) // ignores its ctx: only a kill stops it
		return 0, nil
	})
	fatal = executor.Register("crashy.fatal", func(_ context.Context, _ int) (int, error) {
		m := map[int]int{} // written from two goroutines: the runtime ends the process
		var wg sync.WaitGroup
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					m[i%64] = g
				}
			}()
		}
		wg.Wait()
		return 0, nil
	})
)

// job is one task to run: the function, its argument, and how long it may take.
type job struct {
	name    string
	f       executor.Func[int, int]
	in      int
	timeout time.Duration // 0: no deadline
}

func main() {
	procpool.ServeIfWorker() // in a worker process: serve tasks, then exit
	workers := flag.Int("workers", 2, "how many worker processes")
	timeout := flag.Duration("timeout", 500*time.Millisecond, "the deadline of the task that hangs, from its submission")
	grace := flag.Duration("grace", 200*time.Millisecond, "how long a task may run past its deadline before its worker is killed")
	stderrPath := flag.String("stderr", "", "write the workers' stderr to `FILE` (default: a new file in the temporary directory)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *workers, *timeout, *grace, *stderrPath); err != nil {
		fmt.Fprintln(os.Stderr, "crashy:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, workers int, timeout, grace time.Duration, stderrPath string) error {
	jobs := []job{
		{name: "square(7)", f: square, in: 7},
		{name: "refuse(7)", f: refuse, in: 7},
		{name: "panic(7)", f: panics, in: 7},
		{name: "exit(3)", f: exits, in: 3},
		{name: "kill", f: killsItself},
		{name: "hang", f: hangs, timeout: timeout},
		{name: "fatal", f: fatal},
		{name: "square(12)", f: square, in: 12},
	}

	workerStderr, err := createStderr(stderrPath)
	if err != nil {
		return err
	}
	defer workerStderr.Close() // after the pool's Close, which writes out the workers' last lines

	ex, err := procpool.New(procpool.WithWorkers(workers), procpool.WithKillGrace(grace),
		procpool.WithStderr(workerStderr))
	if err != nil {
		return err
	}
	defer ex.Close()
	fmt.Printf("--- %d tasks on a process pool of %d workers ---\n", len(jobs), workers)

	// Submit them all at once: each has its own ctx, and so its own deadline.
	futures := make([]*executor.Future[int], len(jobs))
	for i, j := range jobs {
		jctx, cancel := withTimeout(ctx, j.timeout)
		defer cancel()
		if futures[i], err = executor.Submit(jctx, ex, j.f, j.in); err != nil {
			return err
		}
	}

	// Report each outcome, in the order of submission.
	failed := 0
	for i, f := range futures {
		v, err := f.Result(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			failed++
			fmt.Printf("%-10s %s\n", jobs[i].name, describe(err))
			continue
		}
		fmt.Printf("%-10s = %d\n", jobs[i].name, v)
	}

	// After all that, the pool still serves.
	f, err := executor.Submit(ctx, ex, square, 9)
	if err != nil {
		return err
	}
	v, err := f.Result(ctx)
	if err != nil {
		return fmt.Errorf("the pool no longer serves: %w", err)
	}
	fmt.Printf("--- %d of %d tasks failed; the pool still serves: square(9) = %d ---\n", failed, len(jobs), v)
	if err := ex.Close(); err != nil {
		return err
	}
	fmt.Printf("The workers' stderr is in %s\n", workerStderr.Name())
	return workerStderr.Close()
}

// createStderr creates the file for the workers' stderr: path, or a new file in the
// temporary directory when path is "".
func createStderr(path string) (*os.File, error) {
	if path == "" {
		return os.CreateTemp("", "crashy-workers-*.log")
	}
	return os.Create(path)
}

// describe says what kind of failure err is, from its type.
func describe(err error) string {
	var (
		panicErr  *executor.PanicError
		exitErr   *executor.WorkerExitError
		killedErr *executor.KilledError
	)
	switch {
	case errors.As(err, &panicErr):
		return fmt.Sprintf("*executor.PanicError: panic: %v (the worker recovered and lives on)", panicErr.Value)
	case errors.As(err, &killedErr):
		return fmt.Sprintf("*executor.KilledError: still running %v after its deadline, killed with its worker (errors.Is(err, context.DeadlineExceeded): %t)",
			killedErr.Grace, errors.Is(err, context.DeadlineExceeded))
	case errors.Is(err, executor.ErrCancelled):
		return fmt.Sprintf("cancelled before it started: %v", err)
	case errors.As(err, &exitErr) && exitErr.Signal != nil:
		return "*executor.WorkerExitError: the worker was killed by " + signalName(exitErr.Signal)
	case errors.As(err, &exitErr):
		return fmt.Sprintf("*executor.WorkerExitError: the worker exited with code %d; its stderr says %q",
			exitErr.ExitCode, firstLine(exitErr.Stderr))
	}
	return "error: " + err.Error() // the task's own error, with its text
}

// withTimeout is context.WithTimeout for d > 0, and context.WithCancel for no deadline.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// signalName names the signals these tasks die of as people write them.
func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	}
	return "signal " + s.String()
}

// firstLine returns the line of a worker's stderr tail that says why it died.
func firstLine(stderr []byte) string {
	for line := range strings.Lines(string(stderr)) {
		if strings.HasPrefix(line, "fatal error:") || strings.HasPrefix(line, "crashy:") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}
