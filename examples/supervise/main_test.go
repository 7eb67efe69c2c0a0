package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSupervise runs the host as go run ./examples/supervise does: built alone, so that
// it builds go-plugin's KV plugin itself into a temporary directory.
func TestSupervise(t *testing.T) {
	host := exampletest.Build(t)
	out := exampletest.MustRun(t, host)

	// The crash and the hang each cost one call, each failure by its type; the plugin is
	// restarted and re-configured each time, and serves on.
	want := `--- go-plugin's KV example plugin over gRPC, one supervised instance ---
get greeting   = "hello from start 1" (restarts so far: 0)
get, crashing  *executor.WorkerExitError: killed by SIGKILL
get greeting   = "hello from start 2" (restarts so far: 1)
get, hung      *executor.KilledError: still running 200ms after its deadline, killed with its plugin (matches the deadline: true)
get greeting   = "hello from start 3" (restarts so far: 2)
--- 5 calls: 3 ok, 2 failed; 2 restarts ---
`
	if out.Stdout != want {
		t.Errorf("supervise printed:\n%s\nwant:\n%s\nstderr:\n%s", out.Stdout, want, out.Stderr)
	}
	// The plugin was built into a directory of its own, which is gone with the host.
	m := regexp.MustCompile(`building \S+ into (\S+)\n`).FindStringSubmatch(out.Stderr)
	if m == nil || !filepath.IsAbs(m[1]) {
		t.Fatalf("stderr does not say where the plugin was built:\n%s", out.Stderr)
	}
	if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("the plugin's directory %s outlives the host: %v", m[1], err)
	}
	if strings.Contains(out.Stderr, "panic") {
		t.Errorf("stderr:\n%s", out.Stderr)
	}
	// No plugin process outlives the host.
	exampletest.CheckNoProcessesIn(t, m[1])
}
