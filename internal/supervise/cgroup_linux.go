package supervise

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// CgroupTree is a cgroup v2 subtree that this process made below its own cgroup,
// "dualpool-<pid>-<n>", with a leaf cgroup per supervised process ([CgroupTree.NewLeaf]).
// It writes to, kills in and removes only the cgroups it made. It is safe for concurrent
// use.
type CgroupTree struct {
	dir      string
	limits   CgroupLimits
	memory   bool // the memory controller is enabled for the leaves: memory.max
	pids     bool // the pids controller: pids.max
	killFile bool // cgroup.kill (Linux 5.14) kills a leaf at once
	clone    bool // clone3 starts a child in its leaf (Linux 5.7)

	mu      sync.Mutex
	next    int
	leaves  map[*Cgroup]struct{}
	removed bool
}

var trees atomic.Uint64 // numbers the trees of this process

// NewCgroupTree makes a cgroup "dualpool-<pid>-<n>" below this process's cgroup v2 and
// enables in it the controllers that limits need, where this process's cgroup passes them
// down to its children (its cgroup.subtree_control lists them): [CgroupTree.Memory] and
// [CgroupTree.Pids] tell which. It fails with [ErrNoCgroup] where it cannot make one.
// Remove the tree when done; it outlives this process otherwise.
func NewCgroupTree(limits CgroupLimits) (*CgroupTree, error) {
	own, err := ownCgroup()
	if err != nil {
		return nil, err
	}
	var dir string
	for {
		dir = filepath.Join(own, fmt.Sprintf("dualpool-%d-%d", os.Getpid(), trees.Add(1)))
		// One that exists is a dead process's of the same pid: not this one's to touch.
		if err = os.Mkdir(dir, 0o755); !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCgroup, err)
	}
	t := &CgroupTree{dir: dir, limits: limits, leaves: map[*Cgroup]struct{}{},
		killFile: exists(filepath.Join(dir, "cgroup.kill")), clone: cloneIntoCgroup()}
	t.memory = limits.MemoryMax > 0 && t.enable("memory")
	t.pids = limits.PidsMax > 0 && t.enable("pids")
	return t, nil
}

// enable enables a controller for the tree's leaves, if the parent passes it down.
func (t *CgroupTree) enable(controller string) bool {
	b, err := os.ReadFile(filepath.Join(t.dir, "cgroup.controllers"))
	if err != nil || !slices.Contains(strings.Fields(string(b)), controller) {
		return false
	}
	return write(filepath.Join(t.dir, "cgroup.subtree_control"), "+"+controller) == nil
}

// Dir is the tree's directory in the cgroup file system.
func (t *CgroupTree) Dir() string { return t.dir }

// Memory reports whether the leaves get memory.max: the memory controller is delegated.
func (t *CgroupTree) Memory() bool { return t.memory }

// Pids reports whether the leaves get pids.max: the pids controller is delegated.
func (t *CgroupTree) Pids() bool { return t.pids }

