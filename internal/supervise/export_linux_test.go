package supervise

import "strconv"

// What the tests of cgroups reach inside.

var (
	CgroupDir  = cgroupDir
	EventCount = eventCount
)

// NextTreeName is the name that the next CgroupTree of this process tries first.
func NextTreeName(pid int) string {
	return "dualpool-" + strconv.Itoa(pid) + "-" + strconv.FormatUint(trees.Load()+1, 10)
}

// KillOneByOne makes the tree kill its leaves as before Linux 5.14, from cgroup.procs.
func (t *CgroupTree) KillOneByOne() { t.killFile = false }

// MoveAfterStart makes the tree's leaves take their process after its start, as where
// clone3 cannot start it there.
func (t *CgroupTree) MoveAfterStart() { t.clone = false }

// Clones reports whether clone3 starts a child in its leaf here.
func (t *CgroupTree) Clones() bool { return t.clone }

// KillFile reports whether the kernel has cgroup.kill.
func (t *CgroupTree) KillFile() bool { return t.killFile }
