package procpool

import (
	"context"
	"reflect"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// rebuild turns a worker's Error or Failure frame back into the error the task returned
// there: a panic as *executor.PanicError; a registered sentinel or error type as itself;
// anything else as *executor.RemoteError with the same message, its type's name, and the
// registered errors of its chain (and the sentinel its kind names), so that errors.Is
// and errors.As answer as they did in the worker. A panic's value is its text, or, when
// registered errors were found along it, the error rebuilt so, which PanicError unwraps
// to as it does in the worker.
func rebuild(e ipc.Error, codec ipc.Codec) error {
	if e.Kind == ipc.ErrPanic {
		pe := &executor.PanicError{Value: e.Message, Stack: append([]byte(nil), e.Stack...)}
		if len(e.Chain) > 0 {
			pe.Value = rebuildError(e, codec)
		}
		return pe
	}
	return rebuildError(e, codec)
}

// rebuildError rebuilds an error from its text, type and chain.
func rebuildError(e ipc.Error, codec ipc.Codec) error {
	msg := e.Message
	if e.Kind == ipc.ErrCodec {
		msg = "procpool: worker: " + msg
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
