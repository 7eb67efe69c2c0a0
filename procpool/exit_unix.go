//go:build unix

package procpool

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
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
// makes them blocking: the goroutine that reads a task runs it and writes its answer, so
// a round trip costs one read(2) and one write(2), with no poller in between.
func prepareIPC(fds ...int) {
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		syscall.SetNonblock(fd, false)
	}
}

// signalName names a signal the way people do: "SIGKILL".
func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}
