// Command dualnode is a stock node of a dualpool cluster: it joins a NATS server with
// JetStream and runs the tasks of the pool it names in a local process pool, until
// SIGINT or SIGTERM.
//
//	dualnode -url nats://host:4222 [-pool default] [-workers N] [-ack-wait 30s] [-max-attempts 3]
//
// It runs the functions registered in its own binary, and this one registers none: it is
// a template. Copy it and import the packages that register a program's functions, or
// make the program itself a node (cluster.ServeIfWorker first thing in main, then
// cluster.Serve). A node whose functions differ from its client's refuses its tasks.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/dualpool/dualpool/cluster"
)

func main() {
	cluster.ServeIfWorker()
	url := flag.String("url", "", "the NATS server to join, such as nats://host:4222")
	pool := flag.String("pool", "default", "the name of the pool whose tasks to run")
	workers := flag.Int("workers", runtime.NumCPU(), "worker processes")
	ackWait := flag.Duration("ack-wait", 30*time.Second, "how long a task may go without a sign of life before another node gets it (when this node sets the queue up)")
	attempts := flag.Int("max-attempts", 3, "nodes a task is given to at most (when this node sets the queue up)")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "dualnode: -url is required")
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := cluster.Serve(ctx, *url, cluster.WithName(*pool), cluster.WithLocalWorkers(*workers),
		cluster.WithAckWait(*ackWait), cluster.WithMaxAttempts(*attempts), cluster.WithLogger(logger))
	if err != nil {
		fmt.Fprintln(os.Stderr, "dualnode:", err)
		os.Exit(1)
	}
}
