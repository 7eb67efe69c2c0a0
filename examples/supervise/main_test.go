package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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
	deadline := time.Now().Add(exampletest.OrphanTimeout)
	for {
		left := processesIn(m[1])
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin processes %v outlive the host", left)
		}
		time.Sleep(20 * time.Millisecond) // polling /proc: there is nothing to wait on
	}
}

// processesIn returns the pids of live processes whose binary is (or was) in dir.
func processesIn(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err == nil && filepath.Dir(exe) == dir && !strings.Contains(string(stat), ") Z ") {
			pids = append(pids, pid)
		}
	}
	return pids
}
