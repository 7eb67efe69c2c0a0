package procpool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// server is the worker side: a reader goroutine takes frames off fd 3 and queues tasks,
// the serving goroutine runs them one at a time and writes results to fd 4, buffered
// while more tasks of the same dispatch wait.
type server struct {
	in, out  *os.File
	codec    ipc.Codec
	maxFrame int

	mu       sync.Mutex
	cond     sync.Cond
	queue    []*serverJob
	byID     map[uint64]*serverJob
	shutdown bool

	buf []byte // results not yet written; serving goroutine only
}

type serverJob struct {
	ipc.Task
	why    ipc.Reason              // why the parent cancelled it, or 0; under mu
	cancel context.CancelCauseFunc // while it runs; under mu
}

// flushAt is how many bytes of results the worker buffers before writing them out in the
// middle of a batch.
const flushAt = 64 << 10

func newServer(in, out *os.File, codec ipc.Codec, maxFrame int) *server {
	s := &server{in: in, out: out, codec: codec, maxFrame: maxFrame, byID: map[uint64]*serverJob{}}
	s.cond.L = &s.mu
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
			s.push(t)
		}
		return err
	case ipc.KindBatch:
		return ipc.DecodeBatch(append([]byte(nil), body...), func(t ipc.Task) error { s.push(t); return nil })
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

func (s *server) push(t ipc.Task) {
	j := &serverJob{Task: t}
	s.mu.Lock()
	s.queue = append(s.queue, j)
	s.byID[t.ID] = j
	s.cond.Signal()
	s.mu.Unlock()
}

func (s *server) cancel(id uint64, why ipc.Reason) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.byID[id]
	if j == nil || j.why != 0 {
		return
	}
	j.why = why
	if j.cancel != nil {
		j.cancel(reasonErr(why))
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
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	if j.Deadline != 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithDeadline(ctx, time.Unix(0, j.Deadline))
		defer stop()
	}
	s.mu.Lock()
	why := j.why
	j.cancel = cancel
	s.mu.Unlock()
	var out any
	err := reasonErr(why)
	if why == 0 {
		out, err = s.invoke(ctx, j)
	}
	s.mu.Lock()
	delete(s.byID, j.ID)
	why = j.why
	s.mu.Unlock()
	if err != nil {
		s.buf = ipc.AppendError(s.buf, wireError(j.ID, err, why))
		return
	}
	s.appendResult(j.ID, out)
}

func (s *server) invoke(ctx context.Context, j *serverJob) (any, error) {
	f, ok := executor.Lookup(j.Func)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not registered in worker %d", executor.ErrUnknownFunc, j.Func, os.Getpid())
	}
	return f.Invoke(ctx, func(ptr any) error {
		if err := s.codec.Decode(j.Input, ptr); err != nil {
			return &decodeError{err}
		}
		return nil
	})
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
