package ipc

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Version is the protocol version this package speaks; a worker's Hello must carry it.
const Version = 1

// Magic opens every Hello, so that a process that writes something else on fd 4 is told
// apart from a worker.
const Magic = "dualpool"

// DefaultMaxFrame is the largest frame, in bytes, either side accepts unless told
// otherwise: 64 MiB.
const DefaultMaxFrame = 64 << 20

// headerLen is the length prefix of a frame.
const headerLen = 4

var (
	// ErrFrameTooLarge is returned for a frame whose length is over the reader's maximum;
	// nothing was allocated for it.
	ErrFrameTooLarge = errors.New("ipc: frame too large")

	// ErrCorrupt is returned for a frame that does not parse.
	ErrCorrupt = errors.New("ipc: corrupt frame")
)

// Kind is a message's kind, the first byte of a frame after its length.
type Kind uint8

// The message kinds; package doc gives their bodies.
const (
	KindHello Kind = iota + 1
	KindTask
	KindBatch
	KindResult
	KindError
	KindCancel
	KindShutdown
	KindChunk
	KindChunkResult
	KindFailure
)

func (k Kind) String() string {
	switch k {
	case KindProfile:
		return "profile"
	case KindContext:
		return "context"
	case KindRecycle:
		return "recycle"
	}
	names := [...]string{"invalid", "hello", "task", "batch", "result", "error", "cancel", "shutdown", "chunk", "chunk result", "failure"}
	if int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Reader reads frames. It is not safe for concurrent use.
type Reader struct {
	r    *bufio.Reader
	max  int
	buf  []byte // for frames larger than r's buffer
	used int    // bytes of r's buffer that the last frame returned still occupies
}

// NewReader returns a Reader of frames from r that refuses frames over max bytes
// (max ≤ 0: [DefaultMaxFrame]).
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = DefaultMaxFrame
	}
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Buffered returns how many bytes the reader holds past the last frame it returned: more
// than 0 means that the next call to Next starts without reading from the input, which
// a caller that waits for its input to be readable needs to know.
func (r *Reader) Buffered() int { return r.r.Buffered() - r.used }

// Next reads one frame and returns its kind and body. The body is valid until the next
// call. At a clean end of input between frames it returns io.EOF; a frame cut short is
// io.ErrUnexpectedEOF; an oversized one is [ErrFrameTooLarge], checked before allocating.
// A frame that fits the reader's buffer is returned in place, without a copy; a larger
// one is read into memory that grows as its bytes arrive, so that a peer announcing a
// large frame and sending nothing costs nothing.
func (r *Reader) Next() (Kind, []byte, error) {
	if r.used > 0 {
		r.r.Discard(r.used)
		r.used = 0
	}
	hdr, err := r.r.Peek(headerLen)
	if err != nil {
		if err == io.EOF && len(hdr) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr))
	if n == 0 {
		return 0, nil, fmt.Errorf("%w: empty frame", ErrCorrupt)
	}
	if uint64(n) > uint64(r.max) {
		return 0, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, r.max)
	}
	if headerLen+n <= r.r.Size() {
		b, err := r.r.Peek(headerLen + n)
		if err != nil {
			return 0, nil, unexpected(err)
		}
		r.used = headerLen + n
		return Kind(b[headerLen]), b[headerLen+1:], nil
	}
	r.r.Discard(headerLen)
	buf := r.buf[:0]
	for len(buf) < n {
		// Read into what is there; past it, grow by what has arrived so far.
		step := n - len(buf)
		if len(buf)+step > cap(buf) {
			step = min(step, max(len(buf), r.r.Size()))
			buf = slices.Grow(buf, step)
		}
		got, err := io.ReadFull(r.r, buf[len(buf):len(buf)+step])
		buf = buf[:len(buf)+got]
		if err != nil {
			return 0, nil, unexpected(err)
		}
	}
	r.buf = buf
	if cap(r.buf) > keepBuffer {
		r.buf = nil // do not keep a huge buffer for the frames to come
	}
	return Kind(buf[0]), buf[1:], nil
}

// keepBuffer is the largest buffer a Reader keeps from one large frame to the next.
const keepBuffer = 8 << 20

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// beginFrame appends a frame header for kind with a length to be patched by endFrame.
func beginFrame(dst []byte, k Kind) ([]byte, int) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, byte(k))
	return dst, start
}

// endFrame patches the length of the frame begun at start.
func endFrame(dst []byte, start int) []byte {
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-headerLen))
	return dst
}

// FrameLen returns the length of the frame that starts dst[start:], as the reader will
// check it against its maximum.
func FrameLen(dst []byte, start int) int { return len(dst) - start - headerLen }
