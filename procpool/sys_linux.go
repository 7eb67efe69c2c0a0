package procpool

import (
	"os"
	"time"

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

// answerFd returns the descriptor of the answer pipe's read end, which Await and the
// reader goroutine wait on with poll(2) before they read: it blocks (see answerPipe), so
// nobody reads it without knowing that bytes are there.
func answerFd(f *os.File) int32 {
	fd := int32(-1)
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(u uintptr) { fd = int32(u) })
	}
	return fd
}

// waitReadable waits in poll(2) until fd can be read (or has ended) or d passes (d < 0:
// for ever), and reports whether it can.
func waitReadable(fd int32, d time.Duration) bool {
	fds := [1]unix.PollFd{{Fd: fd, Events: unix.POLLIN}}
	var ts *unix.Timespec
	if d >= 0 {
		t := unix.NsecToTimespec(int64(d))
		ts = &t
	}
	for {
		n, err := unix.Ppoll(fds[:], ts, nil)
		if err == unix.EINTR {
			continue
		}
		return err != nil || n > 0 // on an error, the read that follows finds out
	}
}
