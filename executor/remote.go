package executor

import (
	"fmt"
	"reflect"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/internal/registry"
)

// RegisterError registers the sentinel error err under name and returns err, so that a
// package declares it in one line:
//
//	var ErrGone = executor.RegisterError("myapp.ErrGone", errors.New("gone"))
//
// A task in a worker process that fails with ErrGone, or with an error that wraps it,
// fails on the caller's side with an error that errors.Is matches to the same ErrGone.
// Call it at package level, like [Register]; a name registered twice panics.
func RegisterError(name string, err error) error {
	if err == nil {
		panic("executor: RegisterError of a nil error as " + name)
	}
	if !reflect.TypeOf(err).Comparable() {
		panic(fmt.Sprintf("executor: RegisterError(%q): %T is not comparable, so errors.Is cannot match it", name, err))
	}
	addError(name, backend.RegisteredError{Name: name, Value: err})
	return err
}

// RegisterErrorType registers the error type E under name, so that errors.As finds a
// value of it on the caller's side of a process boundary, with its exported fields
// encoded by the pool's codec:
//
//	func init() { executor.RegisterErrorType[*NotFound]("myapp.NotFound") }
//
// Its fields cross as a task's argument does, so the same rules hold: exported fields of
// concrete types (procpool.CheckErrors names in a test the registered types that would
// not cross unchanged). Call it at package level or in init; a name registered twice
// panics.
func RegisterErrorType[E error](name string) {
	addError(name, backend.RegisteredError{Name: name, Type: reflect.TypeFor[E]()})
}

func addError(name string, r backend.RegisteredError) {
	if name == "" {
		panic("executor: RegisterError with an empty name")
	}
	if !registry.Errors.Add(name, r) {
		panic(fmt.Sprintf("executor: error %q registered twice", name))
	}
}

// RemoteError is the error of a task that failed in another process with an error
// whose type was not registered ([RegisterErrorType]): the same message, the name of its
// Go type there, and the registered errors found along its chain, rebuilt, which
// errors.Is and errors.As find through it.
type RemoteError struct {
	Type    string  // the error's Go type in the worker, such as "*fs.PathError"
	Message string  // its Error() there
	Wrapped []error // the registered errors (and the sentinels of this package or context) of its chain
}

func (e *RemoteError) Error() string   { return e.Message }
func (e *RemoteError) Unwrap() []error { return e.Wrapped }
