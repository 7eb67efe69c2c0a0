// Package supervise is the part of supervising worker processes that does not depend on
// what the workers do: starting them so that they die with their parent, killing them
// with what they started (their process group, or their own cgroup v2 leaf of a
// [CgroupTree]), reading how they ended and what memory they use, and the
// restart rule that tells a worker that cannot stay up from one that a task crashed.
// Package procpool builds its pool on it; so can a supervisor of processes that do not
// speak dualpool's protocol (go-plugin plugins) or a node that runs tasks locally.
package supervise
