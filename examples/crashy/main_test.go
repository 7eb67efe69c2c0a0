package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCrashy(t *testing.T) {
	bin := exampletest.Build(t)
	// The deadline leaves room for replacement workers to start on a busy machine: a
	// hang still queued when its deadline passes would be cancelled, not killed.
	stderrFile := filepath.Join(t.TempDir(), "workers.log")
	out := exampletest.MustRun(t, bin, "-timeout", "1s", "-grace", "200ms", "-stderr", stderrFile)

	// Every outcome is reported in the order of submission, by its error type; the
	// healthy tasks before and after the crashes return their results, and the pool
	// still serves at the end.
	want := `--- 8 tasks on a process pool of 2 workers ---
square(7)  = 49
refuse(7)  error: crashy: refusing 7
panic(7)   *executor.PanicError: panic: crashy: cannot handle 7 (the worker recovered and lives on)
exit(3)    *executor.WorkerExitError: the worker exited with code 3; its stderr says "crashy: giving up with exit code 3"
kill       *executor.WorkerExitError: the worker was killed by SIGKILL
hang       *executor.KilledError: still running 200ms after its deadline, killed with its worker (errors.Is(err, context.DeadlineExceeded): true)
fatal      *executor.WorkerExitError: the worker exited with code 2; its stderr says "fatal error: concurrent map writes"
square(12) = 144
--- 6 of 8 tasks failed; the pool still serves: square(9) = 81 ---
The workers' stderr is in ` + stderrFile + `
`
	if out.Stdout != want {
		t.Errorf("crashy printed:\n%s\nwant:\n%s\nstderr:\n%s", out.Stdout, want, out.Stderr)
	}

	// The workers' stderr reaches the file, whole lines: the exit's message and the
	// fatal error's trace; none of it is mixed into the program's own output.
	b, err := os.ReadFile(stderrFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"crashy: giving up with exit code 3\n", "fatal error: concurrent map writes\n"} {
		if !strings.Contains(string(b), line) {
			t.Errorf("%s lacks the worker's line %q:\n%s", stderrFile, line, b)
		}
		if strings.Contains(out.Stderr, line) {
			t.Errorf("the program's stderr has the worker's line %q:\n%s", line, out.Stderr)
		}
	}
}
