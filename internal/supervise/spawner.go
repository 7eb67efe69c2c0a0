package supervise

import (
	"os/exec"
	"runtime"
	"syscall"
)

// Spawner starts processes from one goroutine locked to its OS thread. On Linux a child
// gets SIGKILL when the thread that started it ends (Pdeathsig follows the thread, not
// the process: golang/go#27505); a locked thread that lives as long as the Spawner makes
// that the Spawner's end, or the parent's death. Its thread ends only after Stop, which
// is to be called once every child is gone.
type Spawner struct {
	reqs chan func()
	done chan struct{}
}

// NewSpawner starts a Spawner's goroutine.
func NewSpawner() *Spawner {
	s := &Spawner{reqs: make(chan func()), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *Spawner) loop() {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	defer close(s.done)
	for f := range s.reqs {
		f()
	}
}

// Start starts cmd on the Spawner's thread, with the process attributes of Attr: on
// Linux the child dies with the Spawner or the parent, and leads a process group of its
// own ([KillGroup]). A non-nil cred runs it as that user and group.
func (s *Spawner) Start(cmd *exec.Cmd, cred *syscall.Credential) error {
	cmd.SysProcAttr = Attr()
	if cred != nil {
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.Credential = cred
	}
	var err error
	ran := make(chan struct{})
	s.reqs <- func() { err = cmd.Start(); close(ran) }
	<-ran
	return err
}

// Stop ends the Spawner; call it once no child is left.
func (s *Spawner) Stop() {
	close(s.reqs)
	<-s.done
}
