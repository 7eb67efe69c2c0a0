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
	"strconv"
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
	checkNoOrphans(t, bin)
	return out
}

// OrphanTimeout bounds how long a process pool's workers may outlive the program that
// started them: they get SIGKILL when it dies, and that takes a moment to land.
const OrphanTimeout = 10 * time.Second

// checkNoOrphans fails t if a process running bin (the example's workers) is still alive
// OrphanTimeout after the example ended. It needs /proc; elsewhere it checks nothing.
func checkNoOrphans(t testing.TB, bin string) {
	t.Helper()
	awaitNone(t, filepath.Base(bin), func(exe string) bool { return exe == bin })
}

// CheckNoProcessesIn fails t if a process whose binary is (or was) in dir, such as a
// plugin the example built there, is still alive OrphanTimeout after the example ended.
// The link of a removed binary ends in " (deleted)", which leaves its directory as it is.
func CheckNoProcessesIn(t testing.TB, dir string) {
	t.Helper()
	awaitNone(t, dir, func(exe string) bool { return filepath.Dir(exe) == dir })
}

// awaitNone waits until no live process's executable matches, for at most OrphanTimeout,
// and then fails t, naming what and killing the processes left.
func awaitNone(t testing.TB, what string, match func(exe string) bool) {
	t.Helper()
	if _, err := os.Stat("/proc/self/exe"); err != nil {
		return
	}
	deadline := time.Now().Add(OrphanTimeout)
	for {
		pids := processesMatching(match)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: processes %v still run %v after the program ended", what, pids, OrphanTimeout)
			for _, pid := range pids {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
				}
			}
			return
		}
		time.Sleep(20 * time.Millisecond) // polling /proc: there is nothing to wait on
	}
}

// processesMatching returns the pids of the live processes whose executable matches.
func processesMatching(match func(exe string) bool) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || !match(exe) {
			continue
		}
		// A zombie still has its exe link until its parent reaps it; it runs nothing.
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && isZombie(stat) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// isZombie reads the state field of /proc/PID/stat, which follows the ")" that closes
// the command name.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
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
