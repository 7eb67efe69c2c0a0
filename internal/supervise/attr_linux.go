package supervise

import "syscall"

// Attr is how a Spawner starts a child: it dies with the thread that started it (see
// Spawner) and leads a process group of its own, which [KillGroup] kills with it, so
// that what its tasks start does not outlive it.
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// KillGroup kills what is left of the process group led by pid.
func KillGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
