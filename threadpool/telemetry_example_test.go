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

func ExampleWithTimingSample() {
	// Tiny tasks at full speed: time one in 16, each counting for 16.
	p, _ := threadpool.New(threadpool.WithMaxWorkers(2), threadpool.WithTimingSample(16))
	defer p.Close()
	ctx := context.Background()
	futs := make([]*executor.Future[int], 10000)
	for i := range futs {
		futs[i], _ = executor.Submit(ctx, p, square, i)
	}
	executor.Wait(ctx, futs, executor.AllCompleted)
	s := p.Stats()
	fmt.Println(s.Completed, s.Run.Count%16 == 0, s.Run.Count > 5000 && s.Run.Count < 15000)
	// Output: 10000 true true
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
