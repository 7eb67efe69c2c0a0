package goplugin

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-plugin"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

// Supervisor keeps instances of a go-plugin plugin written for its own interface T (a
// gRPC or net/rpc plugin that knows nothing of dualpool) and runs calls on them, one call
// at a time per instance. Make one with [Supervise]; it is safe for concurrent use.
//
// It is a [procpool.Pool] whose workers are the plugin's instances, so that every promise
// of procpool holds for them: a call past its ctx by the kill grace kills its instance
// (*[executor.KilledError]), a crash fails only the call in flight
// (*[executor.WorkerExitError], with the exit status and the tail of the plugin's
// stderr), a dead instance is restarted under the crash-loop rule with back-off
// ([executor.ErrPoolBroken] once it keeps dying), instances are recycled after a number
// of calls or over a memory limit, and on Linux they die with the host.
type Supervisor[T any] struct {
	pool *procpool.Pool
	t    *supervised[T]
}

// Supervise starts the instances of the plugin that config describes and returns once
// the first has started, dispensed name as a T and passed [WithReinit]'s function; the
// others start in the background. config is called once here, to check it, and once
// for every start of an instance: it must return a new ClientConfig each time, with a
// Cmd not yet started, and no Reattach or RunnerFunc (the Supervisor runs the process
// itself, so that it owns its exit status and its stderr). The config's
// HandshakeConfig, Plugins, AllowedProtocols, AutoMTLS, SecureConfig and Logger apply
// as they do for go-plugin.
//
// Pool options go in [WithPoolOptions] and keep their meaning: [procpool.WithWorkers]
// is the number of instances, [procpool.WithKillGrace], [procpool.WithRestartIntensity],
// [procpool.WithMaxTasksPerWorker] (calls), the memory limits and
// [procpool.WithStartTimeout] (go-plugin's handshake, dispensing and reinit) apply to
// them. [WithChecksum], [WithAutoMTLS], [WithLogger], [WithReinit] and [WithPing] apply
// too; [WithHandshake] does not (the ClientConfig has its own).
//
// A plugin that cannot start fails Supervise with its reason, wrapped beside
// [executor.ErrPoolBroken]: [ErrHandshake] (not a plugin, another cookie), a
// *[ChecksumError], or [ErrDispense].
func Supervise[T any](config func() *plugin.ClientConfig, name string, opts ...Option) (*Supervisor[T], error) {
	if config == nil {
		return nil, errors.New("goplugin: Supervise: nil config func")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	var reinit func(context.Context, T) error
	if cfg.reinit != nil {
		f, ok := cfg.reinit.(func(context.Context, T) error)
		if !ok {
			return nil, fmt.Errorf("goplugin: Supervise: WithReinit's function is a %T, not a func(context.Context, %v) error",
				cfg.reinit, reflect.TypeFor[T]())
		}
		reinit = f
	}
	path, err := checkClientConfig(config(), name)
	if err != nil {
		return nil, fmt.Errorf("goplugin: Supervise: %w", err)
	}
	t := &supervised[T]{config: config, name: name, cfg: cfg, reinit: reinit, calls: &callTable[T]{m: map[uint64]*call[T]{}}}
	s := &Supervisor[T]{t: t}
	popts := []procpool.Option{procpool.WithCommand(path), procpool.WithLogger(cfg.logger)}
	popts = append(append(popts, cfg.pool...), procpool.WithTransport(t))
	if s.pool, err = procpool.New(popts...); err != nil {
		return nil, err
	}
	return s, nil
}

// maxTries bounds how often one call is handed to an instance found dead before it ran.
const maxTries = 8

// Do runs fn with the T of a free instance, waiting for one within ctx, and returns
// fn's error as fn returned it. fn gets ctx itself; a fn that does not stop when ctx
// ends (net/rpc has no ctx) is stopped by killing its instance after the kill grace,
// and Do then returns a *[executor.KilledError] that matches ctx's error. When the
// instance dies during the call, Do returns its *[executor.WorkerExitError]; when fn
// fails and its instance does not answer a ping, Do returns the error of its death, not
// fn's. A call that lands on an instance found dead before fn ran (its process exited,
// or with [WithPing] it did not answer) waits for another instance; Stats count that try
// as a failed task.
// Do returns [executor.ErrShutdown] after [Supervisor.Close], and an error matching
// [executor.ErrPoolBroken] once instances keep dying at start.
//
// fn runs in the host, in a goroutine of the Supervisor's; it must not call Close, and
// must return once its plugin is gone (go-plugin's calls do). The cost of Do beside a
// bare call is in the package doc.
func (s *Supervisor[T]) Do(ctx context.Context, fn func(ctx context.Context, t T) error) error {
	if fn == nil {
		return errors.New("goplugin: Do(nil)")
	}
	c := &call[T]{ctx: ctx, fn: fn}
	id := s.t.calls.add(c)
	defer s.t.calls.remove(id)
	for try := 1; ; try++ {
		t := &callTask{ctx: ctx, id: id, done: make(chan struct{})}
		if err := s.pool.Execute(ctx, t); err != nil {
			return err
		}
		select {
		case <-t.done:
		case <-ctx.Done():
			t.Discard(ctx.Err()) // does nothing once the call has started
			<-t.done
		}
		switch c.state.Load() {
		case callAnswered:
			return c.err
		case callNotRun: // the pool failed the task with the instance's death
			if try < maxTries && ctx.Err() == nil {
				c.state.Store(callPending)
				continue
			}
		}
		return t.err
	}
}

// Call runs fn with the T of a free instance, as [Supervisor.Do] does, and returns its
// result.
func Call[T, R any](ctx context.Context, s *Supervisor[T], fn func(ctx context.Context, t T) (R, error)) (R, error) {
	var r R
	err := s.Do(ctx, func(ctx context.Context, t T) error {
		var err error
		r, err = fn(ctx, t)
		return err
	})
	if err != nil {
		return *new(R), err
	}
	return r, nil
}

// Stats returns the pool's counters, a call counting as a task; PerWorker has a line
// per instance that is ready, with its plugin's PID, memory and Restarts.
func (s *Supervisor[T]) Stats() executor.Stats { return s.pool.Stats() }

// Shutdown stops taking calls and waits for those running and queued, and for the
// instances to exit; when ctx ends first, the queued calls are cancelled and the
// instances killed, and ctx's error is returned.
func (s *Supervisor[T]) Shutdown(ctx context.Context) error {
	if err := s.pool.Shutdown(ctx); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		s.t.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close is Shutdown without a time limit: when it returns, every plugin process has
// exited, and every goroutine of the Supervisor has ended, fn's included (fn returns once
// its plugin is gone, as go-plugin's calls do).
func (s *Supervisor[T]) Close() error {
	err := s.pool.Close()
	s.t.running.Wait()
	return err
}

// call is one Do: the caller's ctx and fn, and the answer of the instance that ran it.
type call[T any] struct {
	ctx   context.Context
	fn    func(context.Context, T) error
	state atomic.Int32 // callPending, or set by the instance before its answer is read
	err   error        // fn's error, when state is callAnswered
}

const (
	callPending  = iota
	callAnswered // fn ran and returned err
	callNotRun   // the instance was found dead before fn ran, and was not answered
)

// callTable maps the ids that tasks carry to their calls.
type callTable[T any] struct {
	mu   sync.Mutex
	next uint64
	m    map[uint64]*call[T]
}

func (t *callTable[T]) add(c *call[T]) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.m[t.next] = c
	return t.next
}

func (t *callTable[T]) get(id uint64) *call[T] {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[id]
}

func (t *callTable[T]) remove(id uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, id)
}
