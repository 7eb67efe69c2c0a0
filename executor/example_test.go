package executor_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

// Register at package level, so that a worker process built from the same code knows the
// same names.
var Square = executor.Register("example.square", func(_ context.Context, n int) (int, error) {
	return n * n, nil
})

// task is the guide's task: it sleeps for a while and returns a message.
var task = executor.Register("example.task", func(ctx context.Context, d time.Duration) (string, error) {
	select {
	case <-time.After(d):
		return fmt.Sprintf("slept %v", d), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
})

func ExampleRegister() {
	// Call runs the function directly, without an executor.
	v, _ := Square.Call(context.Background(), 6)
	fmt.Println(Square.Name(), v)
	// Output: example.square 36
}

func ExampleSubmit() {
	ex, err := threadpool.New(threadpool.WithMaxWorkers(3))
	if err != nil {
		panic(err)
	}
	defer ex.Close() // Python's with block: waits for the work to finish

	ctx := context.Background()
	f, err := executor.Submit(ctx, ex, Square, 7)
	if err != nil {
		panic(err)
	}
	v, err := f.Result(ctx)
	fmt.Println(v, err)
	// Output: 49 <nil>
}

func ExampleMap() {
	ex, _ := threadpool.New(threadpool.WithMaxWorkers(3))
	defer ex.Close()

	numbers := []int{1, 2, 3, 4, 5}
	var squares []int
	for v, err := range executor.Map(context.Background(), ex, Square, slices.Values(numbers)) {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		squares = append(squares, v)
	}
	fmt.Println(squares)
	// Output: [1 4 9 16 25]
}

func ExampleMapUnordered() {
	ex, _ := threadpool.New(threadpool.WithMaxWorkers(2))
	defer ex.Close()

	sum := 0
	for r := range executor.MapUnordered(context.Background(), ex, Square, slices.Values([]int{1, 2, 3}), executor.Chunk(2)) {
		if r.Err == nil {
			sum += r.Value // r.Index is the input's position
		}
	}
	fmt.Println(sum)
	// Output: 14
}

func ExampleAsCompleted() {
	ex, _ := threadpool.New(threadpool.WithMaxWorkers(3))
	defer ex.Close()

	ctx := context.Background()
	unit := 20 * time.Millisecond
	var futs []*executor.Future[string]
	for _, d := range []int{3, 1, 2} {
		f, _ := executor.Submit(ctx, ex, task, time.Duration(d)*unit)
		futs = append(futs, f)
	}
	for f := range executor.AsCompleted(ctx, futs...) {
		v, err := f.Result(ctx)
		fmt.Println(v, err)
	}
	// Output:
	// slept 20ms <nil>
	// slept 40ms <nil>
	// slept 60ms <nil>
}

func ExampleWait() {
	ex, _ := threadpool.New(threadpool.WithMaxWorkers(2))
	defer ex.Close()

	ctx := context.Background()
	slow, _ := executor.Submit(ctx, ex, task, 200*time.Millisecond)
	fast, _ := executor.Submit(ctx, ex, task, time.Millisecond)
	done, notDone := executor.Wait(ctx, []*executor.Future[string]{slow, fast}, executor.FirstCompleted)
	fmt.Println(len(done), len(notDone), done[0] == fast)
	// Output: 1 1 true
}

func ExampleFuture_Cancel() {
	ex, _ := threadpool.New(threadpool.WithMaxWorkers(1))
	defer ex.Close()

	ctx := context.Background()
	started, release := make(chan struct{}), make(chan struct{})
	busy, _ := executor.SubmitFunc(ctx, ex, func(context.Context) (int, error) {
		close(started)
		<-release
		return 0, nil
	})
	<-started
	queued, _ := executor.Submit(ctx, ex, Square, 3)
	fmt.Println(queued.Cancel(), busy.Cancel()) // only a task that has not started can be cancelled
	close(release)
	_, err := queued.Result(ctx)
	fmt.Println(errors.Is(err, executor.ErrCancelled), queued.State())
	// Output:
	// true false
	// true cancelled
}

func ExampleFuture_AddDoneCallback() {
	ex, _ := threadpool.New()
	defer ex.Close()

	done := make(chan string, 1) // the callback runs at once, in this goroutine, if f is done already
	f, _ := executor.Submit(context.Background(), ex, Square, 12)
	f.AddDoneCallback(func(f *executor.Future[int]) {
		v, err := f.Result(context.Background()) // done: does not block
		done <- fmt.Sprint(v, err)
	})
	fmt.Println(<-done)
	// Output: 144 <nil>
}

func ExampleSubmit_timeout() {
	ex, _ := threadpool.New()
	defer ex.Close()

	// The ctx given to Submit is the task's: its deadline reaches the running task.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	f, _ := executor.Submit(ctx, ex, task, time.Hour)
	_, err := f.Result(context.Background())
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output: true
}

// A package's own errors, registered as its functions are, so that errors.Is and
// errors.As answer the same whether a task ran in this process or in a worker process.
var ErrGone = executor.RegisterError("example.ErrGone", errors.New("gone"))

// NotFound is an error type with a field, which crosses a process encoded by the codec.
type NotFound struct{ Key string }

func (e *NotFound) Error() string { return "not found: " + e.Key }

func init() { executor.RegisterErrorType[*NotFound]("example.NotFound") }

var lookup = executor.Register("example.lookup", func(_ context.Context, key string) (string, error) {
	if key == "old" {
		return "", fmt.Errorf("lookup %q: %w", key, ErrGone)
	}
	return "", &NotFound{Key: key}
})

func ExampleRegisterError() {
	ctx := context.Background()
	pool, _ := threadpool.New() // or procpool.New(): the answers are the same
	defer pool.Close()
	f, _ := executor.Submit(ctx, pool, lookup, "old")
	_, err := f.Result(ctx)
	fmt.Println(err, errors.Is(err, ErrGone))
	// Output: lookup "old": gone true
}

func ExampleRegisterErrorType() {
	ctx := context.Background()
	pool, _ := threadpool.New()
	defer pool.Close()
	f, _ := executor.Submit(ctx, pool, lookup, "k")
	_, err := f.Result(ctx)
	var nf *NotFound
	fmt.Println(errors.As(err, &nf), nf.Key)
	// Output: true k
}
