package ipc

import (
	"encoding/binary"
	"fmt"
)

// Hello is a worker's first frame: who it is and what it can run.
type Hello struct {
	Version uint64   // the protocol version it speaks: [Version]
	PID     int      // its process id
	Codec   string   // the name of the codec it uses
	Names   []string // the functions it has registered
	// Features are the optional frames it understands ([FeatureChunk]); a worker that
	// predates them sends none.
	Features Feature
	// Registry identifies the code it runs: a hash of its functions' names and types,
	// which the parent compares with its own when the worker is the parent's program
	// re-executed. Empty: not sent (then Features is sent, as 0 if need be).
	Registry string
}

// Feature is a bit set of optional parts of the protocol that a worker announces in its
// Hello. The parent uses only those announced.
type Feature uint64

// FeatureChunk: the worker runs Chunk frames and answers them with ChunkResult frames.
const FeatureChunk Feature = 1

// Task is one call: a Task frame, or one entry of a Batch frame.
type Task struct {
	ID       uint64
	Func     string // the registered name
	Deadline int64  // the ctx's deadline in Unix nanoseconds, 0 for none
	Input    []byte // the encoded argument
}

// ErrKind says which error a worker reports, so the parent can rebuild its type.
type ErrKind uint8

// The error kinds; see the package doc.
const (
	ErrText ErrKind = iota + 1
	ErrPanic
	ErrUnknown
	ErrCancelled
	ErrDeadline
	ErrCodec
	ErrGoexit
)

// Error is a task's failure as a worker reports it.
type Error struct {
	ID      uint64
	Kind    ErrKind
	Message string
	Stack   []byte // the worker's stack, for ErrPanic
	// Type is the Go type of the error in the worker ("*fs.PathError"), and Chain the
	// registered errors found along its chain, the error itself first if it is one; a
	// Failure frame carries them, an Error frame does not.
	Type  string
	Chain []ChainError
}

// ChainError is one registered error of an [Error]'s chain: its registered name, and for
// a registered error type its value encoded by the codec.
type ChainError struct {
	Name  string
	Value []byte
}

// Reason says why a task is cancelled: [ErrCancelled] or [ErrDeadline].
type Reason = ErrKind

// AppendHello appends a Hello frame to dst.
func AppendHello(dst []byte, h Hello) []byte {
	dst, start := beginFrame(dst, KindHello)
	dst = appendString(dst, Magic)
	dst = binary.AppendUvarint(dst, h.Version)
	dst = binary.AppendUvarint(dst, uint64(h.PID))
	dst = appendString(dst, h.Codec)
	dst = binary.AppendUvarint(dst, uint64(len(h.Names)))
	for _, n := range h.Names {
		dst = appendString(dst, n)
	}
	if h.Features != 0 || h.Registry != "" {
		dst = binary.AppendUvarint(dst, uint64(h.Features))
	}
	if h.Registry != "" {
		dst = appendString(dst, h.Registry)
	}
	return endFrame(dst, start)
}

// DecodeHello decodes a Hello body. It checks the magic, not the version.
func DecodeHello(body []byte) (Hello, error) {
	d := decoder{b: body}
	if m := d.string("magic"); d.err == nil && m != Magic {
		return Hello{}, fmt.Errorf("%w: hello without the magic %q", ErrCorrupt, Magic)
	}
	h := Hello{Version: d.uvarint("version"), PID: int(d.uvarint("pid")), Codec: d.string("codec")}
	n := d.count("names", 1)
	for range n {
		h.Names = append(h.Names, d.string("name"))
	}
	if d.err == nil && len(d.b) > 0 {
		h.Features = Feature(d.uvarint("features"))
	}
	if d.err == nil && len(d.b) > 0 {
		h.Registry = d.string("registry")
	}
	return h, d.end("hello")
}

func appendTask(dst []byte, t Task) []byte {
	dst = binary.AppendUvarint(dst, t.ID)
	dst = appendString(dst, t.Func)
	dst = binary.AppendVarint(dst, t.Deadline)
	return appendBytes(dst, t.Input)
}

func (d *decoder) task() Task {
	var name string
	return d.taskNamed(&name)
}

// taskNamed decodes a task whose Func reuses *name when the bytes are the same, so that a
// batch of one function allocates its name once; it leaves the task's name in *name.
func (d *decoder) taskNamed(name *string) Task {
	id := d.uvarint("id")
	if b := d.bytes("func"); string(b) != *name {
		*name = string(b)
	}
	return Task{ID: id, Func: *name, Deadline: d.varint("deadline"), Input: d.bytes("input")}
}

// AppendTaskPrefix appends a Task frame to dst without the bytes of t.Input, whose
// length it counts: the caller writes them after the prefix. A large argument so goes
// out without being copied into the frame.
func AppendTaskPrefix(dst []byte, t Task) []byte {
	dst, start := beginFrame(dst, KindTask)
	dst = binary.AppendUvarint(dst, t.ID)
	dst = appendString(dst, t.Func)
	dst = binary.AppendVarint(dst, t.Deadline)
	dst = binary.AppendUvarint(dst, uint64(len(t.Input)))
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-headerLen+len(t.Input)))
	return dst
}

// AppendTask appends a Task frame to dst.
func AppendTask(dst []byte, t Task) []byte {
	dst, start := beginFrame(dst, KindTask)
	return endFrame(appendTask(dst, t), start)
}

// DecodeTask decodes a Task body. Input aliases body.
func DecodeTask(body []byte) (Task, error) {
	d := decoder{b: body}
	t := d.task()
	return t, d.end("task")
}

