//go:build !linux

package supervise

import "syscall"

// Attr: without Pdeathsig, a worker whose parent dies notices the end of its IPC pipe and
// exits, unless a task hangs in a way that never reads again.
func Attr() *syscall.SysProcAttr { return nil }

// KillGroup: elsewhere a child is not given a process group of its own.
func KillGroup(int) {}
