//go:build !unix

package procpool

import "os"

// exitStatus returns the exit code; only Unix reports signals.
func exitStatus(ps *os.ProcessState) (int, os.Signal) {
	if ps == nil {
		return -1, nil
	}
	return ps.ExitCode(), nil
}

// prepareIPC: the process pool needs inherited pipes (ExtraFiles), which only Unix
// systems give; elsewhere New fails when it starts a worker.
func prepareIPC(...int) {}

func signalName(sig os.Signal) string { return sig.String() }
