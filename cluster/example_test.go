package cluster_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
)

// New with no URL starts a server in this process and a node of local worker processes:
// the zero-setup start, and nothing else changes when the pool joins a real cluster.
func ExampleNew() {
	p, err := cluster.New(cluster.WithLocalWorkers(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	ctx := context.Background()
	f, _ := executor.Submit(ctx, p, workloads.Square, 7)
	v, err := f.Result(ctx)
	fmt.Println(v, err)
	for v := range executor.Map(ctx, p, workloads.Square, slices.Values([]int{1, 2, 3}), executor.Chunk(2)) {
		fmt.Println(v)
	}
	// Output:
	// 49 <nil>
	// 1
	// 4
	// 9
}

// WithURL joins a server that nodes started with Serve (or cmd/dualnode) also joined.
func ExampleWithURL() {
	p, err := cluster.New(cluster.WithURL("nats://127.0.0.1:4222"), cluster.WithName("images"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	fmt.Println(p.URL())
}

// Serve makes this program a node: it runs the tasks of pool "images" until interrupted.
func ExampleServe() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cluster.Serve(ctx, "nats://127.0.0.1:4222", cluster.WithName("images")); err != nil {
		fmt.Println(err)
	}
}

// ServeIfWorker comes first in main: a node's worker processes are the program itself.
func ExampleServeIfWorker() {
	cluster.ServeIfWorker() // in main, before anything else
	p, err := cluster.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
}
