//go:build !linux

package procpool

import "errors"

func rlimitsSupported() error { return errors.New("resource limits are set on Linux only") }

func applyRlimits(int, []Rlimit) error { return rlimitsSupported() }

// rlimitProcs: WithCgroup fails before PidsMax needs it.
const rlimitProcs = -1
