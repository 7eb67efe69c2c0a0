package procpool

import (
	"io"
	"sync"
	"syscall"
)

// stream forwards one output of a worker (its stdout or its stderr) and lets a result
// wait for it. A task's prints and its result travel on different pipes, read by
// different goroutines: without the wait, "Task E finished." could reach the program's
// stdout after the program printed E's result.
//
// When the output is a pipe, its forwarder reads it without blocking, under mu, through
// the runtime's poller; sync takes mu and reads what is left in the pipe itself. Bytes are
// therefore only ever taken from the pipe by someone holding mu who writes them out before
// letting go, and once sync returns, everything the worker wrote before it answered is out.
type stream struct {
	mu    sync.Mutex
	rc    syscall.RawConn // nil: not a pipe, forwarded with plain reads and no waiting
	fd    int32           // the pipe's descriptor, for waitAnswer (-1: unknown)
	l     lines
	buf   []byte
	eof   bool
	drain func(fd uintptr) // for sync: made once, so that sync allocates nothing
}

// start forwards r in a goroutine counted by wg, then closes r.
func (s *stream) start(r io.ReadCloser, sink *lineSink, keep *tail, wg *sync.WaitGroup) {
	s.l = lines{sink: sink, keep: keep}
	if sc, ok := r.(syscall.Conn); ok && nonblockingReads {
		if rc, err := sc.SyscallConn(); err == nil {
			s.rc, s.buf, s.fd = rc, make([]byte, 32<<10), -1
			rc.Control(func(fd uintptr) { s.fd = int32(fd) })
			s.drain = func(fd uintptr) { s.drainLocked(fd) }
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if s.rc != nil {
			s.pump()
		} else {
			forward(r, &s.l)
		}
		r.Close()
	}()
}

// pump forwards the pipe until it ends.
func (s *stream) pump() {
	eof := false
	err := s.rc.Read(func(fd uintptr) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		eof = s.drainLocked(fd)
		return eof // false: wait until the pipe is readable, then call again
	})
	if err != nil || !eof { // the file was closed under us
		s.mu.Lock()
		s.endLocked()
		s.mu.Unlock()
	}
}

// drainLocked writes out what the pipe holds now and reports whether the pipe ended.
func (s *stream) drainLocked(fd uintptr) (eof bool) {
	if s.eof {
		return true
	}
	for {
		n, again, err := readNonblock(fd, s.buf)
		switch {
		case again:
			return false
		case err != nil || n == 0:
			s.endLocked()
			return true
		}
		s.l.write(s.buf[:n])
	}
}

func (s *stream) endLocked() {
	if !s.eof {
		s.eof = true
		s.l.end()
	}
}

// sync writes out whatever the worker has written to the pipe and the forwarder has not
// read yet. The reader of the worker's answers calls it before it resolves a Future.
func (s *stream) sync() {
	if s.rc == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.eof {
		s.rc.Control(s.drain)
	}
}

// outputs are a worker's two forwarded streams, synced together. The poll(2) that waits
// for an answer looks at both pipes too (waitAnswer), so that a round trip in which the
// task printed nothing costs no system call for them; otherwise one poll(2) tells whether
// either pipe holds bytes that the forwarders have not taken yet.
type outputs struct {
	out, err     stream
	fdOut        uintptr
	inner, outer func(fd uintptr) // made once, so that sync allocates nothing
	poll         poller
}

// fds returns the descriptors of the two pipes for waitAnswer, or -1s when they are not
// both pipes.
func (o *outputs) fds() [2]int32 {
	if o.out.rc == nil || o.err.rc == nil || o.out.fd < 0 || o.err.fd < 0 {
		return [2]int32{-1, -1}
	}
	return [2]int32{o.out.fd, o.err.fd}
}

// sync writes out whatever the worker wrote to either stream before it answered. Quiet
// says that a poll found both pipes empty once the answer was there (waitAnswer): then
// nothing is left in them, and sync only waits for a forwarder that may still be writing
// out what it took.
func (o *outputs) sync(quiet bool) {
	a, b := &o.out, &o.err
	if a.rc == nil || b.rc == nil {
		a.sync()
		b.sync()
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case quiet: // the locks waited for a forwarder still writing out what it took
	case a.eof && b.eof:
	case a.eof:
		b.rc.Control(b.drain)
	case b.eof:
		a.rc.Control(a.drain)
	default:
		if o.outer == nil {
			o.inner = func(fdErr uintptr) {
				readOut, readErr := o.poll.readable(o.fdOut, fdErr)
				if readOut {
					a.drainLocked(o.fdOut)
				}
				if readErr {
					b.drainLocked(fdErr)
				}
			}
			o.outer = func(fdOut uintptr) {
				o.fdOut = fdOut
				b.rc.Control(o.inner)
			}
		}
		a.rc.Control(o.outer)
	}
}
