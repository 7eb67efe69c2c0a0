package workloads

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// Record is what a program sends a task: slices, a map, a pointer field, bytes and a time.
type Record struct {
	Name   string
	Tags   []string
	Counts []int
	Attrs  map[string]int
	Next   *Record
	Data   []byte
	When   time.Time
}

// Derived embeds an unexported struct, whose exported fields JSON promotes: they cross.
type Derived struct {
	base
	Name string
}

type base struct {
	ID   int
	Tags []string
}

// Omits has a slice tagged omitempty, which JSON would leave out when empty: it would
// arrive nil.
type Omits struct {
	Tags []string `json:"tags,omitempty"`
}

// Secretive has an unexported field, which a worker process would never see.
type Secretive struct {
	Name   string
	secret string
}

// Loose has an interface field: across JSON an int in it would come back a float64.
type Loose struct {
	Name  string
	Extra any
}

// Hooked has a func field, which cannot cross a process.
type Hooked struct {
	Name string
	Hook func() string
}

// The Funcs of BoundaryCases: each echo returns its argument, each seen returns the
// argument's Shape as the task saw it, so that a change on the way in and one on the way
// back are told apart.
var (
	echoRecord = echo[Record]("record")
	seenRecord = seen[Record]("record")
	echoInts   = echo[[]int]("ints")
	seenInts   = seen[[]int]("ints")
	seenBytes  = seen[[]byte]("bytes")
	echoTime   = echo[time.Time]("time")
	seenTime   = seen[time.Time]("time")

	echoDerived = echo[Derived]("derived")
	seenDerived = seen[Derived]("derived")

	seenOmits     = seen[Omits]("omits")
	seenSecretive = seen[Secretive]("secretive")
	seenLoose     = seen[Loose]("loose")
	makeLoose     = executor.Register("workloads.boundary.make_loose", func(_ context.Context, n int) (Loose, error) {
		return Loose{Name: "made", Extra: n}, nil
	})
	callHook = executor.Register("workloads.boundary.call_hook", func(_ context.Context, h Hooked) (string, error) {
		return h.Hook(), nil
	})
	// touch changes its argument through the pointer: the caller sees the change on a
	// goroutine pool, and never would across a process.
	touch = executor.Register("workloads.boundary.touch", func(_ context.Context, r *Record) (string, error) {
		r.Name = "touched"
		r.Counts = append(r.Counts, 1)
		return Shape(*r), nil
	})
)

// Stamp writes "stamped" into the map it is given and returns how many keys it holds:
// the caller's map on a goroutine pool, the task's own copy across a process.
var Stamp = executor.Register("workloads.boundary.stamp", func(_ context.Context, m map[string]int) (int, error) {
	m["stamped"]++
	return len(m), nil
})

func echo[T any](name string) executor.Func[T, T] {
	return executor.Register("workloads.boundary.echo_"+name, func(_ context.Context, v T) (T, error) { return v, nil })
}

func seen[T any](name string) executor.Func[T, string] {
	return executor.Register("workloads.boundary.seen_"+name, func(_ context.Context, v T) (string, error) {
		return Shape(v), nil
	})
}

// Shape describes v as a task sees it: every value, nil apart from empty for slices, maps,
// pointers and interfaces, an interface's dynamic type, a time.Time by its instant and
// UTC offset (RFC 3339; not its zone's name, which no encoding of a time carries).
func Shape(v any) string {
	var b strings.Builder
	shape(&b, reflect.ValueOf(v))
	return b.String()
}

var timeType = reflect.TypeFor[time.Time]()

func shape(b *strings.Builder, v reflect.Value) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Func:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		fmt.Fprintf(b, "[%d:", v.Len())
		for i := range v.Len() {
			b.WriteByte(' ')
			shape(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Map:
		shapeMap(b, v)
	case reflect.Pointer:
		b.WriteByte('&')
		shape(b, v.Elem())
	case reflect.Interface:
		fmt.Fprintf(b, "%v(", v.Elem().Type())
		shape(b, v.Elem())
		b.WriteByte(')')
	case reflect.Struct:
		shapeStruct(b, v)
	case reflect.Func:
		b.WriteString("func")
	default:
		fmt.Fprintf(b, "%q", fmt.Sprint(v))
	}
}

func shapeMap(b *strings.Builder, v reflect.Value) {
	keys := make([]string, 0, v.Len())
	for k, e := range v.Seq2() {
		var kb strings.Builder
		shape(&kb, k)
		kb.WriteByte(':')
		shape(&kb, e)
		keys = append(keys, kb.String())
	}
	slices.Sort(keys)
	fmt.Fprintf(b, "map[%d: %s]", v.Len(), strings.Join(keys, " "))
}

func shapeStruct(b *strings.Builder, v reflect.Value) {
	if v.Type() == timeType && v.CanInterface() {
		b.WriteString(v.Interface().(time.Time).Format(time.RFC3339Nano))
		return
	}
	b.WriteByte('{')
	for i := range v.NumField() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v.Type().Field(i).Name + ":")
		shape(b, v.Field(i))
	}
	b.WriteByte('}')
}
