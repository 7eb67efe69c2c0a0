package procpool

import (
	"os"

	"golang.org/x/sys/unix"
)

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
