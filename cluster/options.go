package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"time"

	"github.com/dualpool/dualpool/ipc"
	"github.com/dualpool/dualpool/procpool"
)

// Option configures a [Pool] made by [New], or a node run by [Serve].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	url          string // "": start a server in this process
	localWorkers int    // -1: the default (NumCPU embedded, 0 with a URL)
	name         string
	ackWait      time.Duration
	maxAttempts  int
	poolOpts     []procpool.Option
	codec        ipc.Codec
	logger       *slog.Logger
	drainTimeout time.Duration
	inMemory     bool // the queue in memory: the embedded server's store dies with it anyway
	errs         []error
}

func defaultConfig() config {
	return config{
		localWorkers: -1,
		name:         "default",
		ackWait:      30 * time.Second,
		maxAttempts:  3,
		codec:        ipc.Binary,
		logger:       slog.New(slog.DiscardHandler),
		drainTimeout: 30 * time.Second,
	}
}

func newConfig(opts []Option) (config, error) {
	c := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.localWorkers < 0 {
		c.localWorkers = 0
		if c.url == "" {
			c.localWorkers = runtime.NumCPU()
		}
	}
	if c.url == "" && c.localWorkers == 0 {
		c.errs = append(c.errs, errors.New("an embedded server with no local workers would run nothing: give WithLocalWorkers(n ≥ 1) or WithURL"))
	}
	if err := errors.Join(c.errs...); err != nil {
		return c, fmt.Errorf("cluster: %w", err)
	}
	return c, nil
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// WithURL joins the NATS server (or cluster) at url, such as "nats://host:4222", instead
// of starting one in this process. Tasks then run on the nodes that serve the same pool
// name there ([Serve], cmd/dualnode), and on this process's own workers only when
// [WithLocalWorkers] asks for some.
func WithURL(url string) Option {
	return optionFunc(func(c *config) {
		if url == "" {
			c.fail("WithURL(\"\"): give the server's URL, or leave the option out to start one here")
		}
		c.url = url
	})
}

// WithLocalWorkers sets how many worker processes this process runs tasks on as a node
// of its own (n ≥ 0). The default is runtime.NumCPU() with the embedded server and 0
// with [WithURL]. For [Serve] it is the node's worker count, runtime.NumCPU() by default.
func WithLocalWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			c.fail("WithLocalWorkers(%d): the count must be 0 or more", n)
		}
		c.localWorkers = n
	})
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// WithName sets the pool's name, so that several pools share one server, each with its
// own queue and its own nodes: letters, digits, '_' and '-'. The default is "default".
func WithName(pool string) Option {
	return optionFunc(func(c *config) {
		if !validName.MatchString(pool) {
			c.fail("WithName(%q): a pool's name is 1 to 64 letters, digits, '_' or '-'", pool)
		}
		c.name = pool
	})
}

// WithAckWait sets how long a task given to a node may go without a sign of life from it
// before the task is given to another node (d ≥ 100ms; 30s by default). A node sends one
// every third of it while a task runs, so a long task is never given again for being
// slow; only a node lost (killed, its machine gone) lets this time run out. The queue
// takes the value of the pool or node that last set it up.
func WithAckWait(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 100*time.Millisecond {
			c.fail("WithAckWait(%v): the wait must be at least 100ms", d)
		}
		c.ackWait = d
	})
}

// WithMaxAttempts sets how many nodes a task is given to, at most, when the ones before
// were lost while running it (n ≥ 1; 3 by default). Past it the task fails with
// [executor.ErrWorkerLost]. A task that fails on a node is never given to another.
func WithMaxAttempts(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.fail("WithMaxAttempts(%d): at least 1 attempt", n)
		}
		c.maxAttempts = n
	})
}

// WithPoolOptions passes options to the process pool in which a node runs its tasks
// (its kill grace, memory limits, restart intensity...). procpool.WithWorkers is taken
// from [WithLocalWorkers], and procpool.WithCodec from [WithCodec].
func WithPoolOptions(opts ...procpool.Option) Option {
	return optionFunc(func(c *config) { c.poolOpts = append(c.poolOpts, opts...) })
}

// WithCodec sets the codec of arguments and results (ipc.Binary by default). A client
// and its nodes must use the same one: a node refuses the tasks of another.
func WithCodec(codec ipc.Codec) Option {
	return optionFunc(func(c *config) {
		if codec == nil {
			c.fail("WithCodec(nil)")
			return
		}
		c.codec = codec
	})
}

// WithLogger sets where the pool or node logs what goes wrong (a node refused, a task
// given to another node): nothing by default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	})
}

// WithDrainTimeout bounds how long a node that is told to stop lets its running tasks
// finish before it kills them (30s by default); their tasks then go to another node.
func WithDrainTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail("WithDrainTimeout(%v): the timeout must be positive", d)
		}
		c.drainTimeout = d
	})
}
