//go:build !linux

package supervise

import (
	"fmt"
	"runtime"
	"syscall"
)

// ProcessCgroup fails: cgroups are not supported on this system.
func ProcessCgroup(int) (string, error) { return "", errNoCgroups() }

// CgroupTree: cgroups are Linux's; elsewhere [NewCgroupTree] fails with [ErrNoCgroup].
type CgroupTree struct{}

// NewCgroupTree fails: cgroups are not supported on this system.
func NewCgroupTree(CgroupLimits) (*CgroupTree, error) {
	return nil, fmt.Errorf("%w: cgroups are not supported on %s", ErrNoCgroup, runtime.GOOS)
}

// Dir is empty: there is no tree.
func (*CgroupTree) Dir() string { return "" }

// Memory is false: cgroups are not supported on this system.
func (*CgroupTree) Memory() bool { return false }

// Pids is false: cgroups are not supported on this system.
func (*CgroupTree) Pids() bool { return false }

// NewLeaf fails: cgroups are not supported on this system.
func (*CgroupTree) NewLeaf() (*Cgroup, error) { return nil, errNoCgroups() }

// Remove does nothing: there is no tree.
func (*CgroupTree) Remove() error { return nil }

// Cgroup: cgroups are not supported on this system.
type Cgroup struct{}

// Dir is empty: there is no cgroup.
func (*Cgroup) Dir() string { return "" }

// Kill fails: cgroups are not supported on this system.
func (*Cgroup) Kill() error { return errNoCgroups() }

// Remove fails: cgroups are not supported on this system.
func (*Cgroup) Remove() error { return errNoCgroups() }

// OOMKills is 0: cgroups are not supported on this system.
func (*Cgroup) OOMKills() uint64 { return 0 }

// MemoryPeak is 0: cgroups are not supported on this system.
func (*Cgroup) MemoryPeak() uint64 { return 0 }

func (*Cgroup) prepare(*syscall.SysProcAttr) {}

func (*Cgroup) enter(int) error { return errNoCgroups() }

func errNoCgroups() error {
	return fmt.Errorf("%w: cgroups are not supported on %s", ErrNoCgroup, runtime.GOOS)
}
