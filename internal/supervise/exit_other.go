//go:build !unix

package supervise

import "os"

// ExitStatus returns the exit code; only Unix reports signals.
func ExitStatus(ps *os.ProcessState) (int, os.Signal) {
	if ps == nil {
		return -1, nil
	}
	return ps.ExitCode(), nil
}

// SignalName names a signal.
func SignalName(sig os.Signal) string { return sig.String() }
