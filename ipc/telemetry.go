package ipc

import (
	"encoding/binary"
	"fmt"
	"time"
)

// The frames of telemetry: optional parts of the protocol that the parent uses only with
// a worker whose Hello announces them. Their kinds are fixed apart from the iota block
// of the core kinds, so that other extensions can take the numbers between.
const (
	// KindProfile asks a worker for a pprof profile (parent→worker) and carries it back
	// (worker→parent); feature bit [FeatureProfile].
	KindProfile Kind = 11
	// KindContext carries the context of the tasks of the frame that follows it
	// (parent→worker); feature bit [FeatureContext].
	KindContext Kind = 13
)

const (
	// FeatureProfile: the worker answers Profile frames, even while it runs a task.
	FeatureProfile Feature = 4
	// FeatureContext: the worker reads Context frames and gives their fields to its tasks'
	// ctx.
	FeatureContext Feature = 8
)

// TaskContext is a Context frame: the propagated context (a trace's identity, baggage)
// of the Count tasks whose ids start at ID, as key-value text.
type TaskContext struct {
	ID, Count uint64
	Fields    []string // key, value, key, value, ...
}

// AppendContext appends a Context frame to dst. Fields must have an even length.
func AppendContext(dst []byte, c TaskContext) []byte {
	dst, start := beginFrame(dst, KindContext)
	dst = binary.AppendUvarint(dst, c.ID)
	dst = binary.AppendUvarint(dst, c.Count)
	dst = binary.AppendUvarint(dst, uint64(len(c.Fields)/2))
	for _, f := range c.Fields[:len(c.Fields)/2*2] {
		dst = appendString(dst, f)
	}
	return endFrame(dst, start)
}

// DecodeContext decodes a Context body; its strings are copies.
func DecodeContext(body []byte) (TaskContext, error) {
	d := decoder{b: body}
	c := TaskContext{ID: d.uvarint("id"), Count: d.uvarint("count")}
	n := d.count("fields", 2)
	if d.err == nil {
		c.Fields = make([]string, 0, 2*n)
	}
	for range n {
		c.Fields = append(c.Fields, d.string("key"), d.string("value"))
	}
	return c, d.end("context")
}

// ProfileRequest is a Profile frame from the parent: take the runtime/pprof profile Name
// ("cpu" for a CPU profile of Duration; "heap", "goroutine", "allocs" or any other
// profile runtime/pprof knows, at once) and answer with a [ProfileReply] of the same ID.
type ProfileRequest struct {
	ID       uint64
	Name     string
	Duration time.Duration
}

// ProfileReply is a Profile frame from a worker: the profile asked for by request ID,
// gzipped pprof protobuf as runtime/pprof writes it, or why it could not be taken.
type ProfileReply struct {
	ID   uint64
	Err  string // "" for success
	Data []byte
}

// AppendProfileRequest appends a Profile frame from the parent to dst.
func AppendProfileRequest(dst []byte, r ProfileRequest) []byte {
	dst, start := beginFrame(dst, KindProfile)
	dst = binary.AppendUvarint(dst, r.ID)
	dst = appendString(dst, r.Name)
	dst = binary.AppendVarint(dst, int64(r.Duration))
	return endFrame(dst, start)
}

// DecodeProfileRequest decodes the body of a Profile frame from the parent.
func DecodeProfileRequest(body []byte) (ProfileRequest, error) {
	d := decoder{b: body}
	r := ProfileRequest{ID: d.uvarint("id"), Name: d.string("name"), Duration: time.Duration(d.varint("duration"))}
	if d.err == nil && r.Duration < 0 {
		d.err = fmt.Errorf("%w: negative profile duration", ErrCorrupt)
	}
	return r, d.end("profile request")
}

// AppendProfileReply appends a Profile frame from a worker to dst.
func AppendProfileReply(dst []byte, r ProfileReply) []byte {
	dst, start := beginFrame(dst, KindProfile)
	dst = binary.AppendUvarint(dst, r.ID)
	dst = appendString(dst, r.Err)
	return endFrame(append(dst, r.Data...), start)
}

// DecodeProfileReply decodes the body of a Profile frame from a worker. Data aliases
// body.
func DecodeProfileReply(body []byte) (ProfileReply, error) {
	d := decoder{b: body}
	r := ProfileReply{ID: d.uvarint("id"), Err: d.string("error")}
	r.Data = d.rest()
	return r, d.err
}
