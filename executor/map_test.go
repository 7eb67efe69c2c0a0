package executor_test

import (
	"context"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dualpool/dualpool/executor"
)

// step is the input of a task that waits for its turn and records when it finished.
type step struct {
	id      int
	release chan struct{}
	log     *finishLog
}

type finishLog struct {
	mu    sync.Mutex
	order []int
	next  chan int // the id of each task as it finishes
}

var stepTask = executor.Register("executor_test.step", func(_ context.Context, s step) (int, error) {
	<-s.release
	s.log.mu.Lock()
	s.log.order = append(s.log.order, s.id)
	s.log.mu.Unlock()
	s.log.next <- s.id
	return s.id * 10, nil
})

// steps returns n steps that finish in the order finish gives, one after another.
func steps(n int, finish []int) ([]step, *finishLog) {
	log := &finishLog{next: make(chan int, n)}
	ss := make([]step, n)
	for i := range ss {
		ss[i] = step{id: i, release: make(chan struct{}), log: log}
	}
	go func() {
		for _, id := range finish {
			close(ss[id].release)
			<-log.next
		}
	}()
	return ss, log
}

func TestMapYieldsInInputOrder(t *testing.T) {
	p := newPool(t, 3)
	ss, log := steps(3, []int{2, 1, 0})
	var got []int
	for v, err := range executor.Map(context.Background(), p, stepTask, slices.Values(ss)) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{0, 10, 20}, got)
	assert.Equal(t, []int{2, 1, 0}, log.order, "later items finished first")
}

func TestMapUnorderedYieldsInCompletionOrder(t *testing.T) {
	p := newPool(t, 3)
	log := &finishLog{next: make(chan int, 3)}
	ss := make([]step, 3)
	for i := range ss {
		ss[i] = step{id: i, release: make(chan struct{}), log: log}
	}
	finish := []int{2, 0, 1}
	close(ss[finish[0]].release)
	var idx, vals []int
	for r := range executor.MapUnordered(context.Background(), p, stepTask, slices.Values(ss)) {
		require.NoError(t, r.Err)
		idx = append(idx, r.Index)
		vals = append(vals, r.Value)
		if len(idx) < len(finish) {
			close(ss[finish[len(idx)]].release) // the next finishes only after this one was yielded
		}
	}
	assert.Equal(t, []int{2, 0, 1}, idx)
	assert.Equal(t, []int{20, 0, 10}, vals)
}

func TestMapErrorAtItsPosition(t *testing.T) {
	p := newPool(t, 2)
	for _, chunk := range []int{1, 3, 100} {
		var vals []int
		var errs []string
		for v, err := range executor.Map(context.Background(), p, failOdd, seq(0, 7), executor.Chunk(chunk)) {
			vals = append(vals, v)
			if err != nil {
				errs = append(errs, err.Error())
			} else {
				errs = append(errs, "")
			}
		}
		assert.Equal(t, []int{0, 0, 2, 0, 4, 0, 6}, vals, "Chunk(%d)", chunk)
		assert.Equal(t, []string{"", "odd 1", "", "odd 3", "", "odd 5", ""}, errs, "Chunk(%d)", chunk)
	}
}

func TestMapChunkAndWindowResults(t *testing.T) {
	p := newPool(t, 2)
	for _, opts := range [][]executor.MapOption{
		{executor.Chunk(1)}, {executor.Chunk(7)}, {executor.Chunk(64), executor.Window(64)},
		{executor.Window(1)}, {executor.Chunk(5), executor.Window(3)},
	} {
		var got []int
		for v, err := range executor.Map(context.Background(), p, square, seq(0, 1000), opts...) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Len(t, got, 1000)
		for i, v := range got {
			if v != i*i {
				t.Fatalf("Map(square)[%d] = %d; want %d", i, v, i*i)
			}
		}
	}
	require.NoError(t, p.Close()) // the counters are final once the workers are gone
	assert.EqualValues(t, 5000, p.Stats().Completed)
}

