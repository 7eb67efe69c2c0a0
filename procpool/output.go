package procpool

import (
	"bufio"
	"io"
	"sync"
)

// lineSink writes whole lines from many workers to one writer, one Write per line, so
// that lines are never torn or interleaved.
type lineSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *lineSink) write(line []byte) {
	s.mu.Lock()
	s.w.Write(line) // a failing writer loses output, never the worker
	s.mu.Unlock()
}

// sinks returns the sinks of stdout and stderr: one shared sink when both are the same
// writer, so that their lines do not interleave either.
func sinks(stdout, stderr io.Writer) (*lineSink, *lineSink) {
	out := &lineSink{w: stdout}
	if sameWriter(stdout, stderr) {
		return out, out
	}
	return out, &lineSink{w: stderr}
}

func sameWriter(a, b io.Writer) (same bool) {
	defer func() { recover() }() // writers of incomparable types are not the same
	return a == b
}

// tailSize is how much of a worker's stderr is kept for its WorkerExitError.
const tailSize = 4 << 10

// tail keeps the last tailSize bytes written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) add(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(b) >= tailSize {
		t.buf = append(t.buf[:0], b[len(b)-tailSize:]...)
		return
	}
	if over := len(t.buf) + len(b) - tailSize; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, b...)
}

func (t *tail) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}

// maxLine is the longest line forwarded whole; a longer one goes out in pieces.
const maxLine = 64 << 10

// forward copies r to sink line by line until r ends, keeping a tail when keep is not
// nil. A last line without its newline gets one, so the next line stays its own.
func forward(r io.Reader, sink *lineSink, keep *tail) {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		if err == io.EOF && len(line) > 0 {
			line = append(line[:len(line):len(line)], '\n')
		}
		if len(line) > 0 {
			sink.write(line)
			if keep != nil {
				keep.add(line)
			}
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}
