package threadpool_test

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/threadpool"
)

func ExampleWithTimings() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(2)) // timings are on by default
	defer p.Close()
	for n := range 10 {
		f, _ := executor.Submit(context.Background(), p, square, n)
		f.Result(context.Background())
	}
	s := p.Stats()
	sq := s.PerFunc["threadpool_test.square"]
	fmt.Println(sq.Run.Count, sq.QueueWait.Count, s.Run.Count)
	// Output: 10 10 10
}

// logObserver prints each task's end.
type logObserver struct{}

func (logObserver) TaskQueued(ctx context.Context, ev executor.TaskEvent) context.Context {
	return ctx
}
func (logObserver) TaskStarted(ctx context.Context, ev executor.TaskEvent) {}
func (logObserver) TaskEnded(ctx context.Context, ev executor.TaskEvent) {
	fmt.Println("ended:", ev.Func, ev.Err)
}

func ExampleWithObserver() {
	p, _ := threadpool.New(threadpool.WithObserver(logObserver{}))
	defer p.Close()
	f, _ := executor.Submit(context.Background(), p, square, 4)
	fmt.Println(f.Result(context.Background()))
	// Output:
	// ended: threadpool_test.square <nil>
	// 16 <nil>
}
