package procpool

import (
	"encoding"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/registry"
	"github.com/dualpool/dualpool/ipc"
)

// ErrNotPortable is matched by the error of a Submit or Map whose function's argument or
// result type a worker process could not receive unchanged: the codec would drop or
// change part of it silently. Nothing was sent.
var ErrNotPortable = errors.New("procpool: type does not cross a process unchanged")

// TypeChecker is implemented by a codec that decides for itself which types it carries
// unchanged. Without it, the pool refuses unexported struct fields (except, for JSON, an
// embedded struct's, whose fields JSON promotes), fields tagged json:"-", slice and map
// fields tagged omitempty (an empty one would arrive nil; omitzero is fine), interface fields
// (JSON gives an any holding an int back as a float64; ipc.Gob carries the values of
// gob.Register'ed types, and is let through), funcs, channels and unsafe pointers, and a
// pointer as the argument itself (a task's changes through it would reach the caller only
// on a goroutine pool). A type that encodes and decodes itself is taken as it is: with
// MarshalJSON and UnmarshalJSON, or MarshalText and UnmarshalText (for ipc.Gob: GobEncode
// and GobDecode, MarshalBinary and UnmarshalBinary, or the text pair).
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
	if in.Kind() == reflect.Pointer && !marshals(in, c.Name() == ipc.Gob.Name()) {
		return fmt.Errorf("%w: %s takes a pointer, %v, and a task's changes through it would never reach the caller: "+
			"take the value, and return what changed", ErrNotPortable, name, in)
	}
	for _, t := range []struct {
		what string
		t    reflect.Type
	}{{"argument", in}, {"result", out}} {
		if err := checkType(t.t, c); err != nil {
			return fmt.Errorf("%w: %s: its %s: %w", ErrNotPortable, name, t.what, err)
		}
	}
	return nil
}

// checkType checks that the codec carries type t unchanged.
func checkType(t reflect.Type, c ipc.Codec) error {
	if tc, ok := c.(TypeChecker); ok {
		return tc.CheckType(t)
	}
	return (&typeWalk{top: t, gob: c.Name() == ipc.Gob.Name()}).check(t, "", 0)
}

// CheckErrors reports whether the error types registered with
// [executor.RegisterErrorType] cross a process unchanged with the default codec (or the
// given one), naming each that does not: a field the codec would drop or change would
// make the rebuilt error differ from the worker's, and a value the codec cannot decode
// (an interface field, such as an Err error) leaves its type out of the rebuilt chain,
// so that errors.As would find it on a goroutine pool and not across a process. Call it
// in a test, beside [Check].
func CheckErrors(codec ...ipc.Codec) error {
	c := ipc.Binary
	if len(codec) > 0 && codec[0] != nil {
		c = codec[0]
	}
	var errs []error
	for _, name := range registry.Errors.Names() {
		reg, ok := backend.LookupError(name)
		if !ok || reg.Type == nil {
			continue
		}
		if err := checkType(reg.Type, c); err != nil {
			errs = append(errs, fmt.Errorf("%w: error type %v, registered as %q: %w", ErrNotPortable, reg.Type, name, err))
		}
	}
	return errors.Join(errs...)
}

// selfCoders are the pairs of methods by which a type encodes and decodes itself, for
// JSON (and ipc.Binary, which falls back to it) and for gob.
var selfCoders = map[bool][][2]reflect.Type{
	false: {
		{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[json.Unmarshaler]()},
		{reflect.TypeFor[encoding.TextMarshaler](), reflect.TypeFor[encoding.TextUnmarshaler]()},
	},
	true: {
		{reflect.TypeFor[gob.GobEncoder](), reflect.TypeFor[gob.GobDecoder]()},
		{reflect.TypeFor[encoding.BinaryMarshaler](), reflect.TypeFor[encoding.BinaryUnmarshaler]()},
		{reflect.TypeFor[encoding.TextMarshaler](), reflect.TypeFor[encoding.TextUnmarshaler]()},
	},
}

// marshals reports whether t encodes and decodes itself with the codec (gob or JSON):
// it has both methods of a pair, so that what it writes is what it reads back.
func marshals(t reflect.Type, gob bool) bool {
	for _, pair := range selfCoders[gob] {
		if (t.Implements(pair[0]) || reflect.PointerTo(t).Implements(pair[0])) && reflect.PointerTo(t).Implements(pair[1]) {
			return true
		}
	}
	return false
}

// typeWalk walks a type for what a codec would change silently; gob carries interface
// values of registered types, and JSON promotes the fields of an embedded struct.
type typeWalk struct {
	top reflect.Type
	gob bool
}

// check walks t, found in the top type at path.
func (w *typeWalk) check(t reflect.Type, path string, depth int) error {
	top := w.top
	if depth > 32 || marshals(t, w.gob) || (w.gob && t.Kind() == reflect.Interface) {
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
		what := "whose value comes back as what JSON makes of it (an int as a float64)"
		if t.NumMethod() > 0 {
			what = "which JSON cannot decode into"
		}
		return fmt.Errorf("%s is an interface (%v), %s: use a concrete type, or ipc.Gob with the types "+
			"gob.Register'ed", where(), t, what)
	case reflect.Pointer:
		return w.check(t.Elem(), path, depth+1)
	case reflect.Slice, reflect.Array:
		return w.check(t.Elem(), path+"[]", depth+1)
	case reflect.Map:
		if err := w.check(t.Key(), path+"[key]", depth+1); err != nil {
			return err
		}
		return w.check(t.Elem(), path+"[value]", depth+1)
	case reflect.Struct:
		return w.fields(t, path, depth)
	}
	return nil
}

// fields checks the fields of struct type t.
func (w *typeWalk) fields(t reflect.Type, path string, depth int) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !w.promoted(f) {
			return fmt.Errorf("type %v has unexported field %s, which a worker process never sees: export it, "+
				"or give %v %s methods", t, f.Name, t, map[bool]string{false: "MarshalJSON and UnmarshalJSON",
				true: "GobEncode and GobDecode"}[w.gob])
		}
		if err := w.tag(t, f); err != nil {
			return err
		}
		if err := w.check(f.Type, path+"."+f.Name, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// tag refuses the JSON tags that lose part of a value: "-" drops the field, and
// omitempty makes an empty slice or map arrive nil.
func (w *typeWalk) tag(t reflect.Type, f reflect.StructField) error {
	if w.gob {
		return nil
	}
	name, opts, hasOpts := strings.Cut(f.Tag.Get("json"), ",")
	switch k := f.Type.Kind(); {
	case name == "-" && !hasOpts: // "-," names a field "-"
		return fmt.Errorf("type %v has field %s tagged json:\"-\", which a worker process never sees: "+
			"drop the tag, or use ipc.Gob", t, f.Name)
	case (k == reflect.Slice || k == reflect.Map) && slices.Contains(strings.Split(opts, ","), "omitempty"):
		return fmt.Errorf("type %v has field %s tagged omitempty, which makes an empty %v arrive nil: "+
			"use omitzero, which omits only a nil one", t, f.Name, k)
	}
	return nil
}

// promoted reports whether f is an unexported embedded struct (not a pointer to one)
// whose fields JSON promotes to the outer struct's; its own fields are then checked.
func (w *typeWalk) promoted(f reflect.StructField) bool {
	return !w.gob && f.Anonymous && f.Type.Kind() == reflect.Struct
}

// CheckRegistered is [Check] for the function registered under name, for a backend that
// sends tasks by name (package cluster does): nil for a name not registered here.
func CheckRegistered(name string, codec ipc.Codec) error {
	return checkRegistered(name, codec)
}
