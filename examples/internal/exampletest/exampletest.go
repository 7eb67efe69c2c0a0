// Package exampletest builds and runs the programs in examples/ for their tests: each
// test runs its example as a user would, as a separate process, and checks what it
// prints. Running the real binary matters for the process-pool examples, whose workers
// are the program itself re-executed.
package exampletest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// RunTimeout bounds one run of an example; it is far above what any example needs.
const RunTimeout = 2 * time.Minute

// Build compiles the example in the test's working directory (its package directory)
// into t's temporary directory and returns the binary's path. The binary is built with
// -race when the test binary was, so the example runs under the race detector too.
func Build(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(mustGetwd(t)))
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(t.Context(), goTool(), append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
	return bin
}

// Output is what one run of an example printed, and how it ended.
type Output struct {
	Stdout, Stderr string
	Err            error         // from exec.Cmd.Run: nil for exit status 0
	Elapsed        time.Duration // wall time of the run
}

// Run runs bin with args and returns what it printed. It fails t if the program does not
// end within [RunTimeout].
func Run(t testing.TB, bin string, args ...string) Output {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), RunTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	out := Output{Stdout: stdout.String(), Stderr: stderr.String(), Err: err, Elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("%s %v: still running after %v\nstdout:\n%s\nstderr:\n%s", bin, args, RunTimeout, out.Stdout, out.Stderr)
	}
	return out
}

// MustRun is [Run] for a run that must succeed: it fails t unless the program exits 0.
func MustRun(t testing.TB, bin string, args ...string) Output {
	t.Helper()
	out := Run(t, bin, args...)
	if out.Err != nil {
		t.Fatalf("%s %v: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(bin), args, out.Err, out.Stdout, out.Stderr)
	}
	return out
}

// goTool is the go command: go test puts its own GOROOT/bin first in the PATH.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

func mustGetwd(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
