package otelexec

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/dualpool/dualpool/executor"
)

// Producer turns an executor's Stats into OpenTelemetry metrics, once per collection.
// Make it with [NewProducer] and give it to a reader of the OpenTelemetry SDK with
// sdkmetric.WithProducer. Its metrics (all cumulative):
//
//	dualpool.tasks.submitted        sum, monotonic  {task}    tasks taken
//	dualpool.tasks.ended            sum, monotonic  {task}    by dualpool.task.outcome: completed, failed, cancelled
//	dualpool.tasks.running          sum             {task}    running now
//	dualpool.tasks.queued           sum             {task}    waiting for a worker
//	dualpool.workers                sum             {worker}  by dualpool.worker.state: busy, idle
//	dualpool.worker.restarts        sum, monotonic  {worker}  workers that replaced one
//	dualpool.worker.memory.usage    gauge           By        by process.pid: a worker's private memory
//	dualpool.worker.cpu.time        sum, monotonic  s         by process.pid
//	dualpool.worker.tasks           sum, monotonic  {task}    by process.pid: tasks it finished
//	dualpool.task.queue_wait.duration histogram     s         by dualpool.func
//	dualpool.task.run.duration      histogram       s         by dualpool.func
type Producer struct {
	ex    executor.Executor
	attrs []attribute.KeyValue
	start time.Time
}

var _ sdkmetric.Producer = (*Producer)(nil)

// NewProducer returns a Producer of ex's Stats; attrs are added to every point (such as
// a pool's name, to tell several apart).
func NewProducer(ex executor.Executor, attrs ...attribute.KeyValue) *Producer {
	return &Producer{ex: ex, attrs: attrs, start: time.Now()}
}

// Produce implements sdkmetric.Producer.
func (p *Producer) Produce(context.Context) ([]metricdata.ScopeMetrics, error) {
	s := p.ex.Stats()
	now := time.Now()
	set := func(kv ...attribute.KeyValue) attribute.Set {
		return attribute.NewSet(append(append([]attribute.KeyValue(nil), p.attrs...), kv...)...)
	}
	point := func(v int64, kv ...attribute.KeyValue) metricdata.DataPoint[int64] {
		return metricdata.DataPoint[int64]{Attributes: set(kv...), StartTime: p.start, Time: now, Value: v}
	}
	sum := func(name, unit, desc string, monotonic bool, pts ...metricdata.DataPoint[int64]) metricdata.Metrics {
		return metricdata.Metrics{Name: name, Unit: unit, Description: desc, Data: metricdata.Sum[int64]{
			DataPoints: pts, Temporality: metricdata.CumulativeTemporality, IsMonotonic: monotonic}}
	}
	outcome, state := attribute.Key("dualpool.task.outcome"), attribute.Key("dualpool.worker.state")
	ms := []metricdata.Metrics{
		sum("dualpool.tasks.submitted", "{task}", "Tasks the executor took.", true, point(int64(s.Submitted))),
		sum("dualpool.tasks.ended", "{task}", "Tasks that ended, by outcome.", true,
			point(int64(s.Completed), outcome.String("completed")), point(int64(s.Failed), outcome.String("failed")),
			point(int64(s.Cancelled), outcome.String("cancelled"))),
		sum("dualpool.tasks.running", "{task}", "Tasks running now.", false, point(int64(s.Running))),
		sum("dualpool.tasks.queued", "{task}", "Tasks waiting for a worker.", false, point(int64(s.Queued))),
		sum("dualpool.workers", "{worker}", "Workers alive, by state.", false,
			point(int64(s.Busy), state.String("busy")), point(int64(max(s.Workers-s.Busy, 0)), state.String("idle"))),
		sum("dualpool.worker.restarts", "{worker}", "Workers started to replace one that died or was recycled.", true,
			point(int64(s.Restarts))),
	}
	ms = append(ms, p.workers(s, set, now)...)
	ms = append(ms, p.histograms(s, set, now)...)
	return []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: ScopeName}, Metrics: ms}}, nil
}

// workers are the per-worker metrics of a process pool; none for a goroutine pool.
func (p *Producer) workers(s executor.Stats, set func(...attribute.KeyValue) attribute.Set, now time.Time) []metricdata.Metrics {
	if len(s.PerWorker) == 0 {
		return nil
	}
	var mem, tasks []metricdata.DataPoint[int64]
	var cpu []metricdata.DataPoint[float64]
	for _, w := range s.PerWorker {
		a := set(attribute.Int("process.pid", w.PID))
		mem = append(mem, metricdata.DataPoint[int64]{Attributes: a, Time: now, Value: int64(w.Memory)})
		tasks = append(tasks, metricdata.DataPoint[int64]{Attributes: a, StartTime: w.Started, Time: now, Value: int64(w.TasksDone)})
		cpu = append(cpu, metricdata.DataPoint[float64]{Attributes: a, StartTime: w.Started, Time: now, Value: w.CPUTime.Seconds()})
	}
	return []metricdata.Metrics{
		{Name: "dualpool.worker.memory.usage", Unit: "By", Description: "Private memory (USS) of a worker process.",
			Data: metricdata.Gauge[int64]{DataPoints: mem}},
		{Name: "dualpool.worker.cpu.time", Unit: "s", Description: "User and system CPU time of a worker process.",
			Data: metricdata.Sum[float64]{DataPoints: cpu, Temporality: metricdata.CumulativeTemporality, IsMonotonic: true}},
		{Name: "dualpool.worker.tasks", Unit: "{task}", Description: "Tasks a worker process finished.",
			Data: metricdata.Sum[int64]{DataPoints: tasks, Temporality: metricdata.CumulativeTemporality, IsMonotonic: true}},
	}
}

var bounds = func() []float64 {
	b := make([]float64, len(executor.HistogramBounds))
	for i, d := range executor.HistogramBounds {
		b[i] = d.Seconds()
	}
	return b
}()

// histograms are the queue-wait and run-time distributions per function.
func (p *Producer) histograms(s executor.Stats, set func(...attribute.KeyValue) attribute.Set, now time.Time) []metricdata.Metrics {
	if len(s.PerFunc) == 0 {
		return nil
	}
	var wait, run []metricdata.HistogramDataPoint[float64]
	point := func(name string, h executor.Histogram) metricdata.HistogramDataPoint[float64] {
		return metricdata.HistogramDataPoint[float64]{
			Attributes: set(AttrFunc.String(name)), StartTime: p.start, Time: now,
			Count: h.Count, Sum: h.Sum.Seconds(), Bounds: bounds, BucketCounts: append([]uint64(nil), h.Counts[:]...),
		}
	}
	for name, f := range s.PerFunc {
		wait = append(wait, point(name, f.QueueWait))
		run = append(run, point(name, f.Run))
	}
	return []metricdata.Metrics{
		{Name: "dualpool.task.queue_wait.duration", Unit: "s", Description: "Time from Submit to the task's start.",
			Data: metricdata.Histogram[float64]{DataPoints: wait, Temporality: metricdata.CumulativeTemporality}},
		{Name: "dualpool.task.run.duration", Unit: "s", Description: "Time from the task's start to its end.",
			Data: metricdata.Histogram[float64]{DataPoints: run, Temporality: metricdata.CumulativeTemporality}},
	}
}
