package procpool

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/ipc"
)

// worker is the parent's handle on one worker process.
type worker struct {
	p        *Pool
	slot     int
	restarts int
	cmd      *exec.Cmd
	proc     atomic.Pointer[os.Process] // set once started, for kill
	pid      int
	started  time.Time
	toW      *os.File       // the parent's end of the worker's fd 3
	fromW    *os.File       // the parent's end of the worker's fd 4
	output   sync.WaitGroup // the two forwarders
	outR     *os.File
	errR     *os.File
	stderr   tail

	conn         Conn          // instead of the pipes, with WithTransport
	outRC, errRC io.ReadCloser // the conn's forwarded output
	outS, errS   stream        // the forwarders of stdout and stderr

	out    []byte              // the result being decoded; reader goroutine only
	decode func(ptr any) error // w.decodeOut, made once

	sendMu sync.Mutex // held while a unit's tasks are started and sent
	wmu    sync.Mutex // frames to the worker
	wbuf   []byte

	cur    atomic.Pointer[unit] // the unit in flight
	tasks  atomic.Uint64
	killed atomic.Pointer[killInfo]

	// under p.mu
	ready    bool
	retiring bool // told to exit, or will be: takes no more work
	gone     bool // its pipe ended: takes no more work
	nextID   uint64
	overSoft bool
}

// killInfo says why the parent killed a worker.
type killInfo struct {
	reason killReason
	err    error  // for killProtocol, killStart: what went wrong
	used   uint64 // for killMemory
	cause  error  // for killShutdown: the Shutdown ctx's error
}

type killReason uint8

const (
	killCancel   killReason = iota + 1 // a task outlived its ctx by KillGrace
	killMemory                         // over the hard memory limit
	killProtocol                       // a corrupt or oversized frame
	killStart                          // no hello in time, or a bad one
	killShutdown                       // Shutdown's ctx ended first
)

func (r killReason) String() string {
	switch r {
	case killCancel:
		return "outlived its ctx"
	case killMemory:
		return "over the hard memory limit"
	case killProtocol:
		return "broke the protocol"
	case killStart:
		return "did not start in time"
	case killShutdown:
		return "shutdown's ctx ended"
	}
	return "killReason(" + strconv.Itoa(int(r)) + ")"
}

// kill kills the process once, recording why; later calls keep the first reason.
func (w *worker) kill(k *killInfo) {
	first := w.killed.CompareAndSwap(nil, k)
	if proc := w.proc.Load(); proc != nil { // nil: spawn kills it when it starts
		if first {
			w.p.cfg.logger.Info("procpool: killing worker", "pid", proc.Pid, "reason", k.reason, "err", k.err)
		}
		proc.Kill()
	}
}

// spawn starts the process on the spawner's thread, with its IPC pipes as fd 3 and 4 and
// its output pipes forwarded.
func (w *worker) spawn() error {
	p := w.p
	if p.cfg.transport != nil {
		return w.startConn()
	}
	toR, toW, err := os.Pipe()
	if err != nil {
		return err
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		closeAll(toR, toW)
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(toR, toW, fromR, fromW)
		return err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(toR, toW, fromR, fromW, outR, outW)
		return err
	}
	cmd := exec.Command(p.path, p.cfg.args...)
	cmd.Env = append(append(os.Environ(), p.cfg.env...), workerEnv(&p.cfg)...)
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.SysProcAttr = sysProcAttr()
	p.spawner.do(func() { err = cmd.Start() })
	closeAll(toR, fromW, outW, errW) // the child's ends
	if err != nil {
		closeAll(toW, fromR, outR, errR)
		return err
	}
	w.cmd, w.pid, w.started, w.toW, w.fromW = cmd, cmd.Process.Pid, time.Now(), toW, fromR
	w.outR, w.errR = outR, errR
	w.proc.Store(cmd.Process)
	if w.killed.Load() != nil { // killed while it was being started
		cmd.Process.Kill()
	}
	w.outS.start(outR, p.stdout, nil, &w.output)
	w.errS.start(errR, p.stderr, &w.stderr, &w.output)
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// write sends one or more whole frames in one write.
func (w *worker) write(build func([]byte) []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.wbuf = build(w.wbuf[:0])
	var err error
	if w.conn != nil {
		_, err = w.conn.Write(w.wbuf)
	} else {
		_, err = w.toW.Write(w.wbuf)
	}
	if cap(w.wbuf) > 1<<20 {
		w.wbuf = nil
	}
	return err
}

// handshake reads the worker's hello and runs the initializer, within the start timeout.
func (w *worker) handshake(r *ipc.Reader) error {
	cfg := &w.p.cfg
	timer := time.AfterFunc(cfg.startTimeout, func() {
		w.kill(&killInfo{reason: killStart, err: fmt.Errorf("no hello and initializer within %v", cfg.startTimeout)})
	})
	defer timer.Stop()
	kind, body, err := r.Next()
	if err != nil {
		return err
	}
	if kind != ipc.KindHello {
		return fmt.Errorf("%w: first frame is %v, not hello", ipc.ErrCorrupt, kind)
	}
	h, err := ipc.DecodeHello(body)
	switch {
	case err != nil:
		return err
	case h.Version != ipc.Version:
		return fmt.Errorf("worker speaks protocol %d, the pool %d", h.Version, ipc.Version)
	case h.Codec != cfg.codec.Name():
		return fmt.Errorf("worker uses codec %q, the pool %q", h.Codec, cfg.codec.Name())
	}
	w.p.hello(h.Names)
	if cfg.initName == "" {
		return nil
	}
	return w.initialize(r)
}

// errInit marks an initializer's failure: it breaks the pool at once.
type errInit struct{ err error }

func (e *errInit) Error() string { return "initializer: " + e.err.Error() }
func (e *errInit) Unwrap() error { return e.err }

func (w *worker) initialize(r *ipc.Reader) error {
	cfg := &w.p.cfg
	in, err := cfg.codec.Append(nil, cfg.initInput)
	if err != nil {
		return &errInit{fmt.Errorf("encoding its argument: %w", err)}
	}
	id := w.nextID
	w.nextID++
	if err := w.write(func(b []byte) []byte {
		return ipc.AppendTask(b, ipc.Task{ID: id, Func: cfg.initName, Input: in})
	}); err != nil {
		return err
	}
	kind, body, err := r.Next()
	if err != nil {
		return err
	}
	switch kind {
	case ipc.KindResult:
		return nil
	case ipc.KindError:
		e, err := ipc.DecodeError(body)
		if err != nil {
			return err
		}
		return &errInit{rebuild(e)}
	}
	return fmt.Errorf("%w: %v frame during start-up", ipc.ErrCorrupt, kind)
}
