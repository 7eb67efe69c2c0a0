package procpool

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr makes a worker die with the thread that started it (see spawner), and puts
// it in a process group of its own, which the pool kills with it: the processes its tasks
// start do not outlive it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// pipeSize is the capacity asked for the IPC pipes: a large argument or result then
// crosses in a few writes instead of one per 64 KiB, each of which wakes the other side.
const pipeSize = 1 << 20

// growPipe asks the kernel for a pipeSize buffer on f's pipe, as far as it allows
// (/proc/sys/fs/pipe-max-size); a refusal leaves the default.
func growPipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) })
	}
}

// killGroup kills what is left of the process group of the worker pid.
func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
