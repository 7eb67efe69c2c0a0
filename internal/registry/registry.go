// Package registry is the storage behind executor.Register and backend.Lookup: a set of
// values by unique name, filled at package initialisation and read by every backend.
package registry

import (
	"slices"
	"sync"
)

// Registry holds values by name. The zero Registry is empty and ready to use; it is safe
// for concurrent use.
type Registry[T any] struct {
	mu sync.RWMutex
	m  map[string]T
}

// Add stores v under name and reports false, storing nothing, if name is taken.
func (r *Registry[T]) Add(name string, v T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		return false
	}
	if r.m == nil {
		r.m = make(map[string]T)
	}
	r.m[name] = v
	return true
}

// Get returns the value stored under name.
func (r *Registry[T]) Get(name string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[name]
	return v, ok
}

// Names returns the names stored, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.m))
	for name := range r.m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Funcs holds the registered task functions; its values implement backend.Registered.
var Funcs Registry[any]

// Errors holds the registered errors: sentinel values and error types, by name; its
// values are backend.RegisteredError.
var Errors Registry[any]
