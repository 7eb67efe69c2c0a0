package supervise

import "errors"

// CgroupLimits are the limits a [CgroupTree] writes into each of its leaves. A zero
// field sets no limit.
type CgroupLimits struct {
	// MemoryMax is each leaf's memory.max in bytes (and memory.swap.max is 0, where swap
	// is accounted): past it the kernel reclaims, then kills every process of the leaf
	// (memory.oom.group).
	MemoryMax uint64
	// PidsMax is each leaf's pids.max: a fork past it fails.
	PidsMax int
}

// ErrNoCgroup is the error of [NewCgroupTree] where this process cannot make a cgroup v2
// subtree of its own: no cgroup v2 hierarchy is mounted, this process's cgroup is out of
// its reach, or it may not write there. Its errors wrap it with the reason.
var ErrNoCgroup = errors.New("supervise: no writable cgroup v2 subtree")
