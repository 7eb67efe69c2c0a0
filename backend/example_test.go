package backend_test

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// inline is the smallest backend there is: it runs each task at once, in the goroutine
// that submits it. It takes every task and resolves each exactly once, through Start and
// Run, as the contract asks.
type inline struct{ done int }

func (b *inline) Execute(_ context.Context, t backend.Task) error {
	if t.Start() { // false: cancelled meanwhile, and already resolved
		t.Run(func(error) { b.done++ })
	}
	return nil
}

func (b *inline) Shutdown(context.Context, ...executor.ShutdownOption) error { return nil }
func (b *inline) Close() error                                               { return nil }
func (b *inline) Stats() executor.Stats                                      { return executor.Stats{Completed: uint64(b.done)} }

var double = executor.Register("backend_example.double", func(_ context.Context, n int) (int, error) { return 2 * n, nil })

// A backend implements executor.Executor by resolving the Tasks it takes; every helper of
// package executor then works on it.
func Example() {
	var ex executor.Executor = &inline{}
	f, _ := executor.Submit(context.Background(), ex, double, 21)
	v, err := f.Result(context.Background())
	fmt.Println(v, err, ex.Stats().Completed)
	for v := range executor.Map(context.Background(), ex, double, func(yield func(int) bool) { _ = yield(1) && yield(2) }) {
		fmt.Println(v)
	}
	// Output:
	// 42 <nil> 1
	// 2
	// 4
}

// A worker process finds a function by the name it was sent, and runs it on encoded
// input through a Call.
func ExampleLookup() {
	r, ok := backend.Lookup("backend_example.double")
	fmt.Println(ok, r.In(), r.Out())
	var out int
	err := r.NewCall().Run(context.Background(),
		func(in any) error { *in.(*int) = 5; return nil },     // decode the argument
		func(res any) error { out = *res.(*int); return nil }) // encode the result
	fmt.Println(out, err)
	// Output:
	// true int int
	// 10 <nil>
}
