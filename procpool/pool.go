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
	"github.com/dualpool/dualpool/internal/fifo"
	"github.com/dualpool/dualpool/internal/supervise"
	"github.com/dualpool/dualpool/ipc"
)

// Pool is a pool of worker processes. Make one with [New]; it is safe for concurrent use.
type Pool struct {
	cfg            config
	path           string // the worker binary, as messages name it
	exe            string // and as it is started: /proc/self/exe for this program on Linux
	stdout, stderr *lineSink
	spawner        *supervise.Spawner
	cgroups        *supervise.CgroupTree // WithCgroup's, or nil
	wg             sync.WaitGroup        // every goroutine of the pool
	stopMonitor    chan struct{}

	mu         sync.Mutex
	names      map[string]bool    // what the workers registered, from the first hello
	features   ipc.Feature        // and the optional frames they understand
	checked    map[string]error   // what Check found of each function submitted
	queue      *fifo.Queue[*unit] // weighed by tasks
	idle       []*worker
	workers    map[*worker]struct{} // processes starting or alive
	scheduled  map[*time.Timer]int  // restarts waiting out their back-off, by slot
	restarts   []int                // per slot: workers it had before the current one
	closed     bool
	broken     error
	slots      []supervise.Record // the restart record of each worker slot
	first      chan error         // New waits on it for the first worker
	drained    chan struct{}      // closed when shut down and no worker is left
	isDrained  bool
	finishOnce sync.Once

	resolving atomic.Int32              // the pool's goroutines resolving tasks now (see resolveIn)
	ready     atomic.Pointer[[]*worker] // the workers Await looks through (await.go)
	tel       poolTelemetry

	size     sizing        // elastic.go
	wait     queueWait     // queue.go
	stopLife chan struct{} // lifetime.go's goroutine, if it runs
	resetMu  sync.Mutex    // one Reset at a time (reset.go)

	submitted, completed, failed, cancelled atomic.Uint64
	running                                 atomic.Int64
}

var (
	_ executor.Executor = (*Pool)(nil)
	_ backend.Spinner   = (*Pool)(nil)
)

// WaitSpin is how long a Future's Result yields before it parks ([backend.Spinner]): about
// two round trips, so that a short task's waiter is seldom woken from sleep.
func (p *Pool) WaitSpin() time.Duration { return 50 * time.Microsecond }

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
	path, exe := cfg.path, cfg.path
	if path == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("procpool: finding this program to re-execute as a worker: %w", err)
		}
		path, exe = self, selfExe(self)
	}
	cgroups := cfg.cgroupTree() // may set the fallbacks of its limits in cfg
	p := &Pool{
		cfg: cfg, path: path, exe: exe, spawner: supervise.NewSpawner(), cgroups: cgroups,
		workers: map[*worker]struct{}{}, scheduled: map[*time.Timer]int{},
		restarts: make([]int, cfg.workers), slots: make([]supervise.Record, cfg.workers),
		queue: fifo.New(func(u *unit) int { return u.size }),
		first: make(chan error, 1), drained: make(chan struct{}),
	}
	p.stdout, p.stderr = sinks(cfg.stdout, cfg.stderr)
	first := p.first
	p.mu.Lock()
	for range p.initSizing() {
		p.claimLocked()
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
	if cfg.workerTTL > 0 || cfg.idleTTL > 0 {
		p.stopLife = make(chan struct{})
		p.wg.Add(1)
		go p.lifetimes()
	}
	return p, nil
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

// hello records what the workers can run.
func (p *Pool) hello(names []string, features ipc.Feature) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.names == nil {
		p.features = features
		p.names = make(map[string]bool, len(names))
		for _, n := range names {
			p.names[n] = true
		}
	}
}