// BatchWriter builds a Batch frame task by task, without a slice of Tasks.
type BatchWriter struct {
	dst   []byte
	start int
}

// BeginBatch starts a Batch frame of n tasks appended to dst.
func BeginBatch(dst []byte, n int) BatchWriter {
	dst, start := beginFrame(dst, KindBatch)
	dst = binary.AppendUvarint(dst, uint64(n))
	return BatchWriter{dst: dst, start: start}
}

// Add appends one task; it must be called exactly n times.
func (b *BatchWriter) Add(t Task) { b.dst = appendTask(b.dst, t) }

// End finishes the frame and returns dst with it appended.
func (b *BatchWriter) End() []byte { return endFrame(b.dst, b.start) }

// DecodeBatch decodes a Batch body, calling fn with each task in order; Input aliases
// body. It stops at fn's first error.
func DecodeBatch(body []byte, fn func(Task) error) error {
	d := decoder{b: body}
	n := d.count("batch count", 4)
	var name string
	for range n {
		t := d.taskNamed(&name)
		if d.err != nil {
			return d.err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return d.end("batch")
}

// AppendResult appends a Result frame to dst, with output as the encoded result.
func AppendResult(dst []byte, id uint64, output []byte) []byte {
	dst, start := beginFrame(dst, KindResult)
	dst = binary.AppendUvarint(dst, id)
	return endFrame(append(dst, output...), start)
}

// BeginResult starts a Result frame for id; the caller appends the encoded output to the
// returned slice and passes it to [EndFrame] with start. This saves a copy.
func BeginResult(dst []byte, id uint64) (out []byte, start int) {
	dst, start = beginFrame(dst, KindResult)
	return binary.AppendUvarint(dst, id), start
}

// EndFrame finishes a frame begun by BeginResult.
func EndFrame(dst []byte, start int) []byte { return endFrame(dst, start) }

// DecodeResult decodes a Result body. Output aliases body.
func DecodeResult(body []byte) (id uint64, output []byte, err error) {
	d := decoder{b: body}
	id = d.uvarint("id")
	output = d.rest()
	return id, output, d.err
}

// AppendFailure appends a Failure frame to dst: an Error with its type and chain.
func AppendFailure(dst []byte, e Error) []byte {
	dst, start := beginFrame(dst, KindFailure)
	dst = binary.AppendUvarint(dst, e.ID)
	return endFrame(appendFailure(dst, e), start)
}

// appendFailure appends the fields of e after its id.
func appendFailure(dst []byte, e Error) []byte {
	dst = append(dst, byte(e.Kind))
	dst = appendString(dst, e.Message)
	dst = appendBytes(dst, e.Stack)
	dst = appendString(dst, e.Type)
	dst = binary.AppendUvarint(dst, uint64(len(e.Chain)))
	for _, c := range e.Chain {
		dst = appendString(dst, c.Name)
		dst = appendBytes(dst, c.Value)
	}
	return dst
}

// failure decodes the fields of a failure after its id, which it is given.
func (d *decoder) failure(id uint64) Error {
	e := Error{ID: id, Kind: ErrKind(d.byte("errkind")), Message: d.string("message"), Stack: d.bytes("stack"), Type: d.string("type")}
	n := d.count("chain", 2)
	for range n {
		e.Chain = append(e.Chain, ChainError{Name: d.string("chain name"), Value: d.bytes("chain value")})
	}
	if d.err == nil && (e.Kind < ErrText || e.Kind > ErrGoexit) {
		d.fail("errkind")
	}
	return e
}

// DecodeFailure decodes a Failure body. Stack and the chain's values alias body.
func DecodeFailure(body []byte) (Error, error) {
	d := decoder{b: body}
	e := d.failure(d.uvarint("id"))
	return e, d.end("failure")
}

// AppendError appends an Error frame to dst.
func AppendError(dst []byte, e Error) []byte {
	dst, start := beginFrame(dst, KindError)
	dst = binary.AppendUvarint(dst, e.ID)
	dst = append(dst, byte(e.Kind))
	dst = appendString(dst, e.Message)
	return endFrame(append(dst, e.Stack...), start)
}

// DecodeError decodes an Error body. Stack aliases body.
func DecodeError(body []byte) (Error, error) {
	d := decoder{b: body}
	e := Error{ID: d.uvarint("id"), Kind: ErrKind(d.byte("errkind")), Message: d.string("message")}
	e.Stack = d.rest()
	if d.err == nil && (e.Kind < ErrText || e.Kind > ErrGoexit) {
		d.fail("errkind")
	}
	return e, d.err
}

// AppendCancel appends a Cancel frame to dst.
func AppendCancel(dst []byte, id uint64, why Reason) []byte {
	dst, start := beginFrame(dst, KindCancel)
	dst = binary.AppendUvarint(dst, id)
	return endFrame(append(dst, byte(why)), start)
}

// DecodeCancel decodes a Cancel body.
func DecodeCancel(body []byte) (id uint64, why Reason, err error) {
	d := decoder{b: body}
	id = d.uvarint("id")
	why = Reason(d.byte("reason"))
	if d.err == nil && why != ErrCancelled && why != ErrDeadline {
		d.fail("reason")
	}
	return id, why, d.end("cancel")
}

// AppendShutdown appends a Shutdown frame to dst.
func AppendShutdown(dst []byte) []byte {
	dst, start := beginFrame(dst, KindShutdown)
	return endFrame(dst, start)
}

// BatchLen returns the number of tasks a Batch body announces (0 if it does not parse),
// for a worker that sizes its storage before [DecodeBatch].
func BatchLen(body []byte) int {
	d := decoder{b: body}
	return d.count("batch count", 4)
}
