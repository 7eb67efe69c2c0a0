// Package ipc is the wire protocol between a dualpool process pool and its worker
// processes. It is small and fixed enough that a worker in another language can be written
// from this page alone; package procpool speaks it on both sides.
//
// # Transport
//
// A worker is started with two extra pipes: it reads the parent's frames from file
// descriptor 3 and writes its own to file descriptor 4. Its stdin is empty; its stdout and
// stderr are its own, forwarded line by line by the parent, never part of the protocol. The
// environment tells a process it is a worker:
//
//	DUALPOOL_WORKER=1          protocol version the parent speaks (Version)
//	DUALPOOL_CODEC=binary      name of the codec for arguments and results
//	DUALPOOL_MAX_FRAME=67108864 the largest frame either side may send, in bytes
//	DUALPOOL_FEATURES=2        optional worker→parent frames the parent takes (a Feature
//	                           bit set, decimal; absent: none)
//
// When fd 3 reaches end of file the parent is gone: the worker must exit at once, even if
// a task is still running.
//
// # Frames
//
// Each message is one frame:
//
//	length  uint32, big endian: the bytes that follow (kind and body), at least 1
//	kind    uint8, one of the Kind constants
//	body    length-1 bytes, laid out as below for each kind
//
// A reader checks length against its maximum before it allocates anything; a frame over
// it is an error ([ErrFrameTooLarge]) that ends the conversation. In the bodies, uvarint
// and varint are Go's encoding/binary variable-length integers (LEB128; varint
// zig-zags), a string or bytes field is a uvarint length and then that many bytes, and
// "rest" is every byte to the end of the frame.
//
//	Hello    (worker→parent, first frame)  magic string "dualpool", version uvarint,
//	                                       pid uvarint, codec string, count uvarint, count × name string,
//	                                       and optionally features uvarint (a bit set, below)
//	                                       and then registry string (a hash of what it runs)
//	Task     (parent→worker)               task
//	Batch    (parent→worker)               count uvarint, count × task; run in order
//	Result   (worker→parent)               id uvarint, output rest (the encoded result)
//	Error    (worker→parent)               id uvarint, errkind uint8, message string, stack rest
//	Cancel   (parent→worker)               id uvarint, reason uint8 (1 cancelled, 2 deadline)
//	Shutdown (parent→worker)               empty: finish the tasks received, then exit 0
//	Chunk    (parent→worker)               count uvarint, task: count calls of one function
//	ChunkResult (worker→parent)            id uvarint, count uvarint, count × (index uvarint, failure), output rest
//	Failure  (worker→parent)               id uvarint, failure: an Error with the error's type and chain
//	Recycle  (worker→parent, kind 12)      empty: replace this worker after the current unit
//
// where failure is: errkind uint8, message string, stack bytes, type string (the error's
// Go type in the worker, "*fs.PathError"; for ErrPanic, the panic value's), count uvarint, count × (name string, value
// bytes): the errors registered by name (executor.RegisterError, RegisterErrorType) found
// along the error's chain, the error itself first if it is one, each with its value
// encoded by the codec for a registered type (empty for a sentinel value). A worker
// answers a task with Result, Error or Failure; a worker in another language needs only
// Result and Error. In a ChunkResult, index is the call's place in its chunk.
//
// Chunk and ChunkResult are an optional part, for a Map chunk: the parent sends them only
// to a worker whose Hello has the feature bit 1 (FeatureChunk). A Chunk's input is the
// count arguments encoded together, as the codec encodes a slice of them; the worker
// runs the calls in order and answers with one ChunkResult whose output encodes the slice
// of count results (the zero value where a call failed), preceded by the failures, or
// with one Error of the chunk's id when the chunk failed as a whole (its input did not
// decode, its function is unknown): every call then fails with it. A Cancel with the
// chunk's id cancels the calls not yet run (each fails with the reason) and the ctx of
// the one running.
//
// # Telemetry frames (version 1, optional)
//
// Two more optional parts, each used only with a worker whose Hello announces its bit;
// a worker that does not know them never announces them and never receives them:
//
//	Profile (parent→worker, kind 11)       id uvarint, name string, duration varint (nanoseconds)
//	Profile (worker→parent, kind 11)       id uvarint, error string, data rest
//	Context (parent→worker, kind 13)       id uvarint, count uvarint, n uvarint, n × (key string, value string)
//
// Profile, feature bit 4 (FeatureProfile), asks for the runtime/pprof profile of that name
// ("cpu": a CPU profile taken for duration; "heap", "goroutine", "allocs" or any other
// name runtime/pprof knows: at once). The worker answers with a Profile frame of the same
// id: an empty error and the gzipped protobuf profile as data, or the error's text and no
// data. It must answer while it runs a task: a Go worker reads it from a second goroutine,
// which a pipe worker's parent wakes with SIGUSR2 after the frame (a worker that
// announces the bit ignores SIGUSR2 otherwise). Ids are the parent's, apart from tasks'.
//
// Context, feature bit 8 (FeatureContext), comes just before the Task, Batch or Chunk
// frame that holds the tasks it is for: the count tasks whose ids start at id. Its fields
// are a task's propagated context (W3C traceparent and tracestate, baggage: whatever the
// parent's propagator injects), which the worker's propagator extracts into the task's
// ctx. The parent sends none when the propagator wrote nothing.
//
// Recycle is an optional part too, for a task that knows its worker should not be kept
// (it leaked, or loaded what it should not keep): the worker announces feature bit 2
// (FeatureRecycle) in its Hello, and sends a Recycle frame, before the answer of the
// task that asked, only when the parent's DUALPOOL_FEATURES has that bit. The parent
// then retires the worker once every task of the unit is answered, as it retires a
// worker after its maximum of tasks, and starts another. Its kind, 12, is fixed.
//
// where task is: id uvarint, function name string, deadline varint (Unix nanoseconds;
// 0 for none), input bytes (the encoded argument).
//
// Ids are chosen by the parent, unique among a worker's unfinished tasks; each Task and
// each task of a Batch gets exactly one Result or Error with its id. A worker runs the
// tasks it is given one at a time, in the order received. The parent may send a Cancel for
// a task it sent: the worker cancels that task's context (or drops it if not started, with
// an Error of kind ErrCancelled or ErrDeadline) and still answers it.
//
// Error kinds ([ErrKind]) let the parent rebuild the error types of package executor:
// ErrText (a plain error: message only), ErrPanic (message is the panic value's text,
// stack the worker's stack), ErrUnknown (no function of that name), ErrCancelled and
// ErrDeadline (the task ended with its context's error), ErrCodec (the argument could not
// be decoded or the result not encoded), ErrGoexit (the task ended its goroutine with
// runtime.Goexit and returned nothing; a worker in another language never sends it).
//
// # Codecs
//
// Arguments and results are encoded by a [Codec], chosen by name. The default, [Binary],
// writes a one-byte tag and then: a varint for signed integers and durations, a uvarint
// for unsigned ones, 8 bytes (IEEE 754, little endian) for float64, 4 for float32, one byte
// for bool, the raw bytes for string and []byte, nothing for struct{}; a slice of a basic
// type is a list (tag 0x12); a nil []byte or list is the tag 0x13 alone, so that nil and
// empty stay apart (a frame from before that tag wrote nil as empty, and decodes so); any
// other type is tag 'j' followed by its encoding/json text. See [Binary] for the tags.
//
// # What it does not do
//
// It does not authenticate or encrypt: the pipes are private to the two processes. It
// does not multiplex: one worker, one pair of pipes. It does not retry or time out; the
// process pool decides that.
package ipc
