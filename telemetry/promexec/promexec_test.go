package promexec_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
	"github.com/dualpool/dualpool/telemetry/promexec"
	"github.com/dualpool/dualpool/threadpool"
)

var square = executor.Register("promexec_test.square", func(_ context.Context, n int) (int, error) { return n * n, nil })

var fail = executor.Register("promexec_test.fail", func(_ context.Context, _ int) (int, error) {
	return 0, context.DeadlineExceeded
})

// scrape serves reg's metrics over HTTP as Prometheus scrapes them, and parses the answer.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, label ...string) float64 {
	t.Helper()
	f := fams[name]
	require.NotNil(t, f, "no metric %s", name)
	for _, m := range f.Metric {
		if len(label) == 0 || hasLabel(m, label[0], label[1]) {
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	t.Fatalf("no series %s%v", name, label)
	return 0
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.Label {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

func TestCollectorThreadpool(t *testing.T) {
	p, err := threadpool.New(threadpool.WithMaxWorkers(2))
	require.NoError(t, err)
	defer p.Close()
	ctx := context.Background()
	for i := range 5 {
		f, err := executor.Submit(ctx, p, square, i)
		require.NoError(t, err)
		_, err = f.Result(ctx)
		require.NoError(t, err)
	}
	f, err := executor.Submit(ctx, p, fail, 0)
	require.NoError(t, err)
	_, err = f.Result(ctx)
	require.Error(t, err)

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(promexec.New(p, promexec.WithConstLabels(prometheus.Labels{"pool": "io"}))))
	fams := scrape(t, reg)

	assert.EqualValues(t, 6, value(t, fams, "dualpool_tasks_submitted_total"))
	assert.EqualValues(t, 5, value(t, fams, "dualpool_tasks_total", "outcome", "completed"))
	assert.EqualValues(t, 1, value(t, fams, "dualpool_tasks_total", "outcome", "failed"))
	assert.EqualValues(t, 0, value(t, fams, "dualpool_tasks_running"))
	assert.EqualValues(t, 0, value(t, fams, "dualpool_tasks_queued"))
	assert.EqualValues(t, 0, value(t, fams, "dualpool_workers", "state", "busy"))
	assert.Equal(t, "io", fams["dualpool_tasks_queued"].Metric[0].Label[0].GetValue())

	run := fams["dualpool_task_run_seconds"]
	require.NotNil(t, run)
	assert.Equal(t, dto.MetricType_HISTOGRAM, run.GetType())
	var sq *dto.Histogram
	for _, m := range run.Metric {
		if hasLabel(m, "func", "promexec_test.square") {
			sq = m.Histogram
		}
	}
	require.NotNil(t, sq)
	assert.EqualValues(t, 5, sq.GetSampleCount())
	require.Len(t, sq.Bucket, executor.HistogramBuckets, "a bucket per bound, and +Inf")
	assert.InDelta(t, 1e-6, sq.Bucket[0].GetUpperBound(), 1e-12)
	assert.InDelta(t, 100, sq.Bucket[len(sq.Bucket)-2].GetUpperBound(), 1e-9)
	assert.EqualValues(t, 5, sq.Bucket[len(sq.Bucket)-2].GetCumulativeCount(), "every run is under 100s")
	assert.NotNil(t, fams["dualpool_task_queue_wait_seconds"])
}

func TestCollectorProcpool(t *testing.T) {
	p, err := procpool.New(procpool.WithWorkers(2), procpool.WithEnv("GORACE=atexit_sleep_ms=0"))
	require.NoError(t, err)
	defer p.Close()
	ctx := context.Background()
	for i := range 4 {
		f, err := executor.Submit(ctx, p, square, i)
		require.NoError(t, err)
		_, err = f.Result(ctx)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return p.Stats().Workers == 2 }, 10*time.Second, time.Millisecond)
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(promexec.New(p)))
	fams := scrape(t, reg)

	assert.EqualValues(t, 4, value(t, fams, "dualpool_tasks_total", "outcome", "completed"))
	assert.EqualValues(t, 0, value(t, fams, "dualpool_worker_restarts_total"))
	mem := fams["dualpool_worker_memory_bytes"]
	require.NotNil(t, mem)
	assert.Len(t, mem.Metric, p.Stats().Workers)
	for _, m := range mem.Metric {
		assert.Positive(t, m.Gauge.GetValue(), "a worker's memory")
	}
	var tasks float64
	for _, m := range fams["dualpool_worker_tasks_total"].Metric {
		tasks += m.Counter.GetValue()
	}
	assert.EqualValues(t, 4, tasks)
	assert.NotNil(t, fams["dualpool_worker_cpu_seconds_total"])
	assert.EqualValues(t, 2, value(t, fams, "dualpool_workers", "state", "idle")+value(t, fams, "dualpool_workers", "state", "busy"))
}
