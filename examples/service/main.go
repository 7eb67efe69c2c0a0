// Command service is an HTTP service whose handlers run their work on an elastic process
// pool, run as an operator would: the pool starts one worker, grows to four while
// requests wait and shrinks back when they stop; a full queue answers 503 at once;
// /metrics is there for Prometheus to scrape; SIGHUP replaces every worker, one at a
// time, without failing a request (after deploying a new binary, say); SIGINT or SIGTERM
// lets the requests in flight finish, then stops the pool and exits.
//
//	go run ./examples/service
//	curl 'http://127.0.0.1:8080/square?n=7'   # {"n":7,"square":49,"pid":41712}: the worker's pid
//	curl http://127.0.0.1:8080/workers        # the pool's workers, and the resets done
//	curl http://127.0.0.1:8080/metrics        # for Prometheus
//	kill -HUP <pid>                           # a rolling restart of the workers
//
// The first line it prints is the address it serves, so that -addr 127.0.0.1:0 (any free
// port) can be used by a script; its log goes to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

// Answer is what a worker returns for /square: the result, and which process made it.
type Answer struct {
	N      int `json:"n"`
	Square int `json:"square"`
	PID    int `json:"pid"`
}

// square is the handlers' task. It is registered, so that a worker process, which is this
// program re-executed, finds it by name.
var square = executor.Register("service.square", func(_ context.Context, n int) (Answer, error) {
	return Answer{N: n, Square: n * n, PID: os.Getpid()}, nil
})

// config is the command line.
type config struct {
	addr                   string
	minWorkers, maxWorkers int
	queueSize              int
	queueTimeout, idleTTL  time.Duration
	shutdownTimeout        time.Duration
}

func main() {
	procpool.ServeIfWorker() // in a worker process: serve tasks, then exit
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "the `address` to listen on (port 0: any free port)")
	flag.IntVar(&cfg.minWorkers, "min-workers", 1, "the workers kept when idle")
	flag.IntVar(&cfg.maxWorkers, "workers", 4, "the most workers the pool grows to")
	flag.IntVar(&cfg.queueSize, "queue", 64, "the requests that may wait for a worker; more are answered 503")
	flag.DurationVar(&cfg.queueTimeout, "queue-timeout", time.Second, "how long a request may wait for a worker before it is answered 503")
	flag.DurationVar(&cfg.idleTTL, "idle-ttl", time.Minute, "how long a worker above the minimum may stay idle")
	flag.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long SIGTERM waits for the requests in flight")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // during the graceful stop, a second signal ends the process at once
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("service: " + err.Error())
		os.Exit(1)
	}
}

// run serves until ctx ends, then shuts the server and the pool down in that order: the
// requests in flight still have their workers.
func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	pool, err := procpool.New(
		procpool.WithMinWorkers(cfg.minWorkers), procpool.WithWorkers(cfg.maxWorkers),
		procpool.WithQueueSize(cfg.queueSize), procpool.WithNonBlocking(),
		procpool.WithQueueTimeout(cfg.queueTimeout), procpool.WithIdleTTL(cfg.idleTTL),
		procpool.WithLogger(logger))
	if err != nil {
		return err
	}
	defer pool.Close() // after an early return; the normal path shuts it down below

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	s := &service{pool: pool, logger: logger}
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP) // before the first line: whoever reads it may signal at once
	defer signal.Stop(hup)
	fmt.Printf("serving http://%s (pid %d); SIGHUP resets the workers\n", ln.Addr(), os.Getpid())

	resetCtx, stopResets := context.WithCancel(ctx)
	var resets sync.WaitGroup
	resets.Go(func() { s.resetOnHangup(resetCtx, hup) })
	defer func() { stopResets(); resets.Wait() }()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err // the listener failed: Serve never returns nil on its own
	case <-ctx.Done():
	}

	logger.Info("service: shutting down", "timeout", cfg.shutdownTimeout)
	stopResets()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	httpErr := srv.Shutdown(shutdownCtx) // stops listening, waits for the handlers
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		httpErr = errors.Join(httpErr, err)
	}
	poolErr := pool.Shutdown(shutdownCtx)
	if err := errors.Join(httpErr, poolErr); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	logger.Info("service: stopped", "served", s.served.Load())
	return nil
}

// service is the HTTP side: the handlers, and the resets SIGHUP asks for.
type service struct {
	pool   *procpool.Pool
	logger *slog.Logger
	served atomic.Uint64 // squares answered
	resets atomic.Uint64 // resets done
}

// resetOnHangup replaces every worker of the pool each time hup delivers SIGHUP, until ctx
// ends. Signals that arrive during a reset are folded into one more reset after it (hup
// holds one).
func (s *service) resetOnHangup(ctx context.Context, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		start := time.Now()
		s.logger.Info("service: SIGHUP: replacing every worker", "workers", s.pool.Stats().Workers)
		if err := s.pool.Reset(ctx); err != nil {
			if ctx.Err() != nil {
				s.logger.Info("service: reset left unfinished by the shutdown")
				return
			}
			s.logger.Error("service: reset failed", "err", err) // the pool broke: its tasks fail too
			continue
		}
		s.resets.Add(1)
		s.logger.Info("service: reset done", "took", time.Since(start).Round(time.Millisecond), "resets", s.resets.Load())
	}
}
