package goplugin_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/examples/grpc/shared"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// envSuperviseHost makes the test binary a host that supervises the KV plugin it names,
// prints the plugins' pids and waits to be killed; see TestSuperviseNoOrphans.
const envSuperviseHost = "GOPLUGIN_TEST_SUPERVISE_HOST"

func superviseHostMain(bin string) int {
	s, err := goplugin.Supervise[shared.KV](kvConfig(bin, os.TempDir()), shared.PluginGRPC,
		goplugin.WithPoolOptions(procpool.WithWorkers(2)))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	for s.Stats().Workers < 2 {
		time.Sleep(10 * time.Millisecond) // a helper process: polling is fine here
	}
	for _, w := range s.Stats().PerWorker {
		fmt.Println(w.PID)
	}
	fmt.Println("ready")
	time.Sleep(time.Minute)
	return 0
}

// kvConfig is the ClientConfig of go-plugin's KV example host, for the plugin binary
// bin run in dir (the plugin writes its values to files there).
func kvConfig(bin, dir string) func() *plugin.ClientConfig {
	return func() *plugin.ClientConfig {
		cmd := exec.Command(bin)
		cmd.Dir = dir
		return &plugin.ClientConfig{
			HandshakeConfig:  shared.Handshake,
			Plugins:          shared.PluginMap,
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolNetRPC, plugin.ProtocolGRPC},
		}
	}
}

// kvPlugins are the KV plugin over both protocols, with the name to dispense each by.
var kvPlugins = []struct {
	proto string
	bin   *string
	name  string
}{
	{"grpc", &kvGRPCBin, shared.PluginGRPC},
	{"netrpc", &kvNetRPCBin, shared.PluginNetRPC},
}

// superviseKV supervises the KV plugin bin in a temporary directory, with its output
// discarded, and checks at the end of the test that it closes and leaves no child
// process and no descriptor behind.
func superviseKV(t *testing.T, bin, name string, opts ...goplugin.Option) *goplugin.Supervisor[shared.KV] {
	t.Helper()
	return superviseConfig(t, kvConfig(bin, t.TempDir()), name, opts...)
}

func superviseConfig(t *testing.T, config func() *plugin.ClientConfig, name string, opts ...goplugin.Option) *goplugin.Supervisor[shared.KV] {
	t.Helper()
	fds := proctest.OpenFDs(t)
	opts = append([]goplugin.Option{goplugin.WithPoolOptions(quietOptions()...)}, opts...)
	s, err := goplugin.Supervise[shared.KV](config, name, opts...)
	require.NoError(t, err)
	proctest.CloseAtEnd(t, fds, s)
	return s
}

// quietOptions: one instance, output discarded.
func quietOptions() []procpool.Option {
	return []procpool.Option{procpool.WithWorkers(1), procpool.WithStdout(io.Discard), procpool.WithStderr(io.Discard)}
}

func put(ctx context.Context, s *goplugin.Supervisor[shared.KV], key, value string) error {
	return s.Do(ctx, func(_ context.Context, kv shared.KV) error { return kv.Put(key, []byte(value)) })
}

func get(ctx context.Context, s *goplugin.Supervisor[shared.KV], key string) (string, error) {
	v, err := goplugin.Call(ctx, s, func(_ context.Context, kv shared.KV) ([]byte, error) { return kv.Get(key) })
	return string(v), err
}

// stored is what the KV plugins keep for value: they add a line naming themselves.
func stored(proto, value string) string {
	return value + "\n\nWritten from plugin-go-" + proto
}

// pids returns the pids of the ready instances, sorted.
func pids[T any](s *goplugin.Supervisor[T]) []int {
	var out []int
	for _, w := range s.Stats().PerWorker {
		out = append(out, w.PID)
	}
	slices.Sort(out)
	return out
}

// onlyPID waits for the one instance of s to be ready and returns its pid.
func onlyPID[T any](t *testing.T, s *goplugin.Supervisor[T]) int {
	t.Helper()
	proctest.Eventually(t, 20*time.Second, func() bool { return len(pids(s)) == 1 }, "one instance ready")
	return pids(s)[0]
}

// replaced waits until the one instance of s is another process than old, and returns
// its pid and restart count.
func replaced[T any](t *testing.T, s *goplugin.Supervisor[T], old int) (pid, restarts int) {
	t.Helper()
	proctest.Eventually(t, 20*time.Second, func() bool {
		ws := s.Stats().PerWorker
		return len(ws) == 1 && ws[0].PID != old
	}, fmt.Sprintf("instance %d replaced", old))
	w := s.Stats().PerWorker[0]
	return w.PID, w.Restarts
}

// workerExit returns err's *executor.WorkerExitError, failing t if it has none.
func workerExit(t *testing.T, err error) *executor.WorkerExitError {
	t.Helper()
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	return we
}

func fileSHA256(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// stop sends SIGSTOP to pid and returns once the process is stopped: kill returns
// before a process running on another CPU has stopped, and a call made meanwhile could
// still be served.
func stop(t *testing.T, pid int) {
	t.Helper()
	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	require.True(t, stopped(pid), "process %d stopped", pid)
}

// kill sends SIGKILL to pid and returns once the process is dead, for the same reason.
func kill(t *testing.T, pid int) {
	t.Helper()
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	proctest.Eventually(t, 10*time.Second, func() bool { return !proctest.Alive(pid) }, "the plugin dies")
}

// stopped waits up to 10s for pid to be in the stopped state, and reports whether it is.
func stopped(pid int) bool {
	for range 1000 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && f[0] == "T" {
			return true
		}
		time.Sleep(10 * time.Millisecond) // polling /proc: there is nothing to wait on
	}
	return false
}
