package main

import (
	"os"

	"github.com/dualpool/dualpool/procpool"
)

// dualpool's process pool: workers are this runner re-executed (procpool.ServeIfWorker
// in main), tasks the same registered functions the threadpool runs.

type procPool struct{ p *procpool.Pool }

func procpoolBackend() *backend {
	return &backend{name: "procpool", processes: true,
		about: "dualpool's worker processes over pipes: Submit + Future.Result",
		start: func(n int) (pool, error) {
			// Workers' stdout goes to stderr: stdout carries the table (the bench's
			// tasks print nothing anyway).
			p, err := procpool.New(procpool.WithWorkers(n), procpool.WithStdout(os.Stderr))
			if err != nil {
				return nil, err
			}
			return procPool{p}, nil
		}}
}

func (p procPool) submit(j job) func() (any, error) { return submitExecutor(p.p, j) }
func (p procPool) squares(nums []int, chunk int) ([]int, error) {
	return squaresExecutor(p.p, nums, chunk)
}

func (p procPool) pids() []int {
	var ids []int
	for _, w := range p.p.Stats().PerWorker {
		ids = append(ids, w.PID)
	}
	return ids
}

func (p procPool) close() error { return p.p.Close() }
