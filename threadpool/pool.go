package threadpool

import (
	"context"
	"errors"
	"fmt"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/fifo"
	"github.com/dualpool/dualpool/internal/observe"
	"github.com/dualpool/dualpool/internal/timing"
)

// Pool is a goroutine pool. Make one with [New]; it is safe for concurrent use.
type Pool struct {
	// Read for every task, written seldom: on cache lines that the counters written for
	// every task do not share.
	cfg    config
	labels context.Context // carries the pool's pprof labels; its workers' base ctx
	// halt is read by workers before each task: running, cancelling or broken.
	halt atomic.Int32
	// The direct path (direct.go): whether the pool may have one (its queue is unbounded
	// and without a timeout); the ring, made when the path first opens; whether the path
	// is open; whether a Resize shrank the pool, which makes busy workers plan under the
	// lock. ring, direct and shrinking change under mu.
	ringable  bool
	ring      atomic.Pointer[ring]
	direct    atomic.Bool
	shrinking atomic.Bool

	_         [64]byte
	fastExtra atomic.Uint64 // the tasks of batches that took the direct path, beyond the first
	_         [56]byte

	mu      sync.Mutex
	queue   *fifo.Queue[item] // tasks waiting for a worker behind the ring, weighed by their size
	idle    int               // workers waiting on handoff that no task has claimed yet
	workers int               // live workers
	closed  bool              // Shutdown was called
	broken  error             // why the pool is broken, or nil
	room    fifo.Room         // submitters waiting for room in a bounded queue
	drained chan struct{}     // closed when closed and no worker is left
	exited  chan struct{}     // closed and replaced when a worker exits
	leaving int               // workers told to exit by a shrink (Resize, idle) not yet gone
	// quitting counts the workers leaving a closed or broken pool, which look into no
	// queue again.
	quitting int
	expiry   *time.Timer // WithQueueTimeout's timer, for the oldest queued item
	armed    bool        // expiry is set

	// handoff carries tasks to idle workers. Each send is matched by a claim on idle
	// made under mu, so it never blocks; its capacity is the worker maximum. A Resize
	// over that capacity replaces it (under mu) and closes the old one, on which the
	// waiting workers then look for the new one.
	handoff chan item

	submitted    uint64               // on the locked path; under mu
	live         map[*worker]struct{} // each live worker, for its tally; under mu
	retired      executor.Stats       // the tallies of workers gone, under mu
	retiredTaken uint64               // and the tasks they took from the ring
	retiredFuncs timing.Funcs         // and their timings
	shared       tally                // for tasks resolved outside any worker
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
	if cfg.minWorkers > cfg.maxWorkers {
		cfg.errs = append(cfg.errs, fmt.Errorf("WithMinWorkers(%d): over the maximum of %d workers", cfg.minWorkers, cfg.maxWorkers))
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, fmt.Errorf("threadpool: %w", err)
	}
	p := &Pool{
		cfg:     cfg,
		queue:   fifo.New(item.size),
		labels:  pprof.WithLabels(context.Background(), pprof.Labels("dualpool.pool", cfg.name)),
		drained: make(chan struct{}),
		exited:  make(chan struct{}),
		handoff: make(chan item, cfg.maxWorkers),
		live:    make(map[*worker]struct{}),
	}
	p.ringable = cfg.queueSize < 0 && cfg.queueTimeout == 0
	return p, nil
}

// Go submits a plain closure to p: the goroutine pool runs any Go function, since it
// never leaves the process. It behaves as [executor.Submit].
func Go[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) (*executor.Future[T], error) {
	return executor.SubmitFunc(ctx, p, fn)
}

// Execute implements [executor.Executor]; programs use [executor.Submit].
func (p *Pool) Execute(ctx context.Context, t backend.Task) error {
	return p.take(ctx, item{task: t})
}

// ExecuteBatch implements backend.Batcher: one worker runs the batch in order.
func (p *Pool) ExecuteBatch(ctx context.Context, batch []backend.Task) error {
	if len(batch) == 0 {
		return nil
	}
	return p.take(ctx, item{batch: &batch})
}

// take stamps it and queues it, or hands it to a worker; an observer hears of a refusal.
func (p *Pool) take(ctx context.Context, it item) error {
	p.stamp(&it)
	err := p.enqueue(ctx, it)
	if err != nil && p.cfg.observer != nil {
		observe.Refused(it.tasks(), err)
	}
	return err
}

func (p *Pool) enqueue(ctx context.Context, it item) error {
	if queued, err := p.tryDirect(it); queued {
		return err
	}
	p.mu.Lock()
	for {
		switch {
		case p.closed:
			p.unlock()
			return executor.ErrShutdown
		case p.broken != nil:
			err := p.broken
			p.unlock()
			return err
		case p.idle > 0:
			p.idle--
			p.handoff <- it
		case p.workers < p.cfg.maxWorkers:
			p.startWorkerLocked(it)
		case p.cfg.queueSize < 0 || p.queue.Len() < p.cfg.queueSize:
			p.pushLocked(it)
		case p.cfg.nonBlocking:
			p.unlock()
			return executor.ErrQueueFull
		default:
			if err := p.room.Wait(ctx, &p.mu); err != nil {
				p.unlock()
				return err
			}
			if p.cfg.queueTimeout > 0 { // its time in the queue starts when it enters it
				it.queued = timing.Now()
			}
			continue
		}
		p.submitted += uint64(it.size())
		p.unlock()
		return nil
	}
}

// wakeSubmittersLocked wakes every Submit waiting for room in the queue; each looks again.
func (p *Pool) wakeSubmittersLocked() { p.room.Free() }

// breakPool records that an initializer failed and fails first and the queued tasks.
func (p *Pool) breakPool(w *worker, cause error, first item) {
	p.mu.Lock()
	if p.broken == nil {
		p.broken = fmt.Errorf("%w: threadpool %s: initializer: %w", executor.ErrPoolBroken, p.cfg.name, cause)
		p.halt.Store(haltBroken)
	}
	w.quitting = true // it exits when it has failed these
	p.quitting++
	queued := p.takeAllLocked()
	p.wakeSubmittersLocked()
	p.unlock()
	p.cfg.logger.Error("threadpool: initializer failed; pool is broken", "pool", p.cfg.name, "err", cause)
	for _, it := range append(queued, first) {
		w.runItem(it) // fails each task: halt is set
	}
}

// resolveHalted resolves t without running it when the pool is cancelling its queue or
// broken, counting the outcome in c, and reports whether it did.
func (p *Pool) resolveHalted(c *tally, t backend.Task) bool {
	switch p.halt.Load() {
	case haltCancel:
		if t.Discard(executor.ErrShutdown) {
			c.cancelled.Add(1)
		}
		return true
	case haltBroken:
		p.mu.Lock()
		err := p.broken
		p.unlock()
		t.Fail(err)
		c.failed.Add(1)
		return true
	}
	return false
}
