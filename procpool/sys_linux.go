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

// answerPipe makes the pipe that carries a worker's answers. Its read end blocks, unlike
// os.Pipe's: the goroutine that reads the answers waits in read(2) itself, so an answer
// costs one system call instead of a read that finds nothing, a wait in the runtime's
// poller and a second read. That goroutine holds a thread while it waits, as a worker's
// own reader does; it ends when the worker's end of the pipe closes.
func answerPipe() (r, w *os.File, err error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}
