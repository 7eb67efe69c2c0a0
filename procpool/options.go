package procpool

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/supervise"
	"github.com/dualpool/dualpool/ipc"
)

// Option configures a [Pool] made by [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	workers        int
	path           string   // "" : the program's own binary
	args           []string // after the path
	maxTasks       int      // 0: no limit
	startTimeout   time.Duration
	killGrace      time.Duration
	memSoft        uint64
	memHard        uint64
	memInterval    time.Duration
	env            []string
	initName       string
	initInput      any
	codec          ipc.Codec
	maxFrame       int
	logger         *slog.Logger
	stdout, stderr io.Writer
	intensity      int
	period         time.Duration
	transport      Transport
	rlimits        []Rlimit
	cleanEnv       bool
	keepEnv        []string
	credential     *supervise.Credential
	cgroup         *CgroupLimits
	telemetry      telemetryConfig // telemetry.go
	errs           []error

	// elastic.go, queue.go, lifetime.go
	minWorkers   int // < 0: not set, a pool of fixed size
	queueSize    int // < 0: unbounded
	nonBlocking  bool
	queueTimeout time.Duration
	workerTTL    time.Duration
	idleTTL      time.Duration
}

func defaultConfig() config {
	return config{
		workers:      runtime.NumCPU(),
		startTimeout: 10 * time.Second,
		killGrace:    time.Second,
		memInterval:  100 * time.Millisecond,
		codec:        ipc.Binary,
		maxFrame:     ipc.DefaultMaxFrame,
		logger:       slog.New(slog.DiscardHandler),
		stdout:       os.Stdout,
		stderr:       os.Stderr,
		intensity:    5,
		period:       10 * time.Second,
		transport:    pipes{},
		minWorkers:   -1,
		queueSize:    -1,
	}
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// WithWorkers sets how many worker processes the pool keeps (n ≥ 1); with
// [WithMinWorkers], the most it grows to. [Pool.Resize] changes it while the pool runs.
// The default is runtime.NumCPU().
func WithWorkers(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.fail("WithWorkers(%d): want at least 1", n)
		}
		c.workers = n
	})
}

// WithCommand runs path with args as the worker instead of re-executing this program.
// That binary must call [ServeIfWorker] first thing in main and register the functions
// the pool will run (cmd/procworker is one such binary).
func WithCommand(path string, args ...string) Option {
	return optionFunc(func(c *config) {
		if path == "" {
			c.fail("WithCommand: empty path")
		}
		c.path, c.args = path, append([]string(nil), args...)
	})
}

// WithMaxTasksPerWorker replaces a worker after it has run n tasks (n ≥ 1), Python's
// max_tasks_per_child: a leak in task code then lives only so long. The default (0) keeps
// a worker for the pool's life.
func WithMaxTasksPerWorker(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.fail("WithMaxTasksPerWorker(%d): want at least 1", n)
		}
		c.maxTasks = n
	})
}

// WithStartTimeout bounds how long a new worker may take to say hello and run the
// initializer (d > 0). A worker that does not is killed and counts as a start-up failure.
// The default is 10s.
func WithStartTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail("WithStartTimeout(%v): want more than 0", d)
		}
		c.startTimeout = d
	})
}

// WithKillGrace sets how long a running task may go on after its ctx ended (d ≥ 0); then
// its worker is killed and replaced, and the task fails with an *[executor.KilledError].
// The default is 1s.
func WithKillGrace(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.fail("WithKillGrace(%v): want at least 0", d)
		}
		c.killGrace = d
	})
}

// WithMemoryLimit bounds each worker's private memory (USS: the pages only it uses, read
// with gopsutil; RSS would count the shared binary). Either may be 0 for no limit. Over
// soft, a worker is replaced once its task is done. Over hard while a task runs, the
// worker is killed and the task fails with an *[executor.MemoryLimitError]. Memory is
// sampled every 100ms, so a spike shorter than that may go unseen.
func WithMemoryLimit(soft, hard uint64) Option {
	return optionFunc(func(c *config) {
		if soft > 0 && hard > 0 && soft > hard {
			c.fail("WithMemoryLimit(%d, %d): soft limit over hard limit", soft, hard)
		}
		c.memSoft, c.memHard = soft, hard
	})
}

