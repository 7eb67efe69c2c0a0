package procpool

import (
	"os"
	"strings"

	"github.com/dualpool/dualpool/internal/supervise"
)

// The limits the kernel enforces on a worker, for code the program does not trust
// (plugins, parsers, cgo). Each is off by default.

// Rlimit is one resource limit for [WithRlimit].
type Rlimit struct {
	Resource  int    // syscall.RLIMIT_AS, RLIMIT_CPU, RLIMIT_NOFILE, RLIMIT_NPROC, …
	Soft, Max uint64 // the soft (enforced) and hard (ceiling) limits
}

// WithRlimit sets resource limits on every worker, applied with prlimit(2) as soon as it
// has started, before it can say hello or run a task (Linux only; elsewhere New fails).
// A worker past RLIMIT_CPU is killed by the kernel, one past RLIMIT_NOFILE or
// RLIMIT_NPROC sees its open or fork fail. A Go worker raises its soft limit of open
// files to the hard one as it starts, so there Max is the limit that binds. RLIMIT_AS
// under about 2 GiB stops the Go runtime of a worker from starting at all; prefer
// WithMemoryLimit for memory.
func WithRlimit(limits ...Rlimit) Option {
	return optionFunc(func(c *config) {
		for _, l := range limits {
			if l.Soft > l.Max {
				c.fail("WithRlimit: resource %d: soft limit %d over the hard limit %d", l.Resource, l.Soft, l.Max)
			}
		}
		if err := rlimitsSupported(); err != nil && len(limits) > 0 {
			c.fail("WithRlimit: %v", err)
		}
		c.rlimits = append(c.rlimits, limits...)
	})
}

// WithCleanEnv starts workers with only the named variables of this process's
// environment (and those of [WithEnv], and the ones the protocol needs), so that secrets
// in the parent's environment do not reach plugin code. Without it a worker inherits the
// whole environment.
func WithCleanEnv(keep ...string) Option {
	return optionFunc(func(c *config) {
		c.cleanEnv, c.keepEnv = true, append(c.keepEnv, keep...)
	})
}

// WithCredential runs workers as user uid and group gid (setuid and setgid before the
// exec; the parent must be allowed to, as root is). The worker binary must be executable
// by that user.
func WithCredential(uid, gid uint32) Option {
	return optionFunc(func(c *config) {
		c.credential = &supervise.Credential{Uid: uid, Gid: gid, NoSetGroups: true}
	})
}

// environ is the environment a worker starts with, before the protocol's variables.
func (c *config) environ() []string {
	if !c.cleanEnv {
		return append(os.Environ(), c.env...)
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		for _, k := range c.keepEnv {
			if name == k {
				env = append(env, kv)
				break
			}
		}
	}
	return append(env, c.env...)
}
