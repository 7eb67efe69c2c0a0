package backend

import (
	"errors"
	"reflect"

	"github.com/dualpool/dualpool/internal/registry"
)

// RegisteredError is an error registered with executor.RegisterError (Value, a sentinel)
// or executor.RegisterErrorType (Type), as a backend that moves errors across a process
// boundary sees it.
type RegisteredError struct {
	Name  string
	Value error        // a sentinel, or nil
	Type  reflect.Type // an error type, or nil
}

// LookupError returns the error registered under name.
func LookupError(name string) (RegisteredError, bool) {
	v, ok := registry.Errors.Get(name)
	if !ok {
		return RegisteredError{}, false
	}
	r, ok := v.(RegisteredError)
	return r, ok
}

// RegisteredChain returns the registered errors found along err's chain (errors.Unwrap,
// and Unwrap() []error), in the order met, err itself first if it is one, with the value
// each was found as: the sentinel, or the error of the registered type.
func RegisteredChain(err error) (found []RegisteredError, values []error) {
	names := registry.Errors.Names()
	if len(names) == 0 {
		return nil, nil
	}
	regs := make([]RegisteredError, 0, len(names))
	for _, n := range names {
		if r, ok := LookupError(n); ok {
			regs = append(regs, r)
		}
	}
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		t := reflect.TypeOf(e)
		for _, r := range regs {
			if (r.Value != nil && t.Comparable() && reflect.TypeOf(r.Value) == t && e == r.Value) || r.Type == t {
				found, values = append(found, r), append(values, e)
				break
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		default:
			walk(errors.Unwrap(e))
		}
	}
	walk(err)
	return found, values
}
