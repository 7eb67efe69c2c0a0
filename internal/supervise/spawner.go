package supervise

import (
	"errors"
	"fmt"
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
func (s *Spawner) Start(cmd *exec.Cmd, cred *Credential) error {
	return s.StartIn(cmd, cred, nil)
}

// StartIn is [Spawner.Start] into the leaf cgroup cg, if cg is not nil: the child is
// cloned straight into it (clone3 with CLONE_INTO_CGROUP), so that nothing it starts is
// ever outside it. Where clone3 cannot (Linux before 5.7, or a seccomp filter that
// refuses clone3) the child is moved there as soon as it has started, before StartIn
// returns: a child that forks at once may start a process outside (a worker does not).
// A child that cannot be moved is killed and reaped, and StartIn fails.
func (s *Spawner) StartIn(cmd *exec.Cmd, cred *Credential, cg *Cgroup) error {
	cmd.SysProcAttr = Attr()
	if cmd.SysProcAttr == nil && (cred != nil || cg != nil) {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if cred != nil {
		if runtime.GOOS == "windows" {
			return errors.New("supervise: starting a process as another user is not supported on windows")
		}
		setCredential(cmd.SysProcAttr, cred)
	}
	if cg != nil {
		cg.prepare(cmd.SysProcAttr)
	}
	var err error
	ran := make(chan struct{})
	s.reqs <- func() { err = cmd.Start(); close(ran) }
	<-ran
	if err != nil && cg != nil { // clone3 may be refused the cgroup (EACCES, EBUSY)
		return fmt.Errorf("supervise: starting a process in cgroup %s: %w", cg.Dir(), err)
	}
	if err != nil || cg == nil {
		return err
	}
	if err := cg.enter(cmd.Process.Pid); err != nil {
		KillGroup(cmd.Process.Pid)
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("supervise: moving process %d into cgroup %s: %w", cmd.Process.Pid, cg.Dir(), err)
	}
	return nil
}

// Stop ends the Spawner; call it once no child is left.
func (s *Spawner) Stop() {
	close(s.reqs)
	<-s.done
}
