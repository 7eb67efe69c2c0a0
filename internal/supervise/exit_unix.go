//go:build unix

package supervise

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExitStatus returns the exit code (-1 after a signal) and the signal, if any.
func ExitStatus(ps *os.ProcessState) (int, os.Signal) {
	if ps == nil {
		return -1, nil
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -1, ws.Signal()
	}
	return ps.ExitCode(), nil
}

// SignalName names a signal the way people do: "SIGKILL".
func SignalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}
