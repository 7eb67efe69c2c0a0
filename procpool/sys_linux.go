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

// waitAnswer waits in poll(2) until the answer pipe fd can be read (or has ended) or d
// passes (d < 0: for ever), and reports whether it can. Given the worker's output pipes
// (outs, or -1s), the same poll also reports them quiet when neither held a byte once
// the answer pipe had one. A worker writes what a task prints before the task's answer,
// and poll(2) looks at the descriptors in order, the answer pipe first: quiet therefore
// means that the task whose answer starts in the pipe left nothing there for the
// forwarders to read, and its result need not wait for them (see outputs.sync). While
// only the outputs can be read, it waits for the answer pipe alone, and does not report
// quiet.
func waitAnswer(fd int32, outs [2]int32, d time.Duration) (ready, quiet bool) {
	fds := [3]unix.PollFd{{Fd: fd, Events: unix.POLLIN}, {Fd: outs[0], Events: unix.POLLIN}, {Fd: outs[1], Events: unix.POLLIN}}
	n := len(fds)
	if outs[0] < 0 || outs[1] < 0 {
		n = 1
	}
	var ts *unix.Timespec
	if d >= 0 {
		t := unix.NsecToTimespec(int64(d))
		ts = &t // ppoll leaves in it the time left, for the next call
	}
	for {
		k, err := unix.Ppoll(fds[:n], ts, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return true, false // the read that follows finds out
		case k == 0:
			return false, false
		case fds[0].Revents == 0: // the task prints: its answer is yet to come
			n = 1
			continue
		}
		return true, n == len(fds) && fds[1].Revents == 0 && fds[2].Revents == 0
	}
}
