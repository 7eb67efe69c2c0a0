// Command benchmarks is dualpool's comparison suite: it runs the workloads of the guide
// dualpool grew from (Python's ThreadPoolExecutor versus ProcessPoolExecutor) on both of
// dualpool's backends and on the peers a user would pick instead, in one run, and prints
// the guide's summary table with measured numbers in place of adjectives.
//
//	go run -C benchmarks . -quick                       # about a minute on 2 cores
//	go run -C benchmarks .                              # a few minutes
//	go run -C benchmarks . -only cpu -json cpu.json     # paths are the caller's: ./cpu.json
//	go run -C benchmarks . -plots docs                  # regenerate README's images
//	go run -C benchmarks . -quick -format wide          # a column per backend, as the guide's table
//
// The report goes to stdout and fits 120 columns (-format wide, markdown, csv or json
// for the others); progress goes to stderr, as a bar with the time left on a terminal and
// a line per workload otherwise, and so does where each file was written. Every figure is
// the median of repetitions, with its spread, and a ratio to the threadpool column of the
// same run. Nothing is tuned per backend and nothing is a pass/fail timing.
//
// The binary re-executes itself as the worker of its process-side backends (dualpool's
// procpool, go-plugin, the raw pipe) and to watch a crash from outside.
package main

import (
	"os"

	"github.com/dualpool/dualpool/cluster"
)

func main() {
	// Worker roles first: a re-executed copy of this binary serves and exits here.
	cluster.ServeIfWorker() // a procpool worker, or a cluster node's
	serveRole()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
