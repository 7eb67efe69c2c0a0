package procpool

import (
	"context"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// taskError is a task's error as its worker reported it: the text, and the sentinel it
// matched there, so that errors.Is behaves as in the worker.
type taskError struct {
	msg string
	is  error // a sentinel of executor or context, or nil
}

func (e *taskError) Error() string { return e.msg }
func (e *taskError) Unwrap() error { return e.is }

// rebuild turns a worker's Error frame back into the error the task returned there.
func rebuild(e ipc.Error) error {
	switch e.Kind {
	case ipc.ErrPanic:
		return &executor.PanicError{Value: e.Message, Stack: append([]byte(nil), e.Stack...)}
	case ipc.ErrUnknown:
		return &taskError{msg: e.Message, is: executor.ErrUnknownFunc}
	case ipc.ErrCancelled:
		return &taskError{msg: e.Message, is: context.Canceled}
	case ipc.ErrDeadline:
		return &taskError{msg: e.Message, is: context.DeadlineExceeded}
	case ipc.ErrGoexit:
		return &taskError{msg: e.Message, is: executor.ErrGoexit}
	case ipc.ErrCodec:
		return &taskError{msg: "procpool: worker: " + e.Message}
	}
	return &taskError{msg: e.Message}
}