func TestMapWindowBoundsItemsInFlight(t *testing.T) {
	p := newPool(t, 2)
	var pulled atomic.Int64
	endless := func(yield func(int) bool) {
		for i := 0; ; i++ {
			pulled.Add(1)
			if !yield(i) {
				return
			}
		}
	}
	const window, chunk = 8, 3
	yielded := 0
	for v, err := range executor.Map(context.Background(), p, square, endless, executor.Window(window), executor.Chunk(chunk)) {
		require.NoError(t, err)
		require.Equal(t, yielded*yielded, v)
		yielded++
		if ahead := pulled.Load() - int64(yielded); ahead > window+chunk {
			t.Fatalf("after %d results Map had pulled %d inputs: %d ahead; want at most %d", yielded, pulled.Load(), ahead, window+chunk)
		}
		if yielded == 500 {
			break
		}
	}
}

var waitCtxStarted atomic.Int32

// waitIn is waitCtx's input: the first item waits for enough, the others for their ctx.
type waitIn struct {
	n      int
	enough chan struct{}
}

var waitCtx = executor.Register("executor_test.waitctx", func(ctx context.Context, in waitIn) (int, error) {
	if in.n == 0 {
		<-in.enough
		return 0, nil
	}
	waitCtxStarted.Add(1)
	<-ctx.Done()
	return 0, ctx.Err()
})

func TestMapBreakCancelsTheRest(t *testing.T) {
	p := newPool(t, 2)
	waitCtxStarted.Store(0)
	enough := make(chan struct{})
	inputs := func(yield func(waitIn) bool) {
		for i := range 1000 {
			if i == 8 {
				close(enough) // several items are queued in the pool by now
			}
			if !yield(waitIn{n: i, enough: enough}) {
				return
			}
		}
	}
	for v, err := range executor.Map(context.Background(), p, waitCtx, inputs) {
		require.NoError(t, err)
		assert.Equal(t, 0, v)
		break
	}
	// Running items saw their ctx cancelled, so the pool can close; pending ones never ran.
	require.NoError(t, p.Close())
	assert.LessOrEqual(t, waitCtxStarted.Load(), int32(2), "items started after the break")
	s := p.Stats()
	assert.Equal(t, s.Submitted, s.Completed+s.Failed+s.Cancelled, "every item resolved: %+v", s)
	assert.Greater(t, s.Cancelled, uint64(0), "queued items were cancelled: %+v", s)
}

func TestMapCtxEndYieldsItsErrorOnce(t *testing.T) {
	p := newPool(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	gates := []*gate{newGate(0), newGate(1), newGate(2)}
	var errs []error
	n := 0
	go func() { <-gates[0].started; cancel() }()
	for _, err := range executor.Map(ctx, p, gated, slices.Values(gates)) {
		n++
		errs = append(errs, err)
	}
	require.Len(t, errs, 1, "one error, then the loop ends")
	assert.ErrorIs(t, errs[0], context.Canceled)
}

func TestMapBadArguments(t *testing.T) {
	p := newPool(t, 1)
	var zero executor.Func[int, int]
	for name, tc := range map[string]struct {
		f    executor.Func[int, int]
		opts []executor.MapOption
		want string
	}{
		"Chunk(0)":  {square, []executor.MapOption{executor.Chunk(0)}, "executor: Chunk(0): want at least 1"},
		"Window(0)": {square, []executor.MapOption{executor.Window(-1)}, "executor: Window(-1): want at least 1"},
		"zero Func": {zero, nil, "executor: unknown function: Map of a zero Func (not made by Register)"},
	} {
		var errs []string
		for _, err := range executor.Map(context.Background(), p, tc.f, seq(0, 5), tc.opts...) {
			errs = append(errs, err.Error())
		}
		assert.Equal(t, []string{tc.want}, errs, name)
	}
}

func TestMapOnShutDownExecutor(t *testing.T) {
	p := newPool(t, 1)
	require.NoError(t, p.Close())
	n := 0
	for _, err := range executor.Map(context.Background(), p, square, seq(0, 4), executor.Chunk(2)) {
		assert.ErrorIs(t, err, executor.ErrShutdown)
		n++
	}
	assert.Equal(t, 4, n, "each item reports the error at its own position")
}

func TestMapSlowConsumer(t *testing.T) {
	p := newPool(t, 2)
	i := 0
	for v, err := range executor.Map(context.Background(), p, square, seq(0, 20), executor.Window(4)) {
		require.NoError(t, err)
		require.Equal(t, i*i, v)
		i++
		time.Sleep(time.Millisecond) // the consumer is the slow side
	}
	assert.Equal(t, 20, i)
}

// seq yields the ints from lo up to hi (excluded).
func seq(lo, hi int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := lo; i < hi; i++ {
			if !yield(i) {
				return
			}
		}
	}
}
