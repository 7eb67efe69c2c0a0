package procpool

import "runtime"

// spawner starts every worker process from one goroutine locked to its OS thread. On
// Linux a worker gets SIGKILL when the thread that started it ends (Pdeathsig follows the
// thread, not the process: golang/go#27505); a locked thread that lives as long as the
// pool makes that the pool's end, or the parent's death. The goroutine returns, and its
// thread ends, only after every worker is gone.
type spawner struct {
	reqs chan func()
	done chan struct{}
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan func()), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *spawner) loop() {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	defer close(s.done)
	for f := range s.reqs {
		f()
	}
}

// do runs f on the spawner's thread and waits for it.
func (s *spawner) do(f func()) {
	ran := make(chan struct{})
	s.reqs <- func() { f(); close(ran) }
	<-ran
}

// stop ends the spawner; call it once no worker is left.
func (s *spawner) stop() {
	close(s.reqs)
	<-s.done
}
