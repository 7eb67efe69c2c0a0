package executor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
)

func TestAsCompletedYieldsFinishedFirst(t *testing.T) {
	p := newPool(t, 2)
	ctx := context.Background()
	g := newGate(1)
	slow := submitGated(t, p, g)
	<-g.started
	fast, err := executor.Submit(ctx, p, square, 3)
	require.NoError(t, err)
	<-fast.Done()

	var got []*executor.Future[int]
	for f := range executor.AsCompleted(ctx, slow, fast, fast, nil) {
		got = append(got, f)
		if len(got) == 1 {
			g.open() // the slow one finishes only after the first is yielded
		}
	}
	assert.Equal(t, []*executor.Future[int]{fast, slow}, got, "finished first, each once, nil skipped")
}

func TestAsCompletedCompletionOrder(t *testing.T) {
	p := newPool(t, 3)
	gates := []*gate{newGate(0), newGate(1), newGate(2)}
	var futs []*executor.Future[int]
	for _, g := range gates {
		futs = append(futs, submitGated(t, p, g))
		<-g.started
	}
	order := []int{2, 0, 1}
	i := 0
	gates[order[0]].open()
	for f := range executor.AsCompleted(context.Background(), futs...) {
		v, err := f.Result(context.Background())
		require.NoError(t, err)
		assert.Equal(t, order[i], v, "completion %d", i)
		i++
		if i < len(order) {
			gates[order[i]].open()
		}
	}
	assert.Equal(t, 3, i)
}

func TestAsCompletedStopsWhenCtxEnds(t *testing.T) {
	p := newPool(t, 2)
	g1, g2 := newGate(1), newGate(2)
	f1, f2 := submitGated(t, p, g1), submitGated(t, p, g2)
	defer g2.open()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []*executor.Future[int]
	g1.open()
	for f := range executor.AsCompleted(ctx, f1, f2) {
		got = append(got, f)
		cancel()
	}
	assert.Equal(t, []*executor.Future[int]{f1}, got)
	assert.ErrorIs(t, ctx.Err(), context.Canceled, "the caller tells an early stop by ctx.Err()")
}

func TestWaitFirstCompletedReturnsAtOnceIfOneIsDone(t *testing.T) {
	p := newPool(t, 2)
	g := newGate(1)
	running := submitGated(t, p, g)
	defer g.open()
	done, err := executor.Submit(context.Background(), p, square, 2)
	require.NoError(t, err)
	<-done.Done()

	d, nd := executor.Wait(context.Background(), []*executor.Future[int]{running, done}, executor.FirstCompleted)
	assert.Equal(t, []*executor.Future[int]{done}, d)
	assert.Equal(t, []*executor.Future[int]{running}, nd)
}

func TestWaitFirstCompletedWaits(t *testing.T) {
	p := newPool(t, 2)
	g1, g2 := newGate(1), newGate(2)
	f1, f2 := submitGated(t, p, g1), submitGated(t, p, g2)
	defer g1.open()
	<-g2.started
	go g2.open()
	d, nd := executor.Wait(context.Background(), []*executor.Future[int]{f1, f2}, executor.FirstCompleted)
	assert.Equal(t, []*executor.Future[int]{f2}, d)
	assert.Equal(t, []*executor.Future[int]{f1}, nd)
}

func TestWaitFirstErrorReturnsWhenOneFails(t *testing.T) {
	p := newPool(t, 3)
	ok, bad, slow := newGate(1), newGate(2), newGate(3)
	bad.err = errBoom
	futs := []*executor.Future[int]{submitGated(t, p, ok), submitGated(t, p, bad), submitGated(t, p, slow)}
	defer slow.open()
	<-ok.started
	<-bad.started
	ok.open() // a success does not end a FirstError wait
	<-futs[0].Done()
	bad.open()
	d, nd := executor.Wait(context.Background(), futs, executor.FirstError)
	assert.Equal(t, futs[:2], d)
	assert.Equal(t, futs[2:], nd)
	assert.ErrorIs(t, futs[1].Err(), errBoom)
}

func TestWaitFirstErrorWithoutErrorsIsAllCompleted(t *testing.T) {
	p := newPool(t, 2)
	var futs []*executor.Future[int]
	for i := range 6 {
		f, err := executor.Submit(context.Background(), p, failOdd, 2*i)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	d, nd := executor.Wait(context.Background(), futs, executor.FirstError)
	assert.Len(t, d, 6)
	assert.Empty(t, nd)
}

func TestWaitAllCompleted(t *testing.T) {
	p := newPool(t, 2)
	var futs []*executor.Future[int]
	for i := range 20 {
		f, err := executor.Submit(context.Background(), p, square, i)
		require.NoError(t, err)
		futs = append(futs, f)
	}
	cancelled, err := executor.Submit(context.Background(), p, square, 1)
	require.NoError(t, err)
	cancelled.Cancel()
	futs = append(futs, cancelled, futs[0])
	d, nd := executor.Wait(context.Background(), futs, executor.AllCompleted)
	assert.Equal(t, futs[:21], d, "input order, without the duplicate")
	assert.Empty(t, nd)
}

func TestWaitReturnsSplitWhenCtxEnds(t *testing.T) {
	p := newPool(t, 2)
	g := newGate(1)
	hung := submitGated(t, p, g)
	defer g.open()
	quick, err := executor.Submit(context.Background(), p, square, 4)
	require.NoError(t, err)
	<-quick.Done()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	d, nd := executor.Wait(ctx, []*executor.Future[int]{hung, quick}, executor.AllCompleted)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, []*executor.Future[int]{quick}, d)
	assert.Equal(t, []*executor.Future[int]{hung}, nd)
}
