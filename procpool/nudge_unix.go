//go:build unix

package procpool

import (
	"os"
	"os/signal"
	"syscall"
)

// nudge wakes a pipe worker to read its frames while it runs a task (see takeNudges).
func nudge(proc *os.Process) { proc.Signal(syscall.SIGUSR2) }

// takeNudges has the worker read its frames when the parent sends SIGUSR2: it does so
// after a frame that must be read while a task runs (a Profile request). The handler
// lives as long as the worker process.
func (s *server) takeNudges() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR2)
	go func() {
		for range ch {
			s.nudge()
		}
	}()
}