// NewLeaf makes a leaf cgroup for one process, with the tree's limits in it. Start the
// process in it with [Spawner.StartIn] and remove it ([Cgroup.Remove]) once the process
// has exited.
func (t *CgroupTree) NewLeaf() (*Cgroup, error) {
	t.mu.Lock()
	t.next++
	dir := filepath.Join(t.dir, "worker-"+strconv.Itoa(t.next))
	removed := t.removed
	t.mu.Unlock()
	if removed {
		return nil, fmt.Errorf("supervise: cgroup tree %s is removed", t.dir)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("supervise: making a leaf cgroup: %w", err)
	}
	c := &Cgroup{dir: dir, tree: t, fd: -1}
	err := c.limit()
	if err == nil {
		c.fd, err = unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	t.mu.Lock()
	if err == nil && t.removed {
		err = fmt.Errorf("supervise: cgroup tree %s is removed", t.dir)
	}
	if err == nil {
		t.leaves[c] = struct{}{}
	}
	t.mu.Unlock()
	if err != nil {
		c.close()
		os.Remove(dir)
		return nil, err
	}
	return c, nil
}

// Remove removes every leaf left, killing what runs in it, and then the tree.
func (t *CgroupTree) Remove() error {
	t.mu.Lock()
	t.removed = true
	var left []*Cgroup
	for c := range t.leaves {
		left = append(left, c)
	}
	t.mu.Unlock()
	var errs []error
	for _, c := range left {
		errs = append(errs, c.Remove())
	}
	return errors.Join(append(errs, rmdir(t.dir))...)
}

// Cgroup is a leaf cgroup of a [CgroupTree]: one supervised process and all that it
// starts. It is safe for concurrent use.
type Cgroup struct {
	dir  string
	tree *CgroupTree
	fd   int // open on dir, for clone3; -1 once removed

	mu      sync.Mutex // Remove
	removed bool
}

// Dir is the cgroup's directory in the cgroup file system.
func (c *Cgroup) Dir() string { return c.dir }

// limit writes the tree's limits into the leaf.
func (c *Cgroup) limit() error {
	l := c.tree.limits
	if c.tree.memory {
		if err := write(c.file("memory.max"), strconv.FormatUint(l.MemoryMax, 10)); err != nil {
			return err
		}
		if exists(c.file("memory.swap.max")) { // swap is accounted: none, or the limit is moot
			if err := write(c.file("memory.swap.max"), "0"); err != nil {
				return err
			}
		}
		// The OOM killer takes the whole leaf, not only its largest process: a worker
		// whose task's child went over dies with it, and the task fails for it.
		if exists(c.file("memory.oom.group")) {
			if err := write(c.file("memory.oom.group"), "1"); err != nil {
				return err
			}
		}
	}
	if c.tree.pids {
		return write(c.file("pids.max"), strconv.Itoa(l.PidsMax))
	}
	return nil
}

// prepare makes attr start a child in the leaf, where clone3 can.
func (c *Cgroup) prepare(attr *syscall.SysProcAttr) {
	if c.tree.clone {
		attr.UseCgroupFD, attr.CgroupFD = true, c.fd
	}
}

// enter moves the process pid, just started, into the leaf where clone3 could not start
// it there.
func (c *Cgroup) enter(pid int) error {
	if c.tree.clone {
		return nil
	}
	return write(c.file("cgroup.procs"), strconv.Itoa(pid))
}

// OOMKills returns how many processes of the leaf the kernel killed for going over
// memory.max (memory.events' oom_kill); 0 without the memory controller.
func (c *Cgroup) OOMKills() uint64 {
	b, _ := os.ReadFile(c.file("memory.events"))
	n, _ := eventCount(b, "oom_kill")
	return n
}

// MemoryPeak returns the most memory the leaf's processes used at once (memory.peak,
// Linux 5.19), or what they use now where the kernel has no peak; 0 without the memory
// controller.
func (c *Cgroup) MemoryPeak() uint64 {
	for _, name := range []string{"memory.peak", "memory.current"} {
		if b, err := os.ReadFile(c.file(name)); err == nil {
			n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
			return n
		}
	}
	return 0
}

// Remove kills what is left in the leaf ([Cgroup.Kill]) and removes it. A leaf that
// could not be removed is tried again by a later call, and by [CgroupTree.Remove].
func (c *Cgroup) Remove() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil
	}
	if err := errors.Join(c.Kill(), rmdir(c.dir)); err != nil {
		return err
	}
	c.removed = true
	c.close()
	c.tree.mu.Lock()
	delete(c.tree.leaves, c)
	c.tree.mu.Unlock()
	return nil
}

func (c *Cgroup) close() {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
}

func (c *Cgroup) file(name string) string { return filepath.Join(c.dir, name) }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// write writes s to a cgroup file, which must exist.
func write(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	return errors.Join(err, f.Close())
}
