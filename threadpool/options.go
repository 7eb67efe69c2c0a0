package threadpool

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/dualpool/dualpool/executor"
)

// Option configures a [Pool] made by [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	maxWorkers   int // changed by Resize, under the pool's mu
	minWorkers   int // idle workers never exit below it; ≤ maxWorkers
	queueSize    int // < 0: unbounded
	nonBlocking  bool
	idleTimeout  time.Duration
	queueTimeout time.Duration // 0: a task may wait as long as its ctx allows
	initializer  func(context.Context) error
	name         string
	logger       *slog.Logger
	noTimings    bool                  // WithTimings(false)
	timingSample uint32                // WithTimingSample: time one task in timingSample
	observer     executor.TaskObserver // WithObserver
	errs         []error
}

func defaultConfig() config {
	return config{
		maxWorkers:   DefaultMaxWorkers(),
		queueSize:    -1,
		name:         "threadpool",
		logger:       slog.New(slog.DiscardHandler),
		timingSample: 1,
	}
}

// DefaultMaxWorkers is the worker count a Pool gets without [WithMaxWorkers]:
// min(32, runtime.NumCPU()+4), the rule of Python's ThreadPoolExecutor. A goroutine pool is
// meant for tasks that mostly wait (network, disk), so it wants more workers than cores;
// the cap keeps a big machine from opening hundreds of connections at once by default.
func DefaultMaxWorkers() int { return min(32, runtime.NumCPU()+4) }

// WithMaxWorkers sets how many tasks run at once (n ≥ 1). Workers start as tasks arrive,
// never more than n. [Pool.Resize] changes n while the pool runs.
func WithMaxWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.errs = append(c.errs, fmt.Errorf("WithMaxWorkers(%d): want at least 1", n))
		}
		c.maxWorkers = n
	})
}

// WithQueueSize bounds the tasks waiting for a worker to n (n ≥ 0; 0: a task is taken only
// when a worker is free to start it). When the queue is full, Submit blocks until there is
// room or its ctx ends, or fails at once with [executor.ErrQueueFull] under
// [WithNonBlocking]. A Map chunk takes one place. The default queue is unbounded.
//
// A task that submits to its own pool and waits for the result can deadlock a bounded
// queue: when every worker does that while the queue is full, none is left to make room.
// Use the unbounded default, or WithNonBlocking and handle ErrQueueFull, for such work.
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			c.errs = append(c.errs, fmt.Errorf("WithQueueSize(%d): want at least 0", n))
		}
		c.queueSize = n
	})
}

// WithNonBlocking makes Submit fail with [executor.ErrQueueFull] instead of waiting when
// the bounded queue ([WithQueueSize]) is full. Without a bound it changes nothing.
func WithNonBlocking() Option {
	return optionFunc(func(c *config) { c.nonBlocking = true })
}

// WithIdleTimeout makes a worker exit after it has waited d for a task, as long as more
// than the minimum ([WithMinWorkers]) are left; a later task starts a new one. It is this
// pool's idle lifetime, what procpool calls WithIdleTTL. The default (0) keeps workers
// until the pool shuts down, as Python does.
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("WithIdleTimeout(%v): want at least 0", d))
		}
		c.idleTimeout = d
	})
}

// WithMinWorkers keeps at least n workers (0 ≤ n ≤ the maximum of [WithMaxWorkers])
// once they have started: [WithIdleTimeout] stops idle workers only down to n. Workers
// still start as tasks arrive, so a pool that never had a task has none. The default is 0.
func WithMinWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			c.errs = append(c.errs, fmt.Errorf("WithMinWorkers(%d): want at least 0", n))
		}
		c.minWorkers = n
	})
}

// WithQueueTimeout bounds how long a task may wait in the queue for a worker (d > 0),
// apart from how long it may run: a task not started within d is cancelled, and its
// Future fails with an error matching [executor.ErrQueueTimeout] and
// [executor.ErrCancelled] that names the function and its wait. A Map chunk waits as one.
// One timer serves the whole queue. The default (0) lets a task wait as long as its ctx
// allows.
func WithQueueTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithQueueTimeout(%v): want more than 0", d))
		}
		c.queueTimeout = d
	})
}

// WithInitializer runs init once in each worker before its first task (Python's
// initializer). If it fails (returns an error, panics or calls runtime.Goexit), the pool
// is broken: the task that started the worker, every queued task and every later Submit
// fail with [executor.ErrPoolBroken] wrapping the error, as Python's BrokenThreadPool.
func WithInitializer(init func(ctx context.Context) error) Option {
	return optionFunc(func(c *config) { c.initializer = init })
}

// WithName names the pool. Its workers carry the pprof label dualpool.pool=name, so a
// goroutine or CPU profile shows which pool a goroutine serves; logs carry it too. The
// default is "threadpool".
func WithName(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}

// WithLogger sets where the pool logs its life (start of workers, initializer failures,
// shutdown) at Debug and Error levels. Tasks are never logged. The default discards.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.errs = append(c.errs, fmt.Errorf("WithLogger(nil)"))
		}
		c.logger = l
	})
}
