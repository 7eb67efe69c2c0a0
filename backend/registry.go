package backend

import (
	"context"
	"reflect"

	"github.com/dualpool/dualpool/internal/registry"
)

// Registered is a function registered with executor.Register, seen without its types, as
// a worker process needs it: it knows only the name it was sent and the bytes of the
// argument.
type Registered interface {
	// Name is the name the function was registered under.
	Name() string
	// In and Out are the argument and result types.
	In() reflect.Type
	Out() reflect.Type
	// NewCall returns storage for one argument and one result of the function, reused
	// by a worker from one task to the next so that a task costs no allocation of its
	// own. A Call is for one goroutine at a time.
	NewCall() Call
}

// Call runs a [Registered] function on encoded input; see [Registered.NewCall].
type Call interface {
	// Run calls decode with a pointer to the argument (*In, zeroed) to fill it, calls the
	// function, and on success calls encode with a pointer to its result (*Out) before
	// it returns encode's error. A panic in the function is recovered into a
	// *executor.PanicError, a runtime.Goexit into executor.ErrGoexit.
	Run(ctx context.Context, decode func(in any) error, encode func(out any) error) error

	// RunChunk calls the function on each argument of a chunk, in order: decode fills a
	// *[]In, stop is asked before each call whether the chunk was cancelled (a non-nil
	// error fails the call without running it), fail is told each call that failed, and
	// encode is given the *[]Out of results, zero where a call failed. Its error is a
	// failure of the whole chunk: the arguments did not decode, or the results did not
	// encode. A runtime.Goexit in a call ends the goroutine, as in Run.
	RunChunk(ctx context.Context, decode func(ins any) error, stop func() error,
		fail func(i int, err error), encode func(outs any) error) error
}

// Lookup returns the function registered under name.
func Lookup(name string) (Registered, bool) {
	v, ok := registry.Funcs.Get(name)
	if !ok {
		return nil, false
	}
	r, ok := v.(Registered)
	return r, ok
}

// Names returns the registered names, sorted.
func Names() []string { return registry.Funcs.Names() }
