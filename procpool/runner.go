package procpool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/wire"
	"github.com/dualpool/dualpool/ipc"
)

// runner is what a goroutine running tasks owns: its answer buffer and the Calls of the
// functions it ran.
type runner struct {
	buf   []byte
	calls map[string]backend.Call
	name  string       // the function of the last task
	call  backend.Call // and its Call
	input []byte       // the argument being decoded
	dec   func(any) error
	enc   func(any) error
	err   error // of the last encode
	mark  int   // where the answer of the task running starts in buf
	s     *server

	// For Chunk frames: the job running, its failed calls, and the callbacks of RunChunk,
	// made once.
	job         *serverJob
	failed      []ipc.Error
	chunkStop   func() error
	chunkFail   func(int, error)
	chunkEncode func(any) error
}

// flushAt is how many bytes of answers the worker buffers before writing them out in the
// middle of a batch.
const flushAt = 64 << 10

func (s *server) newRunner() *runner {
	r := &runner{s: s, calls: map[string]backend.Call{}}
	r.dec = func(ptr any) error {
		if err := s.codec.Decode(r.input, ptr); err != nil {
			return &decodeError{err}
		}
		return nil
	}
	r.enc = r.encode
	return r
}

// run runs the tasks of u one after another, writing their answers out at the end (and
// every flushAt bytes on the way).
func (r *runner) run(u *serverUnit) {
	for i := range u.jobs {
		r.runJob(&u.jobs[i])
		if len(r.buf) >= flushAt {
			r.flush()
		}
	}
	r.flush()
}

// runJob runs one task and appends its answer. A task that calls runtime.Goexit ends
// this goroutine; the deferred call answers for it and hands the rest of the unit and the
// reader role to a new goroutine.
func (r *runner) runJob(j *serverJob) {
	if why := j.ctx.reason(); why != 0 { // cancelled before it started
		j.ctx.release()
		r.buf = ipc.AppendFailure(r.buf, r.wireError(j.ID, reasonErr(why), why))
		return
	}
	r.mark = len(r.buf)
	returned := false
	defer func() {
		if !returned {
			r.buf = r.buf[:r.mark]
			r.answer(j, executor.ErrGoexit)
			go r.s.resume(r)
		}
	}()
	var err error
	if j.n > 0 {
		err = r.invokeChunk(j)
	} else {
		err = r.invoke(j)
	}
	returned = true
	r.answer(j, err)
}

// answer appends the answer of j, whose result is already in the buffer if err is nil.
func (r *runner) answer(j *serverJob, err error) {
	why := j.ctx.release()
	if err != nil {
		r.buf = ipc.AppendFailure(r.buf, r.wireError(j.ID, err, why))
	}
	if j.ctx.recycle.Load() { // the parent must know before the answer
		var frame [8]byte
		r.buf = slices.Insert(r.buf, r.mark, ipc.AppendRecycle(frame[:0])...)
	}
}

// resume goes on after a task's runtime.Goexit ended the goroutine that ran it: it runs
// what is left of the unit, then reads on.
func (s *server) resume(r *runner) {
	s.mu.Lock()
	u := s.cur
	s.mu.Unlock()
	next := -1
	if u != nil {
		for i := range u.jobs {
			if !u.jobs[i].ctx.isReleased() {
				next = i
				break
			}
		}
	}
	if next >= 0 {
		r.run(&serverUnit{jobs: u.jobs[next:]})
	} else {
		r.flush()
	}
	if s.unitDone(r, u) {
		s.loop(r)
	}
}

// lookup makes r.call the Call of j's function.
func (r *runner) lookup(j *serverJob) error {
	if j.Func == r.name && r.call != nil {
		return nil
	}
	c, ok := r.calls[j.Func]
	if !ok {
		f, found := backend.Lookup(j.Func)
		if !found {
			return fmt.Errorf("%w: %q is not registered in worker %d", executor.ErrUnknownFunc, j.Func, os.Getpid())
		}
		c = f.NewCall()
		r.calls[j.Func] = c
	}
	r.name, r.call = j.Func, c
	return nil
}

