package procpool

import (
	"fmt"

	"golang.org/x/sys/unix"
)

func rlimitsSupported() error { return nil }

// rlimitProcs is RLIMIT_NPROC, WithCgroup's fallback for PidsMax.
const rlimitProcs = unix.RLIMIT_NPROC

// applyRlimits sets the limits on process pid.
func applyRlimits(pid int, limits []Rlimit) error {
	for _, l := range limits {
		lim := unix.Rlimit{Cur: l.Soft, Max: l.Max}
		if err := unix.Prlimit(pid, l.Resource, &lim, nil); err != nil {
			return fmt.Errorf("prlimit(%d, resource %d): %w", pid, l.Resource, err)
		}
	}
	return nil
}
