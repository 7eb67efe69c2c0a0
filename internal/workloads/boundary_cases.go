package workloads

import (
	"context"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// BoundaryCase is one call that must mean the same on every backend: the same result, or
// the same error, or a process pool's refusal before anything is sent.
type BoundaryCase struct {
	Name string
	// ErrorKind is FailWith's kind for a case whose task fails, "" for the others.
	ErrorKind string
	// Refused is, for a Func whose types would not cross a process unchanged, the whole
	// text of the error (procpool.ErrNotPortable's) that a process pool's Submit and Map
	// return; "" when it crosses.
	Refused string

	submit func(context.Context, executor.Executor) (any, error)
	mapTwo func(context.Context, executor.Executor) (any, error)
}

// Submit submits the case's call on ex and waits for it: its result, or the error of
// Submit or of the task.
func (c BoundaryCase) Submit(ctx context.Context, ex executor.Executor) (any, error) {
	return c.submit(ctx, ex)
}

// Map runs the case's call twice through executor.Map in one chunk of two: the results
// in order, or the first error.
func (c BoundaryCase) Map(ctx context.Context, ex executor.Executor) (any, error) {
	return c.mapTwo(ctx, ex)
}

func call[In, Out any](name string, f executor.Func[In, Out], in func() In) BoundaryCase {
	return BoundaryCase{
		Name: name,
		submit: func(ctx context.Context, ex executor.Executor) (any, error) {
			fut, err := executor.Submit(ctx, ex, f, in())
			if err != nil {
				return nil, err
			}
			return fut.Result(ctx)
		},
		mapTwo: func(ctx context.Context, ex executor.Executor) (any, error) {
			var outs []Out
			for out, err := range executor.Map(ctx, ex, f, slices.Values([]In{in(), in()}), executor.Chunk(2)) {
				if err != nil {
					return nil, err
				}
				outs = append(outs, out)
			}
			return outs, nil
		},
	}
}

// both is a case of each: the value sent and sent back, and the value as the task saw it.
func both[T any](name string, echo executor.Func[T, T], seen executor.Func[T, string], v func() T) []BoundaryCase {
	return []BoundaryCase{call(name+", sent back", echo, v), call(name+", as the task sees it", seen, v)}
}

// refused is a case that a process pool refuses: msg is its error's text after the Func's
// name.
func refused[In, Out any](name string, f executor.Func[In, Out], in func() In, msg string) BoundaryCase {
	c := call(name, f, in)
	c.Refused = "procpool: type does not cross a process unchanged: " + f.Name() + msg
	return c
}

// BoundaryCases are the calls a process boundary must not change the meaning of: structs
// of slices, maps and pointers, nil and empty slices, times, every kind of FailWith's
// errors, and the Funcs a process pool refuses (an unexported field, a slice tagged
// omitempty, an interface field, a func field, a pointer argument). Each call is made
// fresh.
func BoundaryCases() []BoundaryCase {
	when := time.Date(2026, time.December, 6, 9, 30, 15, 123456789, time.UTC)
	var cases []BoundaryCase
	for _, c := range []struct {
		name string
		v    func() Record
	}{
		{"a struct with slices, a map, a pointer field and a nil slice", func() Record {
			return Record{Name: "r", Tags: []string{"a", "b"}, Attrs: map[string]int{"x": 1, "y": 2},
				Next: &Record{Name: "next", Counts: []int{}}, Data: []byte("data"), When: when}
		}},
		{"a struct of nil fields", func() Record { return Record{} }},
		{"a struct of empty fields", func() Record {
			return Record{Tags: []string{}, Counts: []int{}, Attrs: map[string]int{}, Data: []byte{}}
		}},
	} {
		cases = append(cases, both(c.name, echoRecord, seenRecord, c.v)...)
	}
	cases = append(cases, both("a struct embedding an unexported struct", echoDerived, seenDerived, func() Derived {
		return Derived{base{ID: 7, Tags: []string{}}, "d"}
	})...)
	for _, c := range []struct {
		name string
		v    []int
	}{{"a nil []int", nil}, {"an empty []int", []int{}}, {"an []int", []int{-1, 0, 1 << 40}}} {
		cases = append(cases, both(c.name, echoInts, seenInts, func() []int { return slices.Clone(c.v) })...)
	}
	for _, c := range []struct {
		name string
		v    []byte
	}{{"a nil []byte", nil}, {"an empty []byte", []byte{}}, {"a []byte", []byte{0, 0xff}}} {
		cases = append(cases, both(c.name, Echo, seenBytes, func() []byte { return slices.Clone(c.v) })...)
	}
	for _, c := range []struct {
		name string
		v    time.Time
	}{
		{"a time in UTC", when},
		{"a time at a fixed offset", when.In(time.FixedZone("CET", 3600))},
		{"the zero time", time.Time{}},
		{"a time with a monotonic reading", time.Now()},
	} {
		cases = append(cases, both(c.name, echoTime, seenTime, func() time.Time { return c.v })...)
	}
	for _, kind := range ErrorKinds {
		c := call("an error: "+kind, FailWith, func() string { return kind })
		c.ErrorKind = kind
		cases = append(cases, c)
	}
	return append(cases,
		refused("a struct with an unexported field", seenSecretive, func() Secretive { return Secretive{"n", "s"} },
			": its argument: type workloads.Secretive has unexported field secret, which a worker process never sees: "+
				"export it, or give workloads.Secretive MarshalJSON and UnmarshalJSON methods"),
		refused("a slice tagged omitempty", seenOmits, func() Omits { return Omits{Tags: []string{}} },
			": its argument: type workloads.Omits has field Tags tagged omitempty, which makes an empty slice arrive nil: "+
				"use omitzero, which omits only a nil one"),
		refused("a struct with an interface field", seenLoose, func() Loose { return Loose{"n", 7} },
			": its argument: type workloads.Loose at .Extra is an interface (interface {}), whose value comes back as "+
				"what JSON makes of it (an int as a float64): use a concrete type, or ipc.Gob with the types gob.Register'ed"),
		refused("a result with an interface field", makeLoose, func() int { return 7 },
			": its result: type workloads.Loose at .Extra is an interface (interface {}), whose value comes back as "+
				"what JSON makes of it (an int as a float64): use a concrete type, or ipc.Gob with the types gob.Register'ed"),
		refused("a struct with a func field", callHook, func() Hooked { return Hooked{"n", func() string { return "hooked" }} },
			": its argument: type workloads.Hooked at .Hook is a func, which cannot cross a process"),
		refused("a pointer argument", touch, func() *Record { return &Record{Name: "r"} },
			" takes a pointer, *workloads.Record, and a task's changes through it would never reach the caller: "+
				"take the value, and return what changed"),
	)
}