// WithEnv adds "KEY=value" entries to the workers' environment, which is otherwise the
// parent's.
func WithEnv(env ...string) Option {
	return optionFunc(func(c *config) { c.env = append(c.env[:len(c.env):len(c.env)], env...) })
}

// WithInitializer runs f(in) once in each new worker before its first task (Python's
// initializer). If it fails, the pool is broken: queued and later tasks fail with
// [executor.ErrPoolBroken] wrapping the error.
func WithInitializer[In, Out any](f executor.Func[In, Out], in In) Option {
	return optionFunc(func(c *config) {
		if f.Name() == "" {
			c.fail("WithInitializer: a zero Func (not made by executor.Register)")
		}
		c.initName, c.initInput = f.Name(), in
	})
}

// WithCodec sets the codec of arguments and results; workers find it by name with
// [ipc.LookupCodec], so a custom codec must be registered in the worker binary too. The
// default is [ipc.Binary].
func WithCodec(c ipc.Codec) Option {
	return optionFunc(func(cfg *config) {
		if c == nil {
			cfg.fail("WithCodec(nil)")
		}
		cfg.codec = c
	})
}

// WithLogger sets where the pool logs its workers' lives (start, exit, kill, restart) at
// Debug, Info and Error levels. Tasks are never logged. The default discards.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			c.fail("WithLogger(nil)")
		}
		c.logger = l
	})
}

// WithStdout and WithStderr set where the workers' stdout and stderr go, line by line:
// a line is written whole, in one Write, never torn or mixed with another worker's
// (a line over 64 KiB is cut in pieces). The defaults are os.Stdout and os.Stderr.
func WithStdout(w io.Writer) Option {
	return optionFunc(func(c *config) { c.stdout = orDiscard(w) })
}

// WithStderr: see [WithStdout]. The last 4 KiB of each worker's stderr are also kept for
// its [executor.WorkerExitError].
func WithStderr(w io.Writer) Option {
	return optionFunc(func(c *config) { c.stderr = orDiscard(w) })
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// WithRestartIntensity sets the crash-loop rule, after Erlang/OTP's supervisors, made to
// tell a worker that cannot stay up from a task that crashes it. A death counts against
// its worker slot when the worker had answered no task, or had none in flight: it died
// at start, right after its hello, idle, or on the first task it was given. When more than
// n deaths count within period the pool is broken ([executor.ErrPoolBroken]); between
// them the restarts back off, from 10ms doubling to 1s. A worker that answers a task
// clears its slot's record, so tasks that crash their workers now and then never break
// the pool nor slow its restarts. The pool's own kills (a task past its ctx, memory,
// shutdown) never count. The default is 5 within 10s.
func WithRestartIntensity(n int, period time.Duration) Option {
	return optionFunc(func(c *config) {
		if n < 0 || period <= 0 {
			c.fail("WithRestartIntensity(%d, %v): want n ≥ 0 and period > 0", n, period)
		}
		c.intensity, c.period = n, period
	})
}

// WithMaxMessageSize bounds every frame between the pool and its workers, so one task's
// argument or result, to n bytes (n ≥ 1024). A worker that sends a bigger frame is killed.
// The default is 64 MiB.
func WithMaxMessageSize(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1024 {
			c.fail("WithMaxMessageSize(%d): want at least 1024", n)
		}
		c.maxFrame = n
	})
}

func (c *config) err() error {
	c.checkSizes()
	if err := errors.Join(c.errs...); err != nil {
		return fmt.Errorf("procpool: %w", err)
	}
	return nil
}
