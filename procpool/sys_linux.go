package procpool

import "syscall"

// sysProcAttr makes a worker die with the thread that started it (see spawner).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
