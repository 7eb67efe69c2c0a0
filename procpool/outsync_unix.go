//go:build unix

package procpool

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// nonblockingReads: output pipes are read with read(2) on their non-blocking descriptors.
const nonblockingReads = true

// readNonblock reads once from the non-blocking fd; again means it holds nothing now.
func readNonblock(fd uintptr, buf []byte) (n int, again bool, err error) {
	for {
		n, err = syscall.Read(int(fd), buf)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, true, nil
		}
		return n, false, err
	}
}

// poller asks poll(2) whether two descriptors can be read without blocking.
type poller struct{ fds [2]unix.PollFd }

// readable reports whether a and b have bytes (or their end) to read now. On an error
// it reports both readable, and the reads that follow find out.
func (p *poller) readable(a, b uintptr) (bool, bool) {
	p.fds[0] = unix.PollFd{Fd: int32(a), Events: unix.POLLIN}
	p.fds[1] = unix.PollFd{Fd: int32(b), Events: unix.POLLIN}
	for {
		_, err := unix.Poll(p.fds[:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return true, true
		}
		const ready = unix.POLLIN | unix.POLLHUP | unix.POLLERR | unix.POLLNVAL
		return p.fds[0].Revents&ready != 0, p.fds[1].Revents&ready != 0
	}
}
