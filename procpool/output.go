package procpool

import (
	"bytes"
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

// crashSize is how much is kept from the first line that starts a Go crash report
// ("fatal error: ...", "panic: ..."): the goroutine dump that follows can be far longer
// than the tail, and the line that says what happened comes first.
const crashSize = 1 << 10

// crashPrefixes start the report the Go runtime writes when a program dies.
var crashPrefixes = [][]byte{[]byte("fatal error: "), []byte("panic: "), []byte("SIGSEGV"), []byte("SIGBUS"), []byte("runtime: ")}

// tail keeps the last tailSize bytes written to it, and the start of a crash report.
type tail struct {
	mu         sync.Mutex
	buf        []byte
	crash      []byte // the start of the first crash report, up to crashSize
	sinceCrash int    // bytes written since the crash report began
}

func (t *tail) add(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.noteCrash(b)
	if len(b) >= tailSize {
		t.buf = append(t.buf[:0], b[len(b)-tailSize:]...)
		return
	}
	if over := len(t.buf) + len(b) - tailSize; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, b...)
}

// noteCrash keeps line when it starts or continues a crash report.
func (t *tail) noteCrash(line []byte) {
	if t.crash == nil {
		for _, p := range crashPrefixes {
			if bytes.HasPrefix(line, p) {
				t.crash = []byte{}
				break
			}
		}
		if t.crash == nil {
			return
		}
	}
	t.sinceCrash += len(line)
	if room := crashSize - len(t.crash); room > 0 {
		t.crash = append(t.crash, line[:min(room, len(line))]...)
	}
}

// bytes returns the tail, led by the start of the crash report when the tail no longer
// holds it.
func (t *tail) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.crash != nil && t.sinceCrash > len(t.buf) {
		out := append([]byte(nil), t.crash...)
		out = append(out, "...\n"...)
		return append(out, t.buf...)
	}
	return append([]byte(nil), t.buf...)
}

// maxLine is the longest line forwarded whole; a longer one goes out in pieces.
const maxLine = 64 << 10

// lines cuts what a worker writes into whole lines for a sink, keeping a tail when keep is
// not nil.
type lines struct {
	sink *lineSink
	keep *tail
	part []byte // the start of a line whose newline has not come yet
}

func (l *lines) emit(b []byte) {
	l.sink.write(b)
	if l.keep != nil {
		l.keep.add(b)
	}
}

// write hands on every whole line of data, and keeps the rest for the next write.
func (l *lines) write(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			l.part = append(l.part, data...)
			if len(l.part) >= maxLine {
				l.emit(l.part)
				l.part = l.part[:0]
			}
			return
		}
		if len(l.part) > 0 {
			l.part = append(l.part, data[:i+1]...)
			l.emit(l.part)
			l.part = l.part[:0]
		} else {
			l.emit(data[:i+1])
		}
		data = data[i+1:]
	}
}

// end hands on a last line without its newline, with one, so the next line stays its own.
func (l *lines) end() {
	if len(l.part) > 0 {
		l.emit(append(l.part, '\n'))
		l.part = nil
	}
}

// forward copies r to l until r ends.
func forward(r io.Reader, l *lines) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		l.write(buf[:n])
		if err != nil {
			l.end()
			return
		}
	}
}
