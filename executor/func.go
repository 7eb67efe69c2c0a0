package executor

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/internal/registry"
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
	if !registry.Funcs.Add(name, registered[In, Out]{f}) {
		panic(fmt.Sprintf("executor: Register called twice for %q", name))
	}
	return f
}

// registered is a Func as backend.Lookup returns it.
type registered[In, Out any] struct{ f Func[In, Out] }

var _ backend.Registered = registered[int, int]{}

func (r registered[In, Out]) Name() string          { return r.f.name }
func (r registered[In, Out]) In() reflect.Type      { return reflect.TypeFor[In]() }
func (r registered[In, Out]) Out() reflect.Type     { return reflect.TypeFor[Out]() }
func (r registered[In, Out]) NewCall() backend.Call { return &workerCall[In, Out]{fn: r.f.fn} }

// workerCall holds one argument and one result of a function, reused from task to task by
// a worker, so that decoding into it and encoding from it allocate nothing of their own.
type workerCall[In, Out any] struct {
	fn   func(context.Context, In) (Out, error)
	in   In
	out  Out
	ins  []In
	outs []Out
}

func (c *workerCall[In, Out]) Run(ctx context.Context, decode, encode func(any) error) error {
	var zeroIn In
	var zeroOut Out
	c.in = zeroIn
	if err := decode(&c.in); err != nil {
		return err
	}
	out, err := callRecover(ctx, c.fn, c.in)
	c.in = zeroIn // keep nothing of the task alive
	if err != nil {
		return err
	}
	c.out = out
	err = encode(&c.out)
	c.out = zeroOut
	return err
}

func (c *workerCall[In, Out]) RunChunk(ctx context.Context, decode func(any) error, stop func() error,
	fail func(int, error), encode func(any) error) error {
	c.ins = c.ins[:0]
	if err := decode(&c.ins); err != nil {
		return err
	}
	c.outs = slices.Grow(c.outs[:0], len(c.ins))[:len(c.ins)]
	for i, in := range c.ins {
		if err := stop(); err != nil {
			fail(i, err)
			continue
		}
		out, err := callRecover(ctx, c.fn, in)
		if err != nil {
			fail(i, err)
			continue
		}
		c.outs[i] = out
	}
	err := encode(&c.outs)
	clear(c.ins) // keep nothing of the tasks alive
	clear(c.outs)
	return err
}

// callRecover calls fn and turns a panic into a *PanicError. Recovering is the policy of
// both backends: one task's bug fails that task's Future instead of the whole program, as
// an exception in a Python pool does; the stack is kept so the bug can still be found. A
// runtime.Goexit is not recovered (nothing can stop it): the caller's own deferred
// function sees that fn did not return, as in x/sync/singleflight.
func callRecover[In, Out any](ctx context.Context, fn func(context.Context, In) (Out, error), in In) (out Out, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, in)
}
