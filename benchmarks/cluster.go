package main

import (
	"os"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/procpool"
)

// dualpool's cluster: an embedded NATS JetStream server and a node of n worker processes
// in this runner, the zero-setup default of cluster.New. Every task crosses the network
// hop (a publish, a delivery, the node's ask, the answer) on top of a procpool's pipe, so
// its column beside procpool's is the price of that hop on loopback.

type clusterPool struct{ p *cluster.Pool }

func clusterBackend() *backend {
	return &backend{name: "cluster", processes: true,
		about: "dualpool's cluster: embedded NATS JetStream server, a local node of worker processes",
		start: func(n int) (pool, error) {
			p, err := cluster.New(cluster.WithLocalWorkers(n), cluster.WithPoolOptions(procpool.WithStdout(os.Stderr)))
			if err != nil {
				return nil, err
			}
			return clusterPool{p}, nil
		},
		// A 1 MiB argument is over the server's default maximum payload (1 MB): the
		// cluster refuses it, so the data row leaves this column out.
		can: func(k jobKind) bool { return k != jobEcho }}
}

func (p clusterPool) submit(j job) func() (any, error) { return submitExecutor(p.p, j) }
func (p clusterPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresExecutor(p.p, nums, chunk)
}

// pids is nil: the node's worker processes are its procpool's, which the cluster's Stats
// report per node, so the memory row has no figure for this column.
func (p clusterPool) pids() []int { return nil }

func (p clusterPool) close() error { return p.p.Close() }
