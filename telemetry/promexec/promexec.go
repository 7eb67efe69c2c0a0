// Package promexec exports an executor's [executor.Stats] to Prometheus: a
// prometheus.Collector that reads Stats once per scrape and reports the pool's task
// counters, its queue and its workers (the gauges RoadRunner's pools export), each
// worker process's memory, CPU time and tasks, and the queue-wait and run-time
// histograms per function.
//
// The metrics, all prefixed dualpool_ (see [WithNamespace]):
//
//	tasks_submitted_total                 counter    tasks taken
//	tasks_total{outcome}                  counter    tasks ended: completed, failed, cancelled
//	tasks_running                         gauge      tasks running now
//	tasks_queued                          gauge      tasks waiting for a worker
//	workers{state}                        gauge      workers alive: busy, idle
//	worker_restarts_total                 counter    workers that replaced one (process pools)
//	worker_memory_bytes{pid}              gauge      a worker process's private memory
//	worker_cpu_seconds_total{pid}         counter    its user and system CPU time
//	worker_tasks_total{pid}               counter    the tasks it finished
//	task_queue_wait_seconds{func}         histogram  from Submit to the task's start
//	task_run_seconds{func}                histogram  from its start to its end
//
// The per-worker series come and go with the worker processes; a goroutine pool has none.
package promexec

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dualpool/dualpool/executor"
)

// Collector is a prometheus.Collector of one executor's Stats. Make it with [New] and
// register it; it is safe for concurrent use, and each Collect calls Stats once.
type Collector struct {
	ex executor.Executor

	submitted, tasks, running, queued, workers, restarts *prometheus.Desc
	memory, cpu, workerTasks                             *prometheus.Desc
	queueWait, run                                       *prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

// Option configures a [Collector].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	namespace string
	labels    prometheus.Labels
}

// WithNamespace replaces the metrics' prefix, "dualpool".
func WithNamespace(ns string) Option { return optionFunc(func(c *config) { c.namespace = ns }) }

// WithConstLabels adds labels to every metric, such as pool="resizer" to tell several
// pools apart in one registry.
func WithConstLabels(l prometheus.Labels) Option {
	return optionFunc(func(c *config) { c.labels = l })
}

// New returns a Collector of ex's Stats.
func New(ex executor.Executor, opts ...Option) *Collector {
	cfg := config{namespace: "dualpool"}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(cfg.namespace, "", name), help, labels, cfg.labels)
	}
	return &Collector{
		ex:          ex,
		submitted:   desc("tasks_submitted_total", "Tasks the executor took."),
		tasks:       desc("tasks_total", "Tasks that ended, by outcome: completed, failed or cancelled.", "outcome"),
		running:     desc("tasks_running", "Tasks running now."),
		queued:      desc("tasks_queued", "Tasks waiting for a worker."),
		workers:     desc("workers", "Workers alive, by state: busy (running a task) or idle.", "state"),
		restarts:    desc("worker_restarts_total", "Workers started to replace one that died or was recycled."),
		memory:      desc("worker_memory_bytes", "Private memory (USS) of a worker process.", "pid"),
		cpu:         desc("worker_cpu_seconds_total", "User and system CPU time of a worker process.", "pid"),
		workerTasks: desc("worker_tasks_total", "Tasks a worker process finished.", "pid"),
		queueWait:   desc("task_queue_wait_seconds", "Time from Submit to the task's start, by function.", "func"),
		run:         desc("task_run_seconds", "Time from the task's start to its end, by function.", "func"),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.submitted, c.tasks, c.running, c.queued, c.workers, c.restarts,
		c.memory, c.cpu, c.workerTasks, c.queueWait, c.run} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.ex.Stats()
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter(c.submitted, float64(s.Submitted))
	counter(c.tasks, float64(s.Completed), "completed")
	counter(c.tasks, float64(s.Failed), "failed")
	counter(c.tasks, float64(s.Cancelled), "cancelled")
	gauge(c.running, float64(s.Running))
	gauge(c.queued, float64(s.Queued))
	gauge(c.workers, float64(s.Busy), "busy")
	gauge(c.workers, float64(max(s.Workers-s.Busy, 0)), "idle")
	counter(c.restarts, float64(s.Restarts))
	for _, w := range s.PerWorker {
		pid := strconv.Itoa(w.PID)
		gauge(c.memory, float64(w.Memory), pid)
		counter(c.cpu, w.CPUTime.Seconds(), pid)
		counter(c.workerTasks, float64(w.TasksDone), pid)
	}
	for name, f := range s.PerFunc {
		ch <- histogram(c.queueWait, f.QueueWait, name)
		ch <- histogram(c.run, f.Run, name)
	}
}

// histogram is h as a Prometheus histogram: cumulative buckets, in seconds.
func histogram(d *prometheus.Desc, h executor.Histogram, label string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(executor.HistogramBounds))
	var cum uint64
	for i, bound := range executor.HistogramBounds {
		cum += h.Counts[i]
		buckets[bound.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(d, h.Count, h.Sum.Seconds(), buckets, label)
}
