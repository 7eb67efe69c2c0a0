//go:build unix

package workloads

import (
	"context"
	"os"
	"syscall"

	"github.com/dualpool/dualpool/executor"
)

// KillSelf sends SIGKILL to its own process: a death no code in the process can see.
var KillSelf = executor.Register("workloads.kill_self", func(_ context.Context, _ struct{}) (int, error) {
	if err := syscall.Kill(os.Getpid(), syscall.SIGKILL); err != nil {
		return 0, err
	}
	select {} // the signal is on its way: nothing more runs
})
