//go:build unix

package procpool

import "syscall"

// prepareIPC keeps a worker's IPC descriptors out of the processes its tasks start, and
// makes them blocking: the goroutine that reads a task runs it and writes its answer, so
// a round trip costs one read(2) and one write(2), with no poller in between.
func prepareIPC(fds ...int) {
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		syscall.SetNonblock(fd, false)
	}
}
