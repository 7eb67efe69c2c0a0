//go:build !unix

package supervise

import "syscall"

// Credential is the user and group a process runs as, which only Unix systems set when
// they start one: elsewhere a start with one fails.
type Credential struct {
	Uid, Gid    uint32
	NoSetGroups bool
}

func setCredential(*syscall.SysProcAttr, *Credential) {}
