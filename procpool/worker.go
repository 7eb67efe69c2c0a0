package procpool

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/internal/supervise"
	"github.com/dualpool/dualpool/ipc"
)

// worker is the parent's handle on one worker process, whatever its [Transport]: its
// life is in life.go, its answers in answers.go (and await.go), its death in death.go.
type worker struct {
	p        *Pool
	slot     int
	restarts int
	conn     Conn
	proc     atomic.Pointer[os.Process] // set once started, for kill
	pid      int
	started  time.Time
	cgroup   *supervise.Cgroup // its leaf of WithCgroup's tree, or nil

	output       sync.WaitGroup // the forwarders of its stdout and stderr
	outputs      outputs
	outRC, errRC io.ReadCloser // what the forwarders read, closed if they outlive the process
	stderr       tail

	// Reading the answers: whoever holds rd, the worker's reader goroutine or a waiter
	// in Await, reads them and owns the fields down to decoded.
	rd       sync.Mutex
	answers  *ipc.Reader
	answerFd int32 // the descriptor to wait on for answers (Linux pipes), or -1
	readErr  error // why the answers ended, once they have
	// framesRead counts the frames read, for the reader goroutine to tell whether a
	// waiter read what made the pipe readable
	framesRead atomic.Uint64
	quietTo    uint64  // frames up to this one need no sync of the outputs (polled)
	yield      yielder // for the waiters in Await

	out     []byte              // the result being decoded
	decode  func(ptr any) error // w.decodeOut, made once
	done    uint64              // answers read and not yet counted in the pool's Stats
	failed  uint64              // of which failures
	counted bool                // the answer being finished is counted already
	decoded uint64              // and the calls whose results it decodes

	sendMu sync.Mutex // held while a unit's tasks are started and sent
	wmu    sync.Mutex // frames to the worker
	wbuf   []byte

	cur       atomic.Pointer[unit] // the unit in flight
	resolving atomic.Bool          // its reader is resolving tasks: running their callbacks
	tasks     atomic.Uint64
	killed    atomic.Pointer[killInfo]
	tel       workerTelemetry
	exitTimer atomic.Pointer[time.Timer] // kills it if it does not exit when told

	// under p.mu
	ready     bool
	retiring  bool // told to exit, or will be: takes no more work
	gone      bool // its pipe ended: takes no more work
	nextID    uint64
	overSoft  bool
	gen       uint64    // the pool's Reset generation when it started
	expires   time.Time // WithWorkerTTL, from its hello: replaced after a unit past it; zero: never
	idleSince time.Time // when it last became idle, for WithIdleTTL
	shrink    bool      // leaves without a replacement: the pool shrinks
	replace   bool      // a Reset replaces it after its unit

	recycle atomic.Bool // a task asked (Recycle) that it be replaced after its unit
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
	if proc := w.proc.Load(); proc != nil { // nil: start kills it when it starts
		if first {
			attrs := []any{"pid", proc.Pid, "reason", k.reason.String()}
			if k.err != nil {
				attrs = append(attrs, "err", k.err)
			}
			w.p.cfg.logger.Info("procpool: killing worker", attrs...)
		}
		proc.Kill()
		supervise.KillGroup(proc.Pid)
	}
}

// write sends one or more whole frames in one write.
func (w *worker) write(build func([]byte) []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.wbuf = build(w.wbuf[:0])
	_, err := w.conn.Write(w.wbuf)
	if cap(w.wbuf) > keepBuffer {
		w.wbuf = nil
	}
	return err
}

// keepBuffer is the largest buffer kept from one frame to the next.
const keepBuffer = 8 << 20

// writeLarge sends a Task frame whose large argument goes out in a write of its own,
// not copied into the frame.
func (w *worker) writeLarge(u *unit, t ipc.Task) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.wbuf = ipc.AppendTaskPrefix(w.appendContext(w.wbuf[:0], u), t)
	if _, err := w.conn.Write(w.wbuf); err != nil {
		return err
	}
	_, err := w.conn.Write(t.Input)
	return err
}

// exitGrace is how long a worker told to exit may take before it is killed, so that
// Shutdown and Close return even when a worker ignores the Shutdown frame.
const exitGrace = 2 * time.Second

// tellExit tells the worker to exit after what it was given, and kills it if it is still
// running exitGrace later.
func (w *worker) tellExit() {
	w.write(ipc.AppendShutdown)
	t := time.AfterFunc(exitGrace, func() {
		w.kill(&killInfo{reason: killProtocol, err: fmt.Errorf("did not exit within %v of being told to", exitGrace)})
	})
	if old := w.exitTimer.Swap(t); old != nil {
		old.Stop()
	}
}
