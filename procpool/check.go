package procpool

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
)

// ErrNotPortable is matched by the error of a Submit or Map whose function's argument or
// result type a worker process could not receive unchanged: the codec would drop or
// change part of it silently. Nothing was sent.
var ErrNotPortable = errors.New("procpool: type does not cross a process unchanged")

// TypeChecker is implemented by a codec that decides for itself which types it carries
// unchanged (ipc.Gob carries interface values of gob.Register'ed types, for one). Without
// it, the pool refuses unexported struct fields, interface fields (JSON gives an any
// holding an int back as a float64), funcs, channels and unsafe pointers, and a pointer
// as the argument itself (a task's changes through it would reach the caller only on a
// goroutine pool). A type that marshals itself (json.Marshaler, encoding.TextMarshaler,
// encoding.BinaryMarshaler) is taken as it is.
type TypeChecker interface {
	CheckType(t reflect.Type) error
}

// Check reports whether f's argument and result types cross a process unchanged with
// the default codec (or the given one), with the error a pool's Submit would return.
// Call it in a test to assert that every Func a program sends to a process pool is
// portable.
func Check[In, Out any](f executor.Func[In, Out], codec ...ipc.Codec) error {
	c := ipc.Binary
	if len(codec) > 0 && codec[0] != nil {
		c = codec[0]
	}
	return checkFunc(f.Name(), reflect.TypeFor[In](), reflect.TypeFor[Out](), c)
}

// checkRegistered checks the function registered under name, if it is.
func checkRegistered(name string, c ipc.Codec) error {
	r, ok := backend.Lookup(name)
	if !ok {
		return nil
	}
	return checkFunc(name, r.In(), r.Out(), c)
}

func checkFunc(name string, in, out reflect.Type, c ipc.Codec) error {
	if in.Kind() == reflect.Pointer && !marshals(in) {
		return fmt.Errorf("%w: %s takes a pointer, %v, and a task's changes through it would never reach the caller: "+
			"take the value, and return what changed", ErrNotPortable, name, in)
	}
	for _, t := range []struct {
		what string
		t    reflect.Type
	}{{"argument", in}, {"result", out}} {
		var err error
		switch tc, ok := c.(TypeChecker); {
		case ok:
			err = tc.CheckType(t.t)
		default:
			err = (&typeWalk{top: t.t, interfaces: c.Name() == ipc.Gob.Name()}).check(t.t, "", 0)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: its %s: %w", ErrNotPortable, name, t.what, err)
		}
	}
	return nil
}

var (
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	binaryMarshaler = reflect.TypeFor[encoding.BinaryMarshaler]()
)

func marshals(t reflect.Type) bool {
	for _, m := range []reflect.Type{jsonMarshaler, textMarshaler, binaryMarshaler} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

// typeWalk walks a type for what a codec would change silently; interfaces are allowed
// for gob, which carries the values of registered types.
type typeWalk struct {
	top        reflect.Type
	interfaces bool
}

// check walks t, found in the top type at path.
func (w *typeWalk) check(t reflect.Type, path string, depth int) error {
	top := w.top
	if depth > 32 || marshals(t) || (w.interfaces && t.Kind() == reflect.Interface) {
		return nil
	}
	where := func() string {
		if path == "" {
			return "type " + top.String()
		}
		return "type " + top.String() + " at " + path
	}
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return fmt.Errorf("%s is a %v, which cannot cross a process", where(), t.Kind())
	case reflect.Interface:
		return fmt.Errorf("%s is an interface (%v), whose value comes back as what JSON makes of it (an int as a "+
			"float64): use a concrete type, or ipc.Gob with the types gob.Register'ed", where(), t)
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return w.check(t.Elem(), path+"[]", depth+1)
	case reflect.Map:
		if err := w.check(t.Key(), path+"[key]", depth+1); err != nil {
			return err
		}
		return w.check(t.Elem(), path+"[value]", depth+1)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("type %v has unexported field %s, which a worker process never sees: export it",
					t, f.Name)
			}
			if err := w.check(f.Type, path+"."+f.Name, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckRegistered is [Check] for the function registered under name, for a backend that
// sends tasks by name (package cluster does): nil for a name not registered here.
func CheckRegistered(name string, codec ipc.Codec) error {
	return checkRegistered(name, codec)
}
