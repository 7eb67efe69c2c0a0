package threadpool

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/fifo"
)

// Pool is a goroutine pool. Make one with [New]; it is safe for concurrent use.
type Pool struct {
	cfg    config
	labels context.Context // carries the pool's pprof labels; its workers' base ctx

	mu      sync.Mutex
	queue   *fifo.Queue[item] // tasks waiting for a worker, weighed by their size
	idle    int               // workers waiting on handoff that no task has claimed yet
	workers int               // live workers
	closed  bool              // Shutdown was called
	broken  error             // why the pool is broken, or nil
	space   chan struct{}     // closed and replaced when the queue frees room
	waiters int               // submitters waiting on space
	drained chan struct{}     // closed when closed and no worker is left

	// handoff carries tasks to idle workers. Each send is matched by a claim on idle
	// made under mu, so it never blocks; its capacity is the worker maximum.
	handoff chan item

	// halt is read by workers before each task: running, cancelling or broken.
	halt atomic.Int32

	submitted uint64                 // under mu
	live      map[*counters]struct{} // each live worker's tallies, under mu
	retired   executor.Stats         // the tallies of workers gone, under mu
	shared    *counters              // for tasks resolved outside any worker
}

const (
	haltNone = iota
	haltCancel
	haltBroken
)

var _ executor.Executor = (*Pool)(nil)

// New returns a goroutine pool. No goroutine starts until the first task. An invalid
// option is an error here, never a panic later.
func New(opts ...Option) (*Pool, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, fmt.Errorf("threadpool: %w", err)
	}
	p := &Pool{
		cfg:     cfg,
		queue:   fifo.New(item.size),
		labels:  pprof.WithLabels(context.Background(), pprof.Labels("dualpool.pool", cfg.name)),
		space:   make(chan struct{}),
		drained: make(chan struct{}),
		handoff: make(chan item, cfg.maxWorkers),
		live:    make(map[*counters]struct{}),
		shared:  newCounters(nil),
	}
	return p, nil
}

// Go submits a plain closure to p: the goroutine pool runs any Go function, since it
// never leaves the process. It behaves as [executor.Submit].
func Go[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) (*executor.Future[T], error) {
	return executor.SubmitFunc(ctx, p, fn)
}

// Execute implements [executor.Executor]; programs use [executor.Submit].
func (p *Pool) Execute(ctx context.Context, t backend.Task) error {
	return p.enqueue(ctx, item{task: t})
}

// ExecuteBatch implements [executor.Executor]: one worker runs the batch in order.
func (p *Pool) ExecuteBatch(ctx context.Context, batch []backend.Task) error {
	if len(batch) == 0 {
		return nil
	}
	return p.enqueue(ctx, item{batch: batch})
}

func (p *Pool) enqueue(ctx context.Context, it item) error {
	p.mu.Lock()
	for {
		switch {
		case p.closed:
			p.mu.Unlock()
			return executor.ErrShutdown
		case p.broken != nil:
			err := p.broken
			p.mu.Unlock()
			return err
		case p.idle > 0:
			p.idle--
			p.handoff <- it
		case p.workers < p.cfg.maxWorkers:
			p.workers++
			c := newCounters(p)
			p.live[c] = struct{}{}
			go p.worker(c, it)
		case p.cfg.queueSize < 0 || p.queue.Len() < p.cfg.queueSize:
			p.queue.Push(it)
		case p.cfg.nonBlocking:
			p.mu.Unlock()
			return executor.ErrQueueFull
		default:
			space := p.space
			p.waiters++
			p.mu.Unlock()
			var err error
			select {
			case <-space:
			case <-ctx.Done():
				err = ctx.Err()
			}
			p.mu.Lock()
			p.waiters--
			if err != nil {
				p.mu.Unlock()
				return err
			}
			continue
		}
		p.submitted += uint64(it.size())
		p.mu.Unlock()
		return nil
	}
}

// worker runs first, then whatever the queue and the handoff bring, until the pool
// shuts down or it has been idle for too long.
func (p *Pool) worker(c *counters, first item) {
	defer p.exit(c)
	pprof.SetGoroutineLabels(p.labels)
	if err := p.initialize(); err != nil {
		p.breakPool(c, err, first)
		return
	}
	var idle *time.Timer
	if p.cfg.idleTimeout > 0 {
		idle = time.NewTimer(p.cfg.idleTimeout)
		defer idle.Stop()
	}
	for it, ok := first, true; ok; it, ok = p.next(c, idle) {
		c.step = stepUnplanned
		p.runItem(c, it)
		if c.step == stepUnplanned { // no task ran to its end: plan now
			p.plan(c)
		}
	}
}

// initialize runs the initializer, if any, turning a panic into a *executor.PanicError.
func (p *Pool) initialize() (err error) {
	if p.cfg.initializer == nil {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			err = &executor.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return p.cfg.initializer(p.labels)
}

// plan decides what worker c does after its item: the head of the queue, or else wait
// for the handoff (counted idle from now on), or exit when the pool is closed.
func (p *Pool) plan(c *counters) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if it, ok := p.queue.Pop(); ok {
		if p.waiters > 0 {
			p.wakeSubmittersLocked()
		}
		c.step, c.nextItem = stepRun, it
		return
	}
	if p.closed {
		c.step = stepExit
		return
	}
	p.idle++
	c.step = stepWait
}

// next returns the worker's next item as planned, waiting for the handoff if need be. It
// reports false when the worker should exit.
func (p *Pool) next(c *counters, idle *time.Timer) (item, bool) {
	switch c.step {
	case stepRun:
		it := c.nextItem
		c.nextItem = item{}
		return it, true
	case stepExit:
		return item{}, false
	}
	if idle == nil {
		it, ok := <-p.handoff
		return it, ok
	}
	idle.Reset(p.cfg.idleTimeout)
	select {
	case it, ok := <-p.handoff:
		return it, ok
	case <-idle.C:
	}
	p.mu.Lock()
	if p.idle > 0 { // nobody claimed a worker: this one may go
		p.idle--
		p.mu.Unlock()
		p.cfg.logger.Debug("threadpool: idle worker exits", "pool", p.cfg.name)
		return item{}, false
	}
	p.mu.Unlock()
	it, ok := <-p.handoff // a task has claimed this worker and is on its way
	return it, ok
}

// wakeSubmittersLocked wakes every Submit waiting for room in the queue; each looks again.
func (p *Pool) wakeSubmittersLocked() {
	close(p.space)
	p.space = make(chan struct{})
}

func (p *Pool) exit(c *counters) {
	p.mu.Lock()
	c.addTo(&p.retired)
	delete(p.live, c)
	p.workers--
	if p.closed && p.workers == 0 {
		close(p.drained)
	}
	p.mu.Unlock()
}

// breakPool records that an initializer failed and fails first and the queued tasks.
func (p *Pool) breakPool(c *counters, cause error, first item) {
	p.mu.Lock()
	if p.broken == nil {
		p.broken = fmt.Errorf("%w: threadpool %s: initializer: %w", executor.ErrPoolBroken, p.cfg.name, cause)
		p.halt.Store(haltBroken)
	}
	queued := p.queue.TakeAll()
	p.wakeSubmittersLocked()
	p.mu.Unlock()
	p.cfg.logger.Error("threadpool: initializer failed; pool is broken", "pool", p.cfg.name, "err", cause)
	for _, it := range append(queued, first) {
		p.runItem(c, it) // fails each task: halt is set
	}
}
