package supervise_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/dualpool/dualpool/internal/supervise"
)

func TestCgroupDir(t *testing.T) {
	const (
		unified = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
		hybrid  = "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n" +
			"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n" +
			"41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
		container = "50 40 0:26 /kubepods/pod1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n"
		spaced    = "30 23 0:26 / /mnt/cg\\040two rw - cgroup2 none rw\n"
	)
	for _, tc := range []struct {
		name, cgroup, mountinfo, want string
	}{
		{"unified", "0::/user.slice/app.scope\n", unified, "/sys/fs/cgroup/user.slice/app.scope"},
		{"hybrid", "4:memory:/x\n1:name=systemd:/\n0::/\n", hybrid, "/sys/fs/cgroup/unified"},
		{"container's subtree", "0::/kubepods/pod1/c2\n", container, "/sys/fs/cgroup/c2"},
		{"container's root", "0::/kubepods/pod1\n", container, "/sys/fs/cgroup"},
		{"escaped mount point", "0::/a\n", spaced, "/mnt/cg two/a"},
		{"v1 only", "4:memory:/x\n1:name=systemd:/\n", hybrid, ""},
		{"outside the mount", "0::/elsewhere\n", container, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := supervise.CgroupDir([]byte(tc.cgroup), []byte(tc.mountinfo))
			if tc.want == "" {
				require.ErrorIs(t, err, supervise.ErrNoCgroup)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEventCount(t *testing.T) {
	events := []byte("low 0\nhigh 2\nmax 7\noom 1\noom_kill 3\noom_group_kill 0\n")
	n, ok := supervise.EventCount(events, "oom_kill")
	assert.True(t, ok)
	assert.Equal(t, uint64(3), n)
	_, ok = supervise.EventCount(events, "populated")
	assert.False(t, ok)
}

// newTree makes a cgroup tree, or skips the test where this host cannot.
func newTree(t *testing.T, limits supervise.CgroupLimits) *supervise.CgroupTree {
	t.Helper()
	tree, err := supervise.NewCgroupTree(limits)
	if errors.Is(err, supervise.ErrNoCgroup) {
		t.Skipf("no cgroup v2 subtree can be made here: %v", err)
	}
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, tree.Remove())
		assert.NoDirExists(t, tree.Dir(), "the tree is removed")
	})
	return tree
}

// TestCgroupKillsASessionLeader: a child and a grandchild that left for a session of
// its own, in one leaf: killing the child's process group leaves the grandchild; killing
// the leaf ends it, and removes the leaf, even when the grandchild made a cgroup below it
// and went there. Each way the kernel may offer: cgroup.kill or one by one, cloned into
// the leaf or moved there.
func TestCgroupKillsASessionLeader(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("needs setsid(1)")
	}
	for _, tc := range []struct {
		name        string
		oneByOne    bool
		moveAfterwd bool
		below       string // the cgroup below the leaf that the grandchild makes and enters
	}{
		{"cgroup.kill", false, false, ""},
		{"one by one", true, false, ""},
		{"moved after start", false, true, ""},
		{"below the leaf, cgroup.kill", false, false, "sub"},
		{"below the leaf, one by one", true, false, "sub/subsub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := newTree(t, supervise.CgroupLimits{})
			if tc.oneByOne {
				tree.KillOneByOne()
			} else if !tree.KillFile() {
				t.Skip("this kernel has no cgroup.kill (Linux 5.14)")
			}
			if tc.moveAfterwd {
				tree.MoveAfterStart()
			} else if !tree.Clones() {
				t.Skip("clone3 cannot start a child in a cgroup here (Linux 5.7, or refused by seccomp)")
			}
			leaf, err := tree.NewLeaf()
			require.NoError(t, err)
			child, grandchild := startWithSessionLeader(t, leaf, tc.below)

			for pid, want := range map[int]string{child.Process.Pid: leaf.Dir(), grandchild: filepath.Join(leaf.Dir(), tc.below)} {
				dir, err := supervise.ProcessCgroup(pid)
				require.NoError(t, err)
				assert.Equal(t, want, dir, "the cgroup of process %d", pid)
			}
			supervise.KillGroup(child.Process.Pid)
			child.Wait()
			require.True(t, running(grandchild), "a process in a session of its own outlives a kill of the group")

			require.NoError(t, leaf.Kill())
			assert.False(t, running(grandchild), "killing the leaf kills it")
			require.NoError(t, leaf.Remove())
			assert.NoDirExists(t, leaf.Dir(), "the leaf is removed")
		})
	}
}

