package goplugin

import (
	"io"
	"sync"
)

// answers are the frames the instance writes to the pool, read by the pool's reader
// until the end, after which nothing more is written.
type answers struct {
	mu    sync.Mutex
	buf   []byte
	off   int
	ended bool
	ready chan struct{} // has a value when buf or ended changed
}

// put adds frame unless the answers have ended; then, still under the lock, it calls
// mark, so that what mark records is seen by whoever reads the frame.
func (a *answers) put(frame []byte, mark func()) {
	a.mu.Lock()
	if a.ended {
		a.mu.Unlock()
		return
	}
	if mark != nil {
		mark()
	}
	a.buf = append(a.buf, frame...)
	a.mu.Unlock()
	a.signal()
}

func (a *answers) end() {
	a.mu.Lock()
	a.ended = true
	a.mu.Unlock()
	a.signal()
}

func (a *answers) signal() {
	select {
	case a.ready <- struct{}{}:
	default:
	}
}

func (a *answers) read(p []byte) (int, error) {
	for {
		a.mu.Lock()
		if a.off < len(a.buf) {
			n := copy(p, a.buf[a.off:])
			a.off += n
			if a.off == len(a.buf) {
				a.buf, a.off = a.buf[:0], 0
			}
			a.mu.Unlock()
			return n, nil
		}
		ended := a.ended
		a.mu.Unlock()
		if ended {
			return 0, io.EOF
		}
		<-a.ready
	}
}
