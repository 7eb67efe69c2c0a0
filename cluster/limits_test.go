package cluster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/cluster"
	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
)

// The embedded server's maximum payload is 1 MiB.
const overPayload = 2 << 20

func TestTaskOverTheMaximumPayload(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	_, err := submitWait(ctx, p, byteLen, make([]byte, overPayload))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "over the server's maximum payload")

	_, err = submitWait(ctx, p, workloads.LargeResult, overPayload)
	require.Error(t, err, "an answer over the maximum payload")
	assert.Contains(t, err.Error(), "answer of")
	assert.Contains(t, err.Error(), "over the server's maximum payload")

	v, err := submitWait(ctx, p, byteLen, make([]byte, 1000))
	require.NoError(t, err)
	assert.Equal(t, 1000, v, "the pool serves on")
}

func TestMapChunkOverTheMaximumPayloadGoesCallByCall(t *testing.T) {
	p := newPool(t)
	in := make([][]byte, 8)
	for i := range in {
		in[i] = make([]byte, 300<<10+i)
	}
	var got []int
	for v, err := range executor.Map(context.Background(), p, byteLen, slices.Values(in), executor.Chunk(8)) {
		require.NoError(t, err)
		got = append(got, v)
	}
	for i, v := range got {
		assert.Equal(t, 300<<10+i, v)
	}
	assert.Len(t, got, len(in))
}

func TestCloseFromADoneCallback(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	dir := t.TempDir()
	held, err := executor.Submit(ctx, p, gate, GateArgs{dir, "held"})
	require.NoError(t, err)
	waitFile(t, dir, "held.started")
	closed := make(chan error, 1)
	f, err := executor.Submit(ctx, p, gate, GateArgs{dir, "f"})
	require.NoError(t, err)
	f.AddDoneCallback(func(*executor.Future[int]) { closed <- p.Close() })
	release(t, dir, "f") // after AddDoneCallback: the callback runs where the answer is handled
	assert.NoError(t, <-closed)
	_, err = executor.Submit(ctx, p, workloads.Square, 3)
	assert.ErrorIs(t, err, executor.ErrShutdown)
	release(t, dir, "held")
	_, err = held.Result(ctx)
	assert.NoError(t, err, "a task running when Close was called finishes")
	assert.NoError(t, p.Close())
}

func TestAMessageTheServerRefusesFailsItsTask(t *testing.T) {
	p := newPool(t, cluster.WithName("refused"))
	nc, err := nats.Connect(p.URL())
	require.NoError(t, err)
	defer nc.Close()
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	require.NoError(t, js.DeleteStream(context.Background(), "DUALPOOL_refused"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = submitWait(ctx, p, workloads.Square, 2)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the task waited instead of failing")
	assert.Contains(t, err.Error(), "the server did not take the task")
}