// startWithSessionLeader starts in leaf a shell whose child, a sleep, is in a session of
// its own (and in the cgroup below the leaf, if below is not ""), and returns the shell
// and the pid of the sleep, once it has left the shell's session. The shell forks only
// once StartIn has returned: a child moved into its leaf after its start (where clone3
// cannot start it there) could fork outside before.
func startWithSessionLeader(t *testing.T, leaf *supervise.Cgroup, below string) (*exec.Cmd, int) {
	s := supervise.NewSpawner()
	t.Cleanup(s.Stop)
	enter := ""
	if below != "" {
		enter = `mkdir -p "$BELOW" && echo $$ > "$BELOW/cgroup.procs" && `
	}
	cmd := exec.Command("sh", "-c", `read go; setsid sh -c '`+enter+`echo $$; exec sleep 60' & wait`)
	cmd.Env = append(os.Environ(), "BELOW="+filepath.Join(leaf.Dir(), below))
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.StartIn(cmd, nil, leaf))
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	_, err = in.Write([]byte("go\n"))
	require.NoError(t, err)
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	grandchild, err := strconv.Atoi(strings.TrimSpace(line))
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) })
	sid, err := unix.Getsid(grandchild)
	require.NoError(t, err)
	require.Equal(t, grandchild, sid, "the grandchild leads a session of its own")
	return cmd, grandchild
}

// running reports whether pid is a live process, not a zombie.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// TestCgroupTreeNeverTouchesAnother: a name that another process of the same pid left
// behind is skipped, and survives the tree's removal.
func TestCgroupTreeNeverTouchesAnother(t *testing.T) {
	probe := newTree(t, supervise.CgroupLimits{})
	foreign := filepath.Join(filepath.Dir(probe.Dir()), supervise.NextTreeName(os.Getpid()))
	require.NoError(t, os.Mkdir(foreign, 0o755))
	t.Cleanup(func() { os.Remove(foreign) })
	tree := newTree(t, supervise.CgroupLimits{})
	assert.NotEqual(t, foreign, tree.Dir())
	require.NoError(t, tree.Remove())
	assert.DirExists(t, foreign, "a cgroup the tree did not make")
}

// TestCgroupLimits: the limits are written where the controllers are delegated, and the
// tree says which.
func TestCgroupLimits(t *testing.T) {
	tree := newTree(t, supervise.CgroupLimits{MemoryMax: 64 << 20, PidsMax: 32})
	leaf, err := tree.NewLeaf()
	require.NoError(t, err)
	defer leaf.Remove()
	parent, err := os.ReadFile(filepath.Join(tree.Dir(), "cgroup.controllers"))
	require.NoError(t, err)
	for _, c := range []struct {
		controller, file, want string
		enabled                bool
	}{
		{"memory", "memory.max", strconv.Itoa(64 << 20), tree.Memory()},
		{"memory", "memory.oom.group", "1", tree.Memory()},
		{"pids", "pids.max", "32", tree.Pids()},
	} {
		delegated := strings.Contains(" "+string(parent)+" ", " "+c.controller+" ")
		assert.Equal(t, delegated, c.enabled, "%s enabled where it is delegated (%q)", c.controller, parent)
		b, err := os.ReadFile(filepath.Join(leaf.Dir(), c.file))
		if !c.enabled {
			assert.Error(t, err, "no %s without its controller", c.file)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, c.want, strings.TrimSpace(string(b)))
	}
	assert.Zero(t, leaf.OOMKills())
}
