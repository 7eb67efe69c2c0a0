package procpool_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// Cube is registered at package level, so that the worker processes — this same binary,
// started again — register it too before they serve.
var Cube = executor.Register("example.cube", func(ctx context.Context, n int) (int, error) {
	return n * n * n, nil
})

// Crash is a task with a bug: it indexes past the end of a slice, which panics.
var Crash = executor.Register("example.crash", func(ctx context.Context, i int) (int, error) {
	var primes = []int{2, 3, 5}
	return primes[i], nil
})

func ExampleNew() {
	// procpool.ServeIfWorker() runs first thing in main (here, in TestMain).
	pool, err := procpool.New(procpool.WithWorkers(2))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	ctx := context.Background()
	f, err := executor.Submit(ctx, pool, Cube, 3)
	if err != nil {
		log.Fatal(err)
	}
	v, err := f.Result(ctx)
	fmt.Println(v, err)

	for v, err := range executor.Map(ctx, pool, Cube, slices.Values([]int{1, 2, 3, 4}), executor.Chunk(2)) {
		fmt.Print(v, " ", err, " ")
	}
	fmt.Println()
	// Output:
	// 27 <nil>
	// 1 <nil> 8 <nil> 27 <nil> 64 <nil>
}

func ExampleServeIfWorker() {
	// The first line of main: in a worker process, it serves and exits; in the program
	// itself it returns at once and main goes on.
	procpool.ServeIfWorker()
	fmt.Println("not a worker")
	// Output: not a worker
}

// A panic in a task is an error of that task; the worker and the pool go on.
func ExampleNew_failure() {
	pool, err := procpool.New(procpool.WithWorkers(1), procpool.WithKillGrace(100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()

	f, _ := executor.Submit(ctx, pool, Crash, 7)
	_, err = f.Result(ctx)
	var pe *executor.PanicError
	fmt.Println(errors.As(err, &pe), err)

	f, _ = executor.Submit(ctx, pool, Cube, 2)
	fmt.Println(f.Result(ctx))
	// Output:
	// true executor: task panicked: runtime error: index out of range [7] with length 3
	// 8 <nil>
}

// Check tells in a test whether a Func's types cross a process unchanged, with the
// error Submit on a pool would return.
func ExampleCheck() {
	fmt.Println(procpool.Check(Cube))
	fmt.Println(procpool.Check(takesSecret))
	// Output:
	// <nil>
	// procpool: type does not cross a process unchanged: procpool_test.secret: its argument: type procpool_test.withSecret has unexported field secret, which a worker process never sees: export it, or give procpool_test.withSecret MarshalJSON and UnmarshalJSON methods
}

// CheckErrors tells in a test whether the error types registered with
// executor.RegisterErrorType cross a process unchanged; two of this package's tests'
// do not.
func ExampleCheckErrors() {
	err := procpool.CheckErrors()
	fmt.Println(errors.Is(err, procpool.ErrNotPortable))
	fmt.Println(err)
	// Output:
	// true
	// procpool: type does not cross a process unchanged: error type procpool_test.codeError, registered as "procpool_test.codeError": type procpool_test.codeError has unexported field code, which a worker process never sees: export it, or give procpool_test.codeError MarshalJSON and UnmarshalJSON methods
	// procpool: type does not cross a process unchanged: error type *procpool_test.opError, registered as "procpool_test.opError": type *procpool_test.opError at .Err is an interface (error), which JSON cannot decode into: use a concrete type, or ipc.Gob with the types gob.Register'ed
}

// CheckRegistered is Check by name, for a backend that has only the name of a task.
func ExampleCheckRegistered() {
	fmt.Println(procpool.CheckRegistered(takesSecret.Name(), ipc.Binary) != nil)
	fmt.Println(procpool.CheckRegistered("no such function", ipc.Binary))
	// Output:
	// true
	// <nil>
}
