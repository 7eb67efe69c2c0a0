//go:build !linux

package procpool

import (
	"os"
	"syscall"
)

// sysProcAttr: without Pdeathsig, a worker whose parent dies notices the end of its IPC
// pipe and exits, unless a task hangs in a way that never reads again.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// growPipe: only Linux resizes pipes.
func growPipe(*os.File) {}

// killGroup: elsewhere a worker is not given a process group of its own.
func killGroup(int) {}
