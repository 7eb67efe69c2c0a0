package executor

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"sync"
)

// Func is a task function registered under a name with [Register]. It is a small value,
// safe to copy and to use from many goroutines. The zero Func is not registered: submitting
// it fails with [ErrUnknownFunc].
type Func[In, Out any] struct {
	name string
	fn   func(context.Context, In) (Out, error)
}

// Name returns the name the function was registered under.
func (f Func[In, Out]) Name() string { return f.name }

// Call runs the function in the calling goroutine, without any executor. A panic is not
// recovered here.
func (f Func[In, Out]) Call(ctx context.Context, in In) (Out, error) { return f.fn(ctx, in) }

// Registered is a registered function seen without its types, as a worker process needs
// it: it knows only the name it was sent and the bytes of the argument.
type Registered interface {
	// Name is the name the function was registered under.
	Name() string
	// In and Out are the argument and result types.
	In() reflect.Type
	Out() reflect.Type
	// Invoke decodes the argument with decode (called with a pointer to a new In value),
	// calls the function, and returns its result as an Out value. A panic in the function
	// is recovered into a *[PanicError].
	Invoke(ctx context.Context, decode func(in any) error) (any, error)
}

var registry struct {
	sync.RWMutex
	funcs map[string]Registered
}

// Register registers fn under name and returns the [Func] to submit. Call it at package
// level (var Square = executor.Register(...)), so that a worker process built from the same
// code registers the same names before it serves. A name registered twice is a programming
// error: Register panics. Register is safe for concurrent use.
func Register[In, Out any](name string, fn func(context.Context, In) (Out, error)) Func[In, Out] {
	if name == "" {
		panic("executor: Register with an empty name")
	}
	if fn == nil {
		panic("executor: Register of a nil function as " + name)
	}
	f := Func[In, Out]{name: name, fn: fn}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.funcs[name]; dup {
		panic(fmt.Sprintf("executor: Register called twice for %q", name))
	}
	if registry.funcs == nil {
		registry.funcs = make(map[string]Registered)
	}
	registry.funcs[name] = registered[In, Out]{f}
	return f
}

// Lookup returns the function registered under name.
func Lookup(name string) (Registered, bool) {
	registry.RLock()
	defer registry.RUnlock()
	r, ok := registry.funcs[name]
	return r, ok
}

// Names returns the registered names, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.funcs))
	for name := range registry.funcs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

type registered[In, Out any] struct{ f Func[In, Out] }

func (r registered[In, Out]) Name() string      { return r.f.name }
func (r registered[In, Out]) In() reflect.Type  { return reflect.TypeFor[In]() }
func (r registered[In, Out]) Out() reflect.Type { return reflect.TypeFor[Out]() }

func (r registered[In, Out]) Invoke(ctx context.Context, decode func(any) error) (out any, err error) {
	var in In
	if err := decode(&in); err != nil {
		return nil, err
	}
	v, err := callRecover(ctx, r.f.fn, in)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// callRecover calls fn and turns a panic into a *PanicError. Recovering is the policy of
// both backends: one task's bug fails that task's Future instead of the whole program, as
// an exception in a Python pool does; the stack is kept so the bug can still be found.
func callRecover[In, Out any](ctx context.Context, fn func(context.Context, In) (Out, error), in In) (out Out, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, in)
}
