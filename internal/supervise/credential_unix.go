//go:build unix

package supervise

import "syscall"

// Credential is the user and group a process runs as.
type Credential = syscall.Credential

func setCredential(attr *syscall.SysProcAttr, cred *Credential) { attr.Credential = cred }