// invoke runs j's function, appending its result to the buffer on success.
func (r *runner) invoke(j *serverJob) error {
	if err := r.lookup(j); err != nil {
		return err
	}
	r.input = j.Input
	r.err = nil
	mark := len(r.buf)
	var start int
	r.buf, start = ipc.BeginResult(r.buf, j.ID)
	err := r.call.Run(j.context(r.s), r.dec, r.enc)
	r.input = nil
	if err != nil {
		r.buf = r.buf[:mark]
		if r.err != nil && err == r.err {
			return fmt.Errorf("%w: %w", errEncode, err)
		}
		return err
	}
	if n := ipc.FrameLen(r.buf, start); n > r.s.maxFrame {
		r.buf = r.buf[:mark]
		return fmt.Errorf("%w: result of %d bytes is over the frame limit of %d bytes", errEncode, n, r.s.maxFrame)
	}
	r.buf = ipc.EndFrame(r.buf, start)
	return nil
}

// encode appends the result to the frame begun in the buffer.
func (r *runner) encode(ptr any) error {
	b, err := r.s.codec.Append(r.buf, ptr)
	if err != nil {
		r.err = err
		return err
	}
	r.buf = b
	return nil
}

func (r *runner) flush() {
	if len(r.buf) == 0 {
		return
	}
	if err := r.s.write(r.buf); err != nil {
		os.Exit(workerFatal("writing results: %v", err)) // the parent is gone
	}
	r.buf = r.buf[:0]
	if cap(r.buf) > keepBuffer {
		r.buf = nil
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
func (e *decodeError) Unwrap() error { return e.err }

// errEncode marks a result that did not encode.
var errEncode = errors.New("encoding the result")

// wireError turns a task's error into its wire form; why is the parent's cancel reason.
func (r *runner) wireError(id uint64, err error, why ipc.Reason) ipc.Error {
	e := wire.Error(id, err, r.s.codec)
	var de *decodeError
	switch {
	case e.Kind == ipc.ErrPanic:
	case errors.As(err, &de), errors.Is(err, errEncode):
		e.Kind = ipc.ErrCodec
	case e.Kind == ipc.ErrCancelled && why == ipc.ErrDeadline:
		e.Kind = ipc.ErrDeadline
	}
	return e
}

// invokeChunk runs the calls of a Chunk frame and appends their ChunkResult; its error
// fails the whole chunk.
func (r *runner) invokeChunk(j *serverJob) error {
	if err := r.lookup(j); err != nil {
		return err
	}
	if r.chunkStop == nil {
		r.chunkStop = func() error {
			if why := r.job.ctx.reason(); why != 0 {
				return reasonErr(why)
			}
			return nil
		}
		r.chunkFail = func(i int, err error) {
			r.failed = append(r.failed, r.wireError(uint64(i), err, r.job.ctx.reason()))
		}
		r.chunkEncode = func(outs any) error {
			b, start := ipc.BeginChunkResult(r.buf, r.job.ID, r.failed)
			b, err := r.s.codec.Append(b, outs)
			if err != nil {
				r.err = err
				return err
			}
			if n := ipc.FrameLen(b, start); n > r.s.maxFrame {
				r.err = fmt.Errorf("results of %d bytes are over the frame limit of %d bytes", n, r.s.maxFrame)
				return r.err
			}
			r.buf = ipc.EndFrame(b, start)
			return nil
		}
	}
	r.job, r.input, r.err, r.failed = j, j.Input, nil, r.failed[:0]
	err := r.call.RunChunk(j.context(r.s), r.dec, r.chunkStop, r.chunkFail, r.chunkEncode)
	r.job, r.input = nil, nil
	if err != nil && err == r.err {
		return fmt.Errorf("%w: %w", errEncode, err)
	}
	return err
}
