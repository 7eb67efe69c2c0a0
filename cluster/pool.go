package cluster

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/dualpool/dualpool/executor"
)

// Pool runs tasks on the nodes of a NATS JetStream server: the nodes that serve its name
// there, and its own local workers when it has some. Make one with [New]; it is safe for
// concurrent use.
type Pool struct {
	cfg    config
	url    string
	server *embedded // nil with WithURL
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	inbox  string
	check  string // the Dualpool-Check header of its tasks
	subs   []*nats.Subscription
	local  *node          // the local node, or nil
	bg     sync.WaitGroup // its watch of lost tasks
	dels   sync.WaitGroup // deletions of messages that will not run
	stopBg chan struct{}
	gids   [6]atomic.Uint64 // the goroutines that resolve tasks: 5 subscriptions and watchLost

	mu       sync.Mutex
	tasks    map[uint64]*entry
	nextID   uint64
	closed   bool
	stopping bool          // stop has begun: no more deletions
	drained  chan struct{} // closed once closed and no task is left
	nodes    map[string]*executor.WorkerStats
	checked  map[string]error // what admit found of each function submitted
	teardown sync.Once

	submitted, completed, failed, cancelled atomic.Uint64
}

var _ executor.Executor = (*Pool)(nil)

// New makes a pool. With no [WithURL] it starts a NATS server with JetStream in this
// process (on a random loopback port, its store in a temporary directory) and a node of
// runtime.NumCPU() worker processes, this program re-executed: call [ServeIfWorker]
// first thing in main. With WithURL it joins that server, and its tasks run on the nodes
// started there with [Serve]. Everything else is the same: the pool is an
// executor.Executor.
func New(opts ...Option) (*Pool, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	p := &Pool{cfg: cfg, url: cfg.url, tasks: map[uint64]*entry{}, nodes: map[string]*executor.WorkerStats{}, checked: map[string]error{},
		drained: make(chan struct{}), stopBg: make(chan struct{})}
	if p.url == "" {
		if p.server, err = startEmbedded(); err != nil {
			return nil, err
		}
		p.url = p.server.url()
		p.cfg.inMemory = true
	}
	if err := p.start(); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// start connects, sets the queue up, listens on the pool's inbox and starts the local node.
func (p *Pool) start() error {
	var err error
	if p.nc, p.js, err = connect(p.url, "dualpool client "+p.cfg.name, jetstream.WithPublishAsyncErrHandler(p.onPublishError)); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if p.stream, _, err = setUp(ctx, p.js, &p.cfg, true); err != nil {
		return err
	}
	p.inbox = p.nc.NewInbox()
	p.check = checkValue(p.cfg.codec)
	if err := p.listen(); err != nil {
		return err
	}
	p.bg.Add(1)
	go p.watchLost()
	if p.cfg.localWorkers > 0 {
		if p.local, err = startNode(p.url, p.cfg); err != nil {
			return err
		}
	}
	return nil
}

// URL returns the client URL of the server the pool uses, the embedded one too, for
// nodes to join: cluster.Serve(ctx, p.URL()). The embedded server listens on the
// loopback interface only: nodes on other machines join a server started on its own.
func (p *Pool) URL() string { return p.url }

// Stats implements [executor.Executor]. PerWorker has one entry per node that answered
// this pool's tasks: its pid and host, the tasks it answered and how many of them failed.
func (p *Pool) Stats() executor.Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := executor.Stats{
		Submitted: p.submitted.Load(), Completed: p.completed.Load(),
		Failed: p.failed.Load(), Cancelled: p.cancelled.Load(),
	}
	for _, e := range p.tasks {
		if e.started {
			s.Running += e.size()
		} else {
			s.Queued += e.size()
		}
	}
	for _, n := range p.nodes {
		s.PerWorker = append(s.PerWorker, *n)
	}
	s.Workers = len(s.PerWorker)
	return s
}

// stop closes what start opened, in reverse order.
func (p *Pool) stop() {
	p.mu.Lock()
	p.stopping = true
	p.mu.Unlock()
	p.dels.Wait()
	close(p.stopBg)
	if p.local != nil {
		p.local.stop()
	}
	for _, s := range p.subs {
		s.Unsubscribe()
	}
	p.bg.Wait()
	if p.nc != nil {
		p.nc.Close()
	}
	if p.server != nil {
		p.server.stop()
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}
