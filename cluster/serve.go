package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"github.com/dualpool/dualpool/procpool"
)

func defaultWorkers() int { return runtime.NumCPU() }

// The environment that makes a process started by a program (a test, a supervisor) a
// node: the server's URL, and the pool's name.
const (
	envNodeURL     = "DUALPOOL_CLUSTER_NODE"
	envNodeName    = "DUALPOOL_CLUSTER_POOL"
	envNodeWorkers = "DUALPOOL_CLUSTER_WORKERS"
)

// ServeIfWorker serves when this process was started as one of the cluster's processes,
// and returns at once otherwise: call it first thing in main, and in TestMain. A worker
// process of a node's procpool serves its tasks (procpool.ServeIfWorker); a process whose
// environment has DUALPOOL_CLUSTER_NODE=url (and optionally DUALPOOL_CLUSTER_POOL=name
// and DUALPOOL_CLUSTER_WORKERS=n) serves as a node of that server until SIGINT or
// SIGTERM, logging its warnings and errors to stderr. Either way it then exits the
// process, so nothing after the call runs there.
func ServeIfWorker() {
	procpool.ServeIfWorker()
	url := os.Getenv(envNodeURL)
	if url == "" {
		return
	}
	opts := []Option{WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}
	if name := os.Getenv(envNodeName); name != "" {
		opts = append(opts, WithName(name))
	}
	if n, err := strconv.Atoi(os.Getenv(envNodeWorkers)); err == nil {
		opts = append(opts, WithLocalWorkers(n))
	}
	for _, k := range []string{envNodeURL, envNodeName, envNodeWorkers} {
		os.Unsetenv(k)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Serve(ctx, url, opts...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}
