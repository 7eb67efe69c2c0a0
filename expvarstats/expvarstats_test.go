package expvarstats_test

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/expvarstats"
	"github.com/dualpool/dualpool/threadpool"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var runs atomic.Int64

var double = executor.Register("expvarstats_test.double", func(_ context.Context, n int) (int, error) { return 2 * n, nil })

func TestPublish(t *testing.T) {
	p, err := threadpool.New(threadpool.WithMaxWorkers(2))
	require.NoError(t, err)
	defer p.Close()
	for i := range 3 {
		f, err := executor.Submit(context.Background(), p, double, i)
		require.NoError(t, err)
		_, err = f.Result(context.Background())
		require.NoError(t, err)
	}
	name := fmt.Sprintf("expvarstats_test.pool%d", runs.Add(1)) // a name per run: -count=n
	expvarstats.Publish(name, p)

	rec := httptest.NewRecorder()
	expvar.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/vars", nil))
	var vars map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &vars), rec.Body.String())
	var s expvarstats.Stats
	require.NoError(t, json.Unmarshal(vars[name], &s), string(vars[name]))
	assert.EqualValues(t, 3, s.Submitted)
	assert.EqualValues(t, 3, s.Completed)
	assert.EqualValues(t, 3, s.Run.Count)
	assert.Len(t, s.Run.Buckets, executor.HistogramBuckets)
	assert.Len(t, s.Run.Bounds, executor.HistogramBuckets-1)
	assert.InDelta(t, 1e-6, s.Run.Bounds[0], 1e-12)
	assert.EqualValues(t, 3, s.PerFunc["expvarstats_test.double"].QueueWait.Count)

	assert.Panics(t, func() { expvarstats.Publish(name, p) }, "a name published twice")
}

func ExamplePublish() {
	p, _ := threadpool.New()
	defer p.Close()
	expvarstats.Publish("example_pool", p) // served at /debug/vars with expvar's handler

	f, _ := executor.Submit(context.Background(), p, double, 21)
	f.Result(context.Background())
	var s expvarstats.Stats
	json.Unmarshal([]byte(expvar.Get("example_pool").String()), &s)
	fmt.Println(s.Completed, s.Run.Count, len(s.Run.Buckets))
	// Output: 1 1 26
}
