package procpool

import (
	"slices"

	"github.com/dualpool/dualpool/internal/supervise"
)

// CgroupLimits are the limits of [WithCgroup], per worker: the worker and every process
// its tasks start count together. A zero field sets no limit.
type CgroupLimits struct {
	// MemoryMax is the worker's memory.max in bytes (with memory.swap.max 0 where swap is
	// accounted). Past it the kernel reclaims, then kills the worker's whole cgroup
	// (memory.oom.group), and the task that was running fails with an
	// *[executor.MemoryLimitError].
	MemoryMax uint64
	// PidsMax is the worker's pids.max: a fork past that many processes and threads fails.
	PidsMax int
}

// WithCgroup runs each worker in a cgroup v2 of its own, the strongest of the limits the
// kernel enforces (Linux). The pool makes "dualpool-<pid>-<n>" below this process's own
// cgroup, with a leaf per worker; a worker is cloned straight into its leaf (clone3 with
// CLONE_INTO_CGROUP, Linux 5.7; before, it is moved there as it starts), so that nothing
// it or its tasks start is outside. When a worker exits, dies or is killed, its whole
// leaf is killed (cgroup.kill, Linux 5.14; before, process by process until none is
// left) and removed, even the processes that left the worker's process group or session;
// Close removes the tree. The pool writes to, kills in and removes only the cgroups it
// made.
//
// memory.max and pids.max are written where this process's cgroup passes the memory
// and pids controllers down to its children (its cgroup.subtree_control). The kernel lets
// a cgroup that holds processes, as this process's does, pass the memory controller down
// only if it is the root cgroup: elsewhere MemoryMax takes the fallback below. The pids
// controller has no such rule. Where a limit cannot be written, the pool logs it once ([WithLogger]) and falls back: without a writable cgroup v2
// subtree a worker's process group alone is killed with it, as without this option;
// without the memory controller MemoryMax becomes a sampled hard limit of the worker's
// private memory, as with [WithMemoryLimit] (the lower of the two hard limits holds);
// without the pids controller PidsMax becomes RLIMIT_NPROC ([WithRlimit]), which counts
// every process of the worker's user, and binds no root process. Elsewhere than on Linux
// cgroups are not supported: the first two fallbacks hold, and PidsMax makes New fail.
//
// After a SIGKILL of this process nothing kills the leaves nor removes the tree: the
// workers die (see the package's Orphans), but every process their tasks started goes on
// in its worker's leaf, and the leaves and the tree stay in the cgroup file system until
// someone kills what is in them (cgroup.kill) and removes them (rmdir).
func WithCgroup(limits CgroupLimits) Option {
	return optionFunc(func(c *config) {
		if limits.PidsMax < 0 {
			c.fail("WithCgroup: PidsMax %d: want at least 0", limits.PidsMax)
		}
		if err := rlimitsSupported(); err != nil && limits.PidsMax > 0 {
			c.fail("WithCgroup: PidsMax falls back to RLIMIT_NPROC, and %v", err)
		}
		c.cgroup = &limits
	})
}

// cgroupTree makes the pool's cgroup tree for WithCgroup, or nil, and sets the
// fallbacks of the limits that it cannot enforce, logging each once.
func (c *config) cgroupTree() *supervise.CgroupTree {
	l := c.cgroup
	if l == nil {
		return nil
	}
	tree, err := supervise.NewCgroupTree(supervise.CgroupLimits{MemoryMax: l.MemoryMax, PidsMax: l.PidsMax})
	if err != nil {
		tree = nil
		c.logger.Warn("procpool: WithCgroup: no cgroup v2 subtree for the workers; a worker's process group alone dies with it", "err", err)
	} else {
		c.logger.Debug("procpool: WithCgroup: the workers' cgroups", "dir", tree.Dir(), "memory", tree.Memory(), "pids", tree.Pids())
	}
	if l.MemoryMax > 0 && (tree == nil || !tree.Memory()) {
		c.logger.Warn("procpool: WithCgroup: no memory controller for the workers' cgroups; MemoryMax is a sampled hard memory limit",
			"limit", l.MemoryMax)
		if c.memHard == 0 || l.MemoryMax < c.memHard {
			c.memHard = l.MemoryMax
		}
	}
	if l.PidsMax > 0 && (tree == nil || !tree.Pids()) {
		c.logger.Warn("procpool: WithCgroup: no pids controller for the workers' cgroups; PidsMax is RLIMIT_NPROC", "limit", l.PidsMax)
		n := uint64(l.PidsMax)
		c.rlimits = append(slices.Clip(c.rlimits), Rlimit{Resource: rlimitProcs, Soft: n, Max: n})
	}
	return tree
}

// newCgroup makes the leaf cgroup of a worker about to start, if the pool has a tree.
func (w *worker) newCgroup() error {
	if w.p.cgroups == nil {
		return nil
	}
	cg, err := w.p.cgroups.NewLeaf()
	w.cgroup = cg
	return err
}

// killCgroup kills every process left in the worker's leaf cgroup.
func (w *worker) killCgroup() {
	if w.cgroup != nil {
		if err := w.cgroup.Kill(); err != nil {
			w.p.cfg.logger.Error("procpool: killing a worker's cgroup", "pid", w.pid, "err", err)
		}
	}
}

// removeCgroup removes the worker's leaf cgroup, killing what is left in it; what
// cannot be removed now is tried again when the pool closes.
func (w *worker) removeCgroup() {
	if w.cgroup != nil {
		if err := w.cgroup.Remove(); err != nil {
			w.p.cfg.logger.Error("procpool: removing a worker's cgroup", "pid", w.pid, "err", err)
		}
	}
}

// removeCgroups removes the pool's cgroup tree once every worker is gone.
func (p *Pool) removeCgroups() {
	if p.cgroups != nil {
		if err := p.cgroups.Remove(); err != nil {
			p.cfg.logger.Error("procpool: removing the workers' cgroups", "err", err)
		}
	}
}

// oomKilled reads, once the worker has exited, whether the kernel killed a process of
// its leaf for its memory.max, and the most memory the leaf used.
func (w *worker) oomKilled() (kills, peak uint64) {
	if w.cgroup == nil {
		return 0, 0
	}
	kills = w.cgroup.OOMKills()
	if kills > 0 {
		peak = w.cgroup.MemoryPeak()
	}
	return kills, peak
}
