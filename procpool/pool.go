package procpool

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/executor"
)

// Pool is a pool of worker processes. Make one with [New]; it is safe for concurrent use.
type Pool struct {
	cfg            config
	path           string
	stdout, stderr *lineSink
	spawner        *spawner
	wg             sync.WaitGroup // every goroutine of the pool
	stopMonitor    chan struct{}

	mu         sync.Mutex
	names      map[string]bool // what the workers registered, from the first hello
	queue      queue
	idle       []*worker
	workers    map[*worker]struct{} // processes starting or alive
	scheduled  map[*time.Timer]int  // restarts waiting out their back-off, by slot
	restarts   []int                // per slot: workers it had before the current one
	closed     bool
	broken     error
	failures   []time.Time   // start-up failures within the restart period
	streak     int           // start-up failures since the last good start
	first      chan error    // New waits on it for the first worker
	drained    chan struct{} // closed when shut down and no worker is left
	isDrained  bool
	finishOnce sync.Once

	submitted, completed, failed, cancelled atomic.Uint64
	running                                 atomic.Int64
}

var _ executor.Executor = (*Pool)(nil)

// New starts a pool of worker processes and returns once the first of them has said hello
// and run the initializer, so that a worker binary that cannot serve fails here, at once,
// with an error saying why, rather than at the first task. The other workers start in
// the background. New fails in a process that was itself started as a worker.
func New(opts ...Option) (*Pool, error) {
	if inWorker() {
		return nil, errInWorker
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if err := cfg.err(); err != nil {
		return nil, err
	}
	path := cfg.path
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("procpool: finding this program to re-execute as a worker: %w", err)
		}
		path = exe
	}
	p := &Pool{
		cfg: cfg, path: path, spawner: newSpawner(),
		workers: map[*worker]struct{}{}, scheduled: map[*time.Timer]int{},
		restarts: make([]int, cfg.workers),
		first:    make(chan error, 1), drained: make(chan struct{}),
	}
	p.stdout, p.stderr = sinks(cfg.stdout, cfg.stderr)
	first := p.first
	p.mu.Lock()
	for slot := range cfg.workers {
		p.startLocked(slot)
	}
	p.mu.Unlock()
	if err := <-first; err != nil {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // kill whatever else is starting
		p.Shutdown(ctx)
		return nil, err
	}
	if cfg.memSoft > 0 || cfg.memHard > 0 {
		p.stopMonitor = make(chan struct{})
		p.wg.Add(1)
		go p.monitor()
	}
	return p, nil
}

// Execute implements [executor.Executor]; programs use [executor.Submit]. The argument is
// encoded here, in the caller's goroutine: a value the codec cannot encode fails its own
// Future and nothing else.
func (p *Pool) Execute(ctx context.Context, t backend.Task) error {
	return p.ExecuteBatch(ctx, []backend.Task{t})
}

// ExecuteBatch implements [executor.Executor]: the batch goes to one worker in one frame,
// and its results come back together.
func (p *Pool) ExecuteBatch(ctx context.Context, batch []backend.Task) error {
	if len(batch) == 0 {
		return nil
	}
	if err := p.admit(batch); err != nil {
		return err
	}
	u := p.encode(batch)
	p.mu.Lock()
	if err := p.refuseLocked(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.submitted.Add(uint64(len(batch)))
	if len(u.jobs) == 0 {
		p.mu.Unlock()
		return nil
	}
	var w *worker
	if n := len(p.idle); n > 0 {
		w = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.assignLocked(w, u)
	} else {
		p.queue.push(u)
	}
	p.mu.Unlock()
	if w != nil {
		w.send(u)
	}
	return nil
}

// admit checks what can be checked before anything is encoded.
func (p *Pool) admit(batch []backend.Task) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.refuseLocked(); err != nil {
		return err
	}
	for _, t := range batch {
		if name := t.Func(); !p.names[name] {
			if name == "" {
				return fmt.Errorf("%w: a closure cannot run in a worker process; register the function with executor.Register", executor.ErrUnknownFunc)
			}
			return fmt.Errorf("%w: %q is not registered in the worker binary %s", executor.ErrUnknownFunc, name, p.path)
		}
	}
	return nil
}

func (p *Pool) refuseLocked() error {
	switch {
	case p.closed:
		return executor.ErrShutdown
	case p.broken != nil:
		return p.broken
	}
	return nil
}

// encode makes the unit of a batch, encoding every argument into one buffer. A task whose
// argument does not encode, or is too big for a frame, fails at once and is left out.
func (p *Pool) encode(batch []backend.Task) *unit {
	u := &unit{jobs: make([]*job, 0, len(batch))}
	jobs := make([]job, len(batch))
	var buf []byte
	ends := make([]int, 0, len(batch))
	for i, t := range batch {
		start := len(buf)
		var err error
		buf, err = p.cfg.codec.Append(buf, t.Input())
		if err == nil && len(buf)-start > p.cfg.maxFrame-len(t.Func())-64 {
			err = fmt.Errorf("argument of %d bytes is over the frame limit of %d bytes", len(buf)-start, p.cfg.maxFrame)
		}
		if err != nil {
			buf = buf[:start]
			p.failed.Add(1)
			t.Fail(fmt.Errorf("procpool: %s: encoding the argument: %w", t.Func(), err))
			ends = append(ends, -1)
			continue
		}
		jobs[i].t = t
		ends = append(ends, len(buf))
	}
	start := 0
	for i := range jobs {
		if ends[i] < 0 {
			continue
		}
		jobs[i].input = buf[start:ends[i]:ends[i]]
		start = ends[i]
		u.jobs = append(u.jobs, &jobs[i])
	}
	return u
}

// assignLocked makes u w's unit in flight: its ids are given here, under p.mu, so that
// the worker's death always finds what it was doing.
func (p *Pool) assignLocked(w *worker, u *unit) {
	u.base = w.nextID
	w.nextID += uint64(len(u.jobs))
	u.left.Store(int32(len(u.jobs)))
	w.cur.Store(u)
	p.running.Add(int64(len(u.jobs)))
}

// nextLocked gives w its next unit, or parks it: idle, or told to exit when the pool is
// shutting down and nothing is queued. It returns the unit to send, if any.
func (p *Pool) nextLocked(w *worker) (u *unit, exit bool) {
	if w.gone {
		return nil, false
	}
	if u = p.queue.pop(); u != nil {
		p.assignLocked(w, u)
		return u, false
	}
	if p.closed || p.broken != nil {
		w.retiring = true
		return nil, true
	}
	p.idle = append(p.idle, w)
	return nil, false
}
