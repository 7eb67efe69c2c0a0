// Package wire is what both ends of a process boundary share beyond package ipc: the hash
// that tells whether two binaries run the same registered functions, and a task's error
// turned into its wire form and back. The process pool and the cluster use it on both of
// their sides, so that an error reads and matches the same whichever carried it.
package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// RegistryHash identifies the code of this binary as another process sees it: a hash of
// the registered functions' names and argument and result types. Two processes that give
// the same one can run each other's tasks.
func RegistryHash() string {
	h := sha256.New()
	for _, name := range backend.Names() {
		f, _ := backend.Lookup(name)
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", name, funcTypeName(f.In()), funcTypeName(f.Out()))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// typeName is the Go type of v as the process where it was made named it: a
// RemoteError passed on keeps the type it had there.
func typeName(v any) string {
	if re, ok := v.(*executor.RemoteError); ok {
		return re.Type
	}
	return fmt.Sprintf("%T", v)
}

func funcTypeName(t reflect.Type) string {
	if t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

// Error turns a task's error into its wire form: its text, its Go type (the original
// one for an *executor.RemoteError passed on), the registered errors of its chain with
// their values encoded by codec, and the kind of the sentinel it matches. The caller
// adjusts the kind for what only it knows (an argument that did not decode).
func Error(id uint64, err error, codec ipc.Codec) ipc.Error {
	e := ipc.Error{ID: id, Kind: ipc.ErrText, Message: err.Error(), Type: typeName(err)}
	found, values := backend.RegisteredChain(err)
	for i, reg := range found {
		c := ipc.ChainError{Name: reg.Name}
		if reg.Type != nil {
			v, encErr := codec.Append(nil, values[i])
			if encErr != nil {
				continue // it travels as text only
			}
			c.Value = v
		}
		e.Chain = append(e.Chain, c)
	}
	var pe *executor.PanicError
	switch {
	case errors.As(err, &pe):
		e.Kind, e.Message, e.Stack, e.Type = ipc.ErrPanic, fmt.Sprint(pe.Value), pe.Stack, typeName(pe.Value)
	case errors.Is(err, executor.ErrUnknownFunc):
		e.Kind = ipc.ErrUnknown
	case errors.Is(err, executor.ErrGoexit):
		e.Kind = ipc.ErrGoexit
	case errors.Is(err, context.DeadlineExceeded):
		e.Kind = ipc.ErrDeadline
	case errors.Is(err, context.Canceled):
		e.Kind = ipc.ErrCancelled
	}
	return e
}

// Rebuild turns an Error or Failure frame back into the error the task returned on the
// other side: a panic as *executor.PanicError; a registered sentinel or error type as
// itself; anything else as *executor.RemoteError with the same message, its type's name,
// and the registered errors of its chain (and the sentinel its kind names), so that
// errors.Is and errors.As answer as they did there. A panic's value is its text, or, when
// registered errors were found along it, the error rebuilt so, which PanicError unwraps
// to as it does there. The message of a codec error is prefixed with codecPrefix.
func Rebuild(e ipc.Error, codec ipc.Codec, codecPrefix string) error {
	if e.Kind == ipc.ErrPanic {
		pe := &executor.PanicError{Value: e.Message, Stack: append([]byte(nil), e.Stack...)}
		if len(e.Chain) > 0 {
			pe.Value = rebuildError(e, codec, codecPrefix)
		}
		return pe
	}
	return rebuildError(e, codec, codecPrefix)
}

// rebuildError rebuilds an error from its text, type and chain.
func rebuildError(e ipc.Error, codec ipc.Codec, codecPrefix string) error {
	msg := e.Message
	if e.Kind == ipc.ErrCodec {
		msg = codecPrefix + msg
	}
	wrapped := make([]error, 0, len(e.Chain)+1)
	for i, c := range e.Chain {
		v, ok := rebuildRegistered(c, codec)
		if !ok {
			continue
		}
		if i == 0 && e.Kind != ipc.ErrCodec && v.Error() == e.Message {
			return v // the error itself is registered, and reads the same
		}
		wrapped = append(wrapped, v)
	}
	if is := kindSentinel(e.Kind); is != nil {
		wrapped = append(wrapped, is)
	}
	return &executor.RemoteError{Type: e.Type, Message: msg, Wrapped: wrapped}
}

// rebuildRegistered makes the registered error c names: its sentinel, or a value of its
// type decoded from c.Value.
func rebuildRegistered(c ipc.ChainError, codec ipc.Codec) (error, bool) {
	reg, ok := backend.LookupError(c.Name)
	switch {
	case !ok:
		return nil, false
	case reg.Value != nil:
		return reg.Value, true
	}
	ptr := reflect.New(reg.Type)
	if codec.Decode(c.Value, ptr.Interface()) != nil {
		return nil, false
	}
	err, ok := ptr.Elem().Interface().(error)
	return err, ok && err != nil
}

// kindSentinel is the sentinel an error kind stands for, if any.
func kindSentinel(k ipc.ErrKind) error {
	switch k {
	case ipc.ErrUnknown:
		return executor.ErrUnknownFunc
	case ipc.ErrCancelled:
		return context.Canceled
	case ipc.ErrDeadline:
		return context.DeadlineExceeded
	case ipc.ErrGoexit:
		return executor.ErrGoexit
	}
	return nil
}
