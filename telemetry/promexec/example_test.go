package promexec_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/telemetry/promexec"
	"github.com/dualpool/dualpool/threadpool"
)

func ExampleNew() {
	p, _ := threadpool.New(threadpool.WithMaxWorkers(4))
	defer p.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(promexec.New(p, promexec.WithConstLabels(prometheus.Labels{"pool": "thumbnails"})))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})) // what Prometheus scrapes; serve mux

	f, _ := executor.Submit(context.Background(), p, square, 7)
	f.Result(context.Background())
	fams, _ := reg.Gather()
	for _, f := range fams {
		fmt.Println(f.GetName(), f.GetType(), len(f.GetMetric()))
	}
	// Output:
	// dualpool_task_queue_wait_seconds HISTOGRAM 1
	// dualpool_task_run_seconds HISTOGRAM 1
	// dualpool_tasks_queued GAUGE 1
	// dualpool_tasks_running GAUGE 1
	// dualpool_tasks_submitted_total COUNTER 1
	// dualpool_tasks_total COUNTER 3
	// dualpool_worker_restarts_total COUNTER 1
	// dualpool_workers GAUGE 2
}
