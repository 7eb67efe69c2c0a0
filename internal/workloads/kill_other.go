//go:build !unix

package workloads

import (
	"context"
	"os"

	"github.com/dualpool/dualpool/executor"
)

// KillSelf kills its own process: a death no code in the process can see.
var KillSelf = executor.Register("workloads.kill_self", func(_ context.Context, _ struct{}) (int, error) {
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Kill()
	}
	if err != nil {
		return 0, err
	}
	select {}
})
