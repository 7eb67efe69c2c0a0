package procpool_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

var rlimitMax = executor.Register("procpool_test.rlimit_max", func(_ context.Context, resource int) (uint64, error) {
	var lim syscall.Rlimit
	err := syscall.Getrlimit(resource, &lim)
	return lim.Max, err
})

var whoAmI = executor.Register("procpool_test.who_am_i", func(context.Context, struct{}) ([2]int, error) {
	return [2]int{os.Getuid(), os.Getgid()}, nil
})

func TestWithRlimit(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("resource limits are set on Linux only")
	}
	p := newPool(t, procpool.WithWorkers(1),
		procpool.WithRlimit(procpool.Rlimit{Resource: syscall.RLIMIT_NOFILE, Soft: 100, Max: 128}))
	got, err := submitWait(context.Background(), p, rlimitMax, syscall.RLIMIT_NOFILE)
	require.NoError(t, err)
	// The Go runtime of a worker raises its soft limit of open files to the hard one.
	assert.Equal(t, uint64(128), got, "the worker's hard limit of open files")

	_, err = procpool.New(procpool.WithRlimit(procpool.Rlimit{Resource: syscall.RLIMIT_NOFILE, Soft: 9, Max: 8}))
	require.ErrorContains(t, err, "over the hard limit")
}

func TestWithCleanEnv(t *testing.T) {
	t.Setenv("PROCPOOL_TEST_SECRET", "hunter2")
	ctx := context.Background()
	t.Run("inherited", func(t *testing.T) {
		p := newPool(t, procpool.WithWorkers(1))
		v, err := submitWait(ctx, p, workloads.Getenv, "PROCPOOL_TEST_SECRET")
		require.NoError(t, err)
		assert.Equal(t, "hunter2", v, "by default a worker inherits the environment")
	})
	t.Run("clean", func(t *testing.T) {
		p := newPool(t, procpool.WithWorkers(1), procpool.WithCleanEnv("PATH"), procpool.WithEnv("EXTRA=1"))
		for name, want := range map[string]string{"PROCPOOL_TEST_SECRET": "", "PATH": os.Getenv("PATH"), "EXTRA": "1"} {
			v, err := submitWait(ctx, p, workloads.Getenv, name)
			require.NoError(t, err)
			assert.Equal(t, want, v, "%s in a worker with a clean environment", name)
		}
	})
}

func TestWithCredential(t *testing.T) {
	if os.Getuid() != 0 || runtime.GOOS != "linux" {
		t.Skip("needs root on Linux to run workers as another user")
	}
	// The test binary sits in a directory only root may enter: copy it where anyone may.
	dir, err := os.MkdirTemp("", "procpool-cred-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	bin := filepath.Join(dir, "worker")
	require.NoError(t, exec.Command("cp", os.Args[0], bin).Run())
	require.NoError(t, os.Chmod(bin, 0o755))
	const nobody = 65534
	p := newPool(t, procpool.WithWorkers(1), procpool.WithCommand(bin), procpool.WithCredential(nobody, nobody))
	ids, err := submitWait(context.Background(), p, whoAmI, struct{}{})
	require.NoError(t, err)
	assert.Equal(t, [2]int{nobody, nobody}, ids, "uid and gid of the worker")
}

var argv0 = executor.Register("procpool_test.argv0", func(context.Context, struct{}) (string, error) {
	return os.Args[0], nil
})

// TestTheBinaryIsTheBinary: a worker of this program is this very binary, started on
// Linux from /proc/self/exe, and a worker that runs other code (here: one more function
// registered) is refused with both hashes.
func TestTheBinaryIsTheBinary(t *testing.T) {
	if runtime.GOOS == "linux" {
		p := newPool(t, procpool.WithWorkers(1))
		exe, err := submitWait(context.Background(), p, argv0, struct{}{})
		require.NoError(t, err)
		assert.Equal(t, "/proc/self/exe", exe)
	}
	_, err := procpool.New(procpool.WithWorkers(1), procpool.WithEnv(envMode+"=extra"),
		procpool.WithStderr(io.Discard))
	require.ErrorIs(t, err, executor.ErrPoolBroken)
	require.ErrorContains(t, err, "runs other code than this program")
	require.Regexp(t, `hash to [0-9a-f]{16}, this program's to [0-9a-f]{16}`, err.Error())
}
