package executor

import (
	"context"
	"fmt"

	"github.com/dualpool/dualpool/backend"
)

// Submit schedules f(ctx, in) on ex and returns its [Future]. It blocks only while the
// executor's bounded queue is full (within ctx). The ctx is the task's parent: when it ends
// before the task starts, the task is cancelled and its Future fails with an error matching
// [ErrCancelled] and ctx's error; a running task sees it through its own ctx.
//
// Submit returns an error, and no Future, when the task was not taken: [ErrShutdown],
// [ErrQueueFull], [ErrPoolBroken], [ErrUnknownFunc] for a zero Func, or ctx's error when
// ctx ended before the task was queued.
//
// Submit costs one allocation, the Future (with the task), when ctx cannot be cancelled; a
// Result that has to park makes the Future's done channel. The benchmarks in package
// threadpool measure its time.
func Submit[In, Out any](ctx context.Context, ex Executor, f Func[In, Out], in In) (*Future[Out], error) {
	if f.fn == nil {
		return nil, fmt.Errorf("%w: Submit of a zero Func (not made by Register)", ErrUnknownFunc)
	}
	return submit(ctx, ex, &call[In, Out]{ctx: ctx, fn: f.fn, name: f.name, in: in})
}

// SubmitFunc schedules a plain closure. Only executors that run tasks in this process can
// run it (a goroutine pool); a process pool fails it with [ErrUnknownFunc], because a
// closure cannot cross a process boundary: register the function instead.
func SubmitFunc[Out any](ctx context.Context, ex Executor, fn func(context.Context) (Out, error)) (*Future[Out], error) {
	if fn == nil {
		return nil, fmt.Errorf("%w: SubmitFunc of a nil function", ErrUnknownFunc)
	}
	c := &call[struct{}, Out]{ctx: ctx, fn: func(ctx context.Context, _ struct{}) (Out, error) { return fn(ctx) }}
	return submit(ctx, ex, c)
}

func submit[In, Out any](ctx context.Context, ex Executor, c *call[In, Out]) (*Future[Out], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.watch()
	if s, ok := ex.(backend.Spinner); ok {
		c.spin = &spinWait{s: s, t: c}
	}
	if err := ex.Execute(ctx, c); err != nil {
		c.discard(cancelled(err)) // stops the watch; nobody will see this future
		return nil, err
	}
	return &c.Future, nil
}

// call is a submitted task: a Future with what it takes to run it. It implements
// backend.Task.
type call[In, Out any] struct {
	Future[Out]
	ctx  context.Context
	fn   func(context.Context, In) (Out, error)
	name string
	in   In
}

var _ backend.Task = (*call[int, int])(nil)

// watch cancels the task when its ctx ends before it starts. Call before the task is
// published to a backend.
func (c *call[In, Out]) watch() {
	if c.ctx.Done() == nil {
		return
	}
	ctx := c.ctx
	stop := context.AfterFunc(ctx, func() { c.discard(cancelled(ctx.Err())) })
	c.mu.Lock() // the func may have run already
	if !c.lc.watch() {
		c.mu.Unlock()
		stop()
		return
	}
	c.watchersLocked().stop = stop
	c.mu.Unlock()
}

func (c *call[In, Out]) Context() context.Context { return c.ctx }
func (c *call[In, Out]) Func() string             { return c.name }
func (c *call[In, Out]) Input() any               { return &c.in }

func (c *call[In, Out]) Start() bool {
	// A receive that cannot block is lock-free on an open channel, where ctx.Err() takes
	// the ctx's mutex: the items of one Map share a ctx, and its workers would contend.
	if done := c.ctx.Done(); done != nil {
		select {
		case <-done:
			c.discard(cancelled(c.ctx.Err()))
			return false
		default:
		}
	}
	return c.start()
}

func (c *call[In, Out]) Run(count func(error)) {
	var v Out
	err := ErrGoexit // unless callRecover returns
	defer func() {
		if count != nil {
			count(err)
		}
		c.complete(v, err)
	}()
	v, err = callRecover(c.ctx, c.fn, c.in)
}

// Finish decodes the result straight into the Future, which the claim keeps to this
// goroutine until the outcome is published.
func (c *call[In, Out]) Finish(decode func(out any) error) {
	if !c.lc.claim() {
		return
	}
	if err := decode(&c.val); err != nil {
		var zero Out
		c.val, c.err = zero, err
	}
	c.resolve(Finished)
}

func (c *call[In, Out]) Fail(err error) {
	var zero Out
	c.complete(zero, err)
}

func (c *call[In, Out]) Discard(cause error) bool { return c.discard(cancelled(cause)) }
