package goplugin_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/procpool/goplugin"
)

// newPool starts a pool of 2 processes of the test plugin through go-plugin, with their
// output discarded, and checks at the end of the test that it closes and leaves no child
// process and no descriptor behind.
func newPool(t *testing.T, opts ...procpool.Option) *procpool.Pool {
	t.Helper()
	return newPluginPool(t, pluginBin, goplugin.WithPoolOptions(opts...))
}

func newPluginPool(t *testing.T, bin string, opts ...goplugin.Option) *procpool.Pool {
	t.Helper()
	fds := openFDs(t)
	opts = append([]goplugin.Option{goplugin.WithPoolOptions(baseOptions()...)}, opts...)
	p, err := goplugin.New(bin, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, p.Close())
		requireNoChildren(t)
		require.Equal(t, fds, openFDs(t), "open descriptors before New and after Close")
	})
	return p
}

// baseOptions: 2 workers, output discarded, and no exit delay in a race-enabled worker
// (the race runtime sleeps a second before exiting unless told otherwise).
func baseOptions() []procpool.Option {
	return []procpool.Option{procpool.WithWorkers(2), procpool.WithStdout(io.Discard),
		procpool.WithStderr(io.Discard), procpool.WithEnv("GORACE=atexit_sleep_ms=0")}
}

func submitWait[In, Out any](ctx context.Context, ex executor.Executor, f executor.Func[In, Out], in In) (Out, error) {
	fut, err := executor.Submit(ctx, ex, f, in)
	if err != nil {
		return *new(Out), err
	}
	return fut.Result(context.Background())
}

// children returns the pids of this process's live children.
func children(t *testing.T) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	me := strconv.Itoa(os.Getpid())
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state := procStat(pid); ppid == me && state != "Z" {
			pids = append(pids, pid)
		}
	}
	return pids
}

// procStat returns a process's parent pid and state, "" if it is gone.
func procStat(pid int) (ppid, state string) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", ""
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return "", ""
	}
	return f[1], f[0]
}

func alive(pid int) bool {
	_, state := procStat(pid)
	return state != "" && state != "Z"
}

func requireNoChildren(t *testing.T) {
	t.Helper()
	require.Empty(t, children(t), "child processes after Close")
}

// openFDs lists this process's open descriptors.
func openFDs(t *testing.T) string {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if strings.HasPrefix(target, "pipe:") || strings.HasPrefix(target, "anon_inode") || strings.HasPrefix(target, "socket:") {
			names = append(names, e.Name()+"->"+target)
		}
	}
	return strings.Join(names, " ")
}

// eventually polls cond every 10ms until it holds or within passes.
func eventually(t *testing.T, within time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
