package procpool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// server is the worker side: a reader goroutine takes frames off fd 3 and queues tasks,
// the serving goroutine runs them one at a time and writes results to fd 4, buffered
// while more tasks of the same dispatch wait.
type server struct {
	in       io.Reader
	out      io.Writer
	codec    ipc.Codec
	maxFrame int

	mu       sync.Mutex
	cond     sync.Cond
	queue    []*serverJob
	running  *serverJob
	shutdown bool

	// The serving goroutine's own.
	buf      []byte // results not yet written
	lastName string // the function of the last task, and what Lookup found for it
	lastFunc executor.Registered
	input    []byte              // the argument of the task being decoded
	decode   func(ptr any) error // decodes input; made once
}

type serverJob struct {
	ipc.Task
	why ipc.Reason // why the parent cancelled it, or 0; under mu
	ctx *taskCtx   // while it runs
}

// flushAt is how many bytes of results the worker buffers before writing them out in the
// middle of a batch.
const flushAt = 64 << 10

func newServer(in io.Reader, out io.Writer, codec ipc.Codec, maxFrame int) *server {
	s := &server{in: in, out: out, codec: codec, maxFrame: maxFrame}
	s.cond.L = &s.mu
	s.decode = func(ptr any) error {
		if err := s.codec.Decode(s.input, ptr); err != nil {
			return &decodeError{err}
		}
		return nil
	}
	return s
}

func (s *server) serve() int {
	go s.readLoop()
	for {
		j, ok := s.next()
		if !ok {
			return 0
		}
		s.run(j)
		if len(s.buf) >= flushAt {
			s.flush()
		}
	}
}

// next returns the next task, flushing results before it waits; false means shut down.
func (s *server) next() (*serverJob, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = nil
	for len(s.queue) == 0 {
		if len(s.buf) > 0 {
			s.mu.Unlock()
			s.flush()
			s.mu.Lock()
			continue
		}
		if s.shutdown {
			return nil, false
		}
		s.cond.Wait()
	}
	j := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	s.running = j
	if j.why == 0 {
		j.ctx = newTaskCtx(j.Deadline)
	}
	return j, true
}

func (s *server) flush() {
	if _, err := s.out.Write(s.buf); err != nil {
		os.Exit(workerFatal("writing results: %v", err)) // the parent is gone
	}
	s.buf = s.buf[:0]
}

// readLoop reads the parent's frames. The end of its pipe means the parent is gone: the
// worker exits at once, whatever is running.
func (s *server) readLoop() {
	r := ipc.NewReader(s.in, s.maxFrame)
	for {
		kind, body, err := r.Next()
		if err == io.EOF {
			os.Exit(0)
		}
		if err == nil {
			err = s.handle(kind, body)
		}
		if err != nil {
			os.Exit(workerFatal("reading from parent: %v", err))
		}
	}
}

func (s *server) handle(kind ipc.Kind, body []byte) error {
	switch kind {
	case ipc.KindTask:
		t, err := ipc.DecodeTask(append([]byte(nil), body...))
		if err == nil {
			s.push([]serverJob{{Task: t}})
		}
		return err
	case ipc.KindBatch:
		var jobs []serverJob
		err := ipc.DecodeBatch(append([]byte(nil), body...), func(t ipc.Task) error {
			jobs = append(jobs, serverJob{Task: t})
			return nil
		})
		if err == nil {
			s.push(jobs)
		}
		return err
	case ipc.KindCancel:
		id, why, err := ipc.DecodeCancel(body)
		if err == nil {
			s.cancel(id, why)
		}
		return err
	case ipc.KindShutdown:
		s.mu.Lock()
		s.shutdown = true
		s.cond.Broadcast()
		s.mu.Unlock()
		return nil
	}
	return fmt.Errorf("%w: unexpected %v frame", ipc.ErrCorrupt, kind)
}

func (s *server) push(jobs []serverJob) {
	s.mu.Lock()
	for i := range jobs {
		s.queue = append(s.queue, &jobs[i])
	}
	s.cond.Signal()
	s.mu.Unlock()
}

// cancel cancels task id: its ctx if it runs, or the task itself if it waits.
func (s *server) cancel(id uint64, why ipc.Reason) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.running
	if j == nil || j.ID != id {
		j = nil
		for _, q := range s.queue {
			if q.ID == id {
				j = q
				break
			}
		}
	}
	if j == nil || j.why != 0 {
		return
	}
	j.why = why
	if j.ctx != nil {
		j.ctx.cancel(reasonErr(why))
	}
}

func reasonErr(why ipc.Reason) error {
	if why == ipc.ErrDeadline {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// decodeError marks an argument that did not decode.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "decoding the argument: " + e.err.Error() }

// run runs one task and appends its answer to the buffer.
func (s *server) run(j *serverJob) {
	var out any
	var err error
	if j.ctx == nil { // cancelled before it started
		err = reasonErr(j.why)
	} else {
		out, err = s.invoke(j)
		j.ctx.release()
	}
	if err != nil {
		s.mu.Lock()
		why := j.why
		s.mu.Unlock()
		s.buf = ipc.AppendError(s.buf, wireError(j.ID, err, why))
		return
	}
	s.appendResult(j.ID, out)
}

func (s *server) invoke(j *serverJob) (any, error) {
	if j.Func != s.lastName || s.lastFunc == nil {
		f, ok := executor.Lookup(j.Func)
		if !ok {
			return nil, fmt.Errorf("%w: %q is not registered in worker %d", executor.ErrUnknownFunc, j.Func, os.Getpid())
		}
		s.lastName, s.lastFunc = j.Func, f
	}
	s.input = j.Input
	return s.lastFunc.Invoke(j.ctx, s.decode)
}

func (s *server) appendResult(id uint64, v any) {
	mark := len(s.buf)
	b, start := ipc.BeginResult(s.buf, id)
	b, err := s.codec.Append(b, v)
	if err == nil && ipc.FrameLen(b, start) > s.maxFrame {
		err = fmt.Errorf("result of %d bytes is over the frame limit of %d bytes", ipc.FrameLen(b, start), s.maxFrame)
	}
	if err != nil {
		s.buf = ipc.AppendError(b[:mark], ipc.Error{ID: id, Kind: ipc.ErrCodec, Message: "encoding the result: " + err.Error()})
		return
	}
	s.buf = ipc.EndFrame(b, start)
}

// wireError turns a task's error into its wire form; why is the parent's cancel reason.
func wireError(id uint64, err error, why ipc.Reason) ipc.Error {
	e := ipc.Error{ID: id, Kind: ipc.ErrText, Message: err.Error()}
	var pe *executor.PanicError
	var de *decodeError
	switch {
	case errors.As(err, &pe):
		e.Kind, e.Message, e.Stack = ipc.ErrPanic, fmt.Sprint(pe.Value), pe.Stack
	case errors.As(err, &de):
		e.Kind = ipc.ErrCodec
	case errors.Is(err, executor.ErrUnknownFunc):
		e.Kind = ipc.ErrUnknown
	case errors.Is(err, context.DeadlineExceeded) || why == ipc.ErrDeadline && errors.Is(err, context.Canceled):
		e.Kind = ipc.ErrDeadline
	case errors.Is(err, context.Canceled):
		e.Kind = ipc.ErrCancelled
	}
	return e
}
