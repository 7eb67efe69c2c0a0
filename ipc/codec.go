package ipc

import (
	"fmt"
	"sync"
)

// Codec encodes a task's argument and result. Both sides of a pool must use codecs of the
// same name; the parent tells the worker which (DUALPOOL_CODEC). A Codec is safe for
// concurrent use.
type Codec interface {
	// Name is the name the codec is registered under.
	Name() string
	// Append appends the encoding of v to dst. v is a value of the encoded type or a
	// pointer to one, and both must encode alike: backends pass a pointer to a task's
	// argument or result so that encoding it boxes nothing.
	Append(dst []byte, v any) ([]byte, error)
	// Decode decodes data into ptr, a non-nil pointer to a value of the type that was
	// encoded. It must not keep data: the caller reuses it.
	Decode(data []byte, ptr any) error
}

var codecs = struct {
	sync.RWMutex
	m map[string]Codec
}{m: map[string]Codec{}}

func init() {
	for _, c := range []Codec{Binary, Gob, JSON} {
		RegisterCodec(c)
	}
}

// RegisterCodec makes c available under c.Name() to [LookupCodec], which a worker uses to
// find the codec its parent named. Register a custom codec at package level in every
// binary that serves as a worker. A name registered twice panics.
func RegisterCodec(c Codec) {
	codecs.Lock()
	defer codecs.Unlock()
	if _, dup := codecs.m[c.Name()]; dup {
		panic(fmt.Sprintf("ipc: RegisterCodec called twice for %q", c.Name()))
	}
	codecs.m[c.Name()] = c
}

// LookupCodec returns the codec registered under name.
func LookupCodec(name string) (Codec, bool) {
	codecs.RLock()
	defer codecs.RUnlock()
	c, ok := codecs.m[name]
	return c, ok
}
