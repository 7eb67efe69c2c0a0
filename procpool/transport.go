package procpool

import (
	"io"
	"os"
	"os/exec"
	"time"
)

// A Transport launches worker processes and connects the pool to them. The default
// re-executes a binary with two pipes on fd 3 and 4; package procpool/goplugin has
// another, which launches plugin binaries through hashicorp/go-plugin and carries the
// frames over gRPC. Whatever the transport, the pool supervises the process itself: it
// kills it, restarts it, reads its memory and reports its exit.
//
// Start is called from the worker's own goroutine, once per worker process, and must be
// safe for concurrent use. It returns once the process runs and its connection is open;
// on an error it leaves nothing behind (no process, no descriptor, no goroutine).
type Transport interface {
	Start(spec *Spec) (Conn, error)
}

// A Conn is the pool's link to one worker process started by a [Transport].
//
// Read and Write carry the frames of package ipc: Write is given whole frames and is
// never called concurrently; Read is called from one goroutine and returns io.EOF once
// the worker is gone or has closed its side. Wait is called once, after Read ended or
// the process was killed, and returns when the process has exited, with its state.
// Close releases what is left (connections, descriptors, goroutines) after Wait.
type Conn interface {
	io.Reader
	io.Writer
	Process() *os.Process
	Wait() *os.ProcessState
	Close() error
}

// Spec is what a [Transport] needs to start one worker: the command, its environment,
// and the pool's ways of starting it and of forwarding its output.
type Spec struct {
	Path string
	Args []string
	// Env is the parent's environment with [WithEnv]'s entries. WorkerEnv marks a worker
	// and tells it the codec and the frame limit; [ServeStream] reads it.
	Env, WorkerEnv []string
	// StartTimeout is the pool's [WithStartTimeout].
	StartTimeout time.Duration

	w *worker
}

// StartCmd starts cmd the way the pool starts its own workers: on the pool's spawner
// thread, so that on Linux the process gets SIGKILL when the pool ends or the parent dies,
// and in the worker's cgroup with [WithCgroup] (cmd.SysProcAttr is set here).
func (s *Spec) StartCmd(cmd *exec.Cmd) error {
	return s.w.p.spawner.StartIn(cmd, s.w.p.cfg.credential, s.w.cgroup)
}

// ForwardStdout copies r to the pool's stdout ([WithStdout]) line by line until r ends,
// then closes r; ForwardStderr does the same for stderr ([WithStderr]) and keeps the
// tail that a [executor.WorkerExitError] reports. Each runs in its own goroutine, which
// the pool waits for when the worker exits (closing r if it is still open a second
// later). Call each at most once per worker, before Start returns.
func (s *Spec) ForwardStdout(r io.ReadCloser) { s.w.forward(r, false) }

// ForwardStderr: see [Spec.ForwardStdout].
func (s *Spec) ForwardStderr(r io.ReadCloser) { s.w.forward(r, true) }

func (w *worker) forward(r io.ReadCloser, stderr bool) {
	sink, keep, s := w.p.stdout, (*tail)(nil), &w.outputs.out
	if stderr {
		sink, keep, s = w.p.stderr, &w.stderr, &w.outputs.err
		w.errRC = r
	} else {
		w.outRC = r
	}
	s.start(r, sink, keep, &w.output)
}

// start starts the worker's process through the pool's transport.
func (w *worker) start() error {
	p := w.p
	spec := &Spec{
		Path: p.exe, Args: p.cfg.args,
		Env:          p.cfg.environ(),
		WorkerEnv:    workerEnv(&p.cfg),
		StartTimeout: p.cfg.startTimeout,
		w:            w,
	}
	if err := w.newCgroup(); err != nil {
		return err
	}
	conn, err := p.cfg.transport.Start(spec)
	if err != nil {
		w.removeCgroup()
		return err
	}
	proc := conn.Process()
	w.conn, w.pid, w.started = conn, proc.Pid, time.Now()
	w.proc.Store(proc)
	if len(p.cfg.rlimits) > 0 {
		if err := applyRlimits(proc.Pid, p.cfg.rlimits); err != nil {
			proc.Kill()
			conn.Wait()
			conn.Close()
			w.removeCgroup()
			return err
		}
	}
	if w.killed.Load() != nil { // killed while it was being started
		proc.Kill()
	}
	return nil
}

// WithTransport makes the pool launch and reach its workers through t instead of
// re-executing a binary with two pipes; see [Transport]. [WithCommand]'s path and
// arguments, if given, are handed to t in its [Spec].
func WithTransport(t Transport) Option {
	return optionFunc(func(c *config) {
		if t == nil {
			c.fail("WithTransport(nil)")
		}
		c.transport = t
	})
}
