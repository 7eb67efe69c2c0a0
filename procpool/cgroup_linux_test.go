package procpool_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/proctest"
	"github.com/dualpool/dualpool/internal/supervise"
	"github.com/dualpool/dualpool/internal/workloads"
	"github.com/dualpool/dualpool/procpool"
)

// ownCgroup returns the worker's pid and its cgroup v2 directory.
var ownCgroup = executor.Register("procpool_test.own_cgroup", func(context.Context, struct{}) (workerCgroup, error) {
	dir, err := supervise.ProcessCgroup(os.Getpid())
	return workerCgroup{PID: os.Getpid(), Dir: dir}, err
})

type workerCgroup struct {
	PID int
	Dir string
}

// startSessionSleep starts `sleep 60` in a session of its own, out of its worker's
// process group, and returns its pid.
var startSessionSleep = executor.Register("procpool_test.start_session_sleep", func(context.Context, struct{}) (int, error) {
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	return cmd.Process.Pid, nil
})

// pidsMax reads the pids.max of the worker's cgroup ("" without the pids controller).
var pidsMax = executor.Register("procpool_test.pids_max", func(context.Context, struct{}) (string, error) {
	dir, err := supervise.ProcessCgroup(os.Getpid())
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(dir, "pids.max"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return strings.TrimSpace(string(b)), err
})

// probeCgroups makes and removes a cgroup tree with limits, and tells which
// controllers the pool's tree will have; it skips the test where no tree can be made.
func probeCgroups(t *testing.T, limits supervise.CgroupLimits) (memory, pids bool) {
	t.Helper()
	tree, err := supervise.NewCgroupTree(limits)
	if errors.Is(err, supervise.ErrNoCgroup) {
		t.Skipf("no cgroup v2 subtree can be made here: %v", err)
	}
	require.NoError(t, err)
	memory, pids = tree.Memory(), tree.Pids()
	require.NoError(t, tree.Remove())
	return memory, pids
}

// TestWithCgroup: a worker runs in a leaf of the pool's tree; a process a task started in
// a session of its own dies when the worker crashes, the replacement gets a new leaf in
// the same tree, and the dead leaf, then at Close the tree, are removed.
func TestWithCgroup(t *testing.T) {
	probeCgroups(t, supervise.CgroupLimits{})
	fds := proctest.OpenFDs(t)
	p, err := procpool.New(append(baseOptions(), procpool.WithWorkers(1), procpool.WithCgroup(procpool.CgroupLimits{}))...)
	require.NoError(t, err)
	ctx := context.Background()

	first, err := submitWait(ctx, p, ownCgroup, struct{}{})
	require.NoError(t, err)
	parentDir, err := supervise.ProcessCgroup(os.Getpid())
	require.NoError(t, err)
	tree := filepath.Dir(first.Dir)
	require.Equal(t, parentDir, filepath.Dir(tree), "the tree is below this process's cgroup")
	require.Regexp(t, `^dualpool-`+strconv.Itoa(os.Getpid())+`-\d+$`, filepath.Base(tree))
	require.Regexp(t, `^worker-\d+$`, filepath.Base(first.Dir))

	sleep, err := submitWait(ctx, p, startSessionSleep, struct{}{})
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Kill(sleep, syscall.SIGKILL) })
	sid, err := unix.Getsid(sleep)
	require.NoError(t, err)
	require.Equal(t, sleep, sid, "the sleep leads a session of its own")
	dir, err := supervise.ProcessCgroup(sleep)
	require.NoError(t, err)
	require.Equal(t, first.Dir, dir, "the sleep is in its worker's leaf")

	_, err = submitWait(ctx, p, workloads.Exit, 3)
	var we *executor.WorkerExitError
	require.ErrorAs(t, err, &we)
	require.Equal(t, 3, we.ExitCode)
	// The leaf is killed and removed before the crashed task resolves.
	assert.False(t, proctest.Alive(sleep), "the sleep died with its worker")
	assert.NoDirExists(t, first.Dir, "the dead worker's leaf is removed")

	second, err := submitWait(ctx, p, ownCgroup, struct{}{})
	require.NoError(t, err)
	assert.NotEqual(t, first.PID, second.PID)
	assert.NotEqual(t, first.Dir, second.Dir, "the replacement has a leaf of its own")
	assert.Equal(t, tree, filepath.Dir(second.Dir), "in the same tree")

	require.NoError(t, p.Close())
	assert.NoDirExists(t, tree, "Close removes the tree")
	assert.Empty(t, fdsInto(t, tree), "descriptors of the tree's cgroups left open")
	proctest.RequireNoChildren(t)
	assert.Equal(t, fds, proctest.OpenFDs(t), "descriptors before New and after Close")

	_, err = procpool.New(append(baseOptions(), procpool.WithCommand("/nonexistent/worker"),
		procpool.WithCgroup(procpool.CgroupLimits{}))...)
	require.ErrorContains(t, err, "/nonexistent/worker")
	left, err := filepath.Glob(filepath.Join(parentDir, "dualpool-"+strconv.Itoa(os.Getpid())+"-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "a New that failed leaves no cgroup")
}

// fdsInto lists this process's descriptors open on dir or below it.
func fdsInto(t *testing.T, dir string) []string {
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var open []string
	for _, e := range entries {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if target == dir || strings.HasPrefix(target, dir+"/") {
			open = append(open, e.Name()+"->"+target)
		}
	}
	return open
}

// TestWithCgroupLimits: MemoryMax and PidsMax hold by the cgroup controllers where this
// process's cgroup delegates them, or else by the fallbacks, each logged once.
func TestWithCgroupLimits(t *testing.T) {
	limits := procpool.CgroupLimits{MemoryMax: 128 << 20, PidsMax: 64}
	memory, pids := probeCgroups(t, supervise.CgroupLimits{MemoryMax: limits.MemoryMax, PidsMax: limits.PidsMax})
	t.Logf("memory controller: %v; pids controller: %v", memory, pids)
	var logs proctest.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	p := newPool(t, procpool.WithWorkers(1), procpool.WithCgroup(limits), procpool.WithLogger(logger))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // a backstop only
	defer cancel()

	_, err := submitWait(ctx, p, workloads.Hold, workloads.HoldArgs{MiB: 400})
	var me *executor.MemoryLimitError
	require.ErrorAs(t, err, &me, "400 MiB under a MemoryMax of 128 MiB")
	assert.Equal(t, limits.MemoryMax, me.Limit)
	assert.GreaterOrEqual(t, me.Used, limits.MemoryMax)

	got, err := submitWait(ctx, p, pidsMax, struct{}{})
	require.NoError(t, err)
	nproc, err := submitWait(ctx, p, rlimitMax, unix.RLIMIT_NPROC)
	require.NoError(t, err)
	if pids {
		assert.Equal(t, "64", got, "the worker's pids.max")
	} else {
		assert.Equal(t, uint64(64), nproc, "the worker's RLIMIT_NPROC, without the pids controller")
	}

	// Each fallback is logged once, however many workers start.
	for _, fallback := range []struct {
		msg  string
		used bool
	}{
		{"no memory controller", !memory},
		{"no pids controller", !pids},
	} {
		n := strings.Count(logs.String(), fallback.msg)
		assert.Equal(t, map[bool]int{true: 1, false: 0}[fallback.used], n, "%q in the log:\n%s", fallback.msg, logs.String())
	}
}

// TestWithCgroupAfterParentKilled: what a SIGKILL of the parent leaves, as the docs say:
// no worker, but the process a task started, alive in its worker's leaf, and the leaf.
func TestWithCgroupAfterParentKilled(t *testing.T) {
	probeCgroups(t, supervise.CgroupLimits{})
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), envMode+"=parent", "PROCPOOL_TEST_CGROUP=1", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var workers []int
	grandchild := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		line, isChild := strings.CutPrefix(sc.Text(), "grandchild ")
		pid, err := strconv.Atoi(line)
		require.NoError(t, err, "helper said %q", sc.Text())
		if isChild {
			grandchild = pid
		} else {
			workers = append(workers, pid)
		}
	}
	require.Len(t, workers, 2)
	require.NotZero(t, grandchild)
	t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) })
	leaf, err := supervise.ProcessCgroup(grandchild)
	require.NoError(t, err)
	require.Regexp(t, fmt.Sprintf(`/dualpool-%d-\d+/worker-\d+$`, cmd.Process.Pid), leaf)
	tree := filepath.Dir(leaf)
	t.Cleanup(func() { removeLeftTree(t, tree) })

	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	proctest.Eventually(t, 10*time.Second, func() bool { return !proctest.Alive(workers[0]) && !proctest.Alive(workers[1]) },
		"the workers die with their parent")
	assert.True(t, proctest.Alive(grandchild), "the process a task started outlives the parent")
	dir, err := supervise.ProcessCgroup(grandchild)
	require.NoError(t, err)
	assert.Equal(t, leaf, dir, "still in its worker's leaf")
	assert.DirExists(t, tree, "the pool's tree stays")
}

// removeLeftTree does by hand what the docs say a pool killed by SIGKILL leaves to do:
// kill what is in each leaf, remove the leaves, remove the tree.
func removeLeftTree(t *testing.T, tree string) {
	leaves, _ := filepath.Glob(filepath.Join(tree, "worker-*"))
	for _, leaf := range leaves {
		os.WriteFile(filepath.Join(leaf, "cgroup.kill"), []byte("1"), 0)
		proctest.Eventually(t, 10*time.Second, func() bool {
			b, err := os.ReadFile(filepath.Join(leaf, "cgroup.events"))
			return err != nil || strings.Contains(string(b), "populated 0")
		}, "the leaf left by a killed pool empty")
		assert.NoError(t, os.Remove(leaf))
	}
	assert.NoError(t, os.Remove(tree))
}
