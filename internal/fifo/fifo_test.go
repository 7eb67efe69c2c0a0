package fifo_test

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/internal/fifo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// op is one step of a table test on a queue of strings.
type op func(t *testing.T, q *fifo.Queue[string])

func push(v string) op {
	return func(t *testing.T, q *fifo.Queue[string]) { t.Helper(); q.Push(v) }
}

func pushFront(v string) op {
	return func(t *testing.T, q *fifo.Queue[string]) { t.Helper(); q.PushFront(v) }
}

func pop(want string) op {
	return func(t *testing.T, q *fifo.Queue[string]) {
		t.Helper()
		v, ok := q.Pop()
		require.True(t, v == want && ok, "Pop() = %q, %v; want %q, true", v, ok, want)
	}
}

func popEmpty() op {
	return func(t *testing.T, q *fifo.Queue[string]) {
		t.Helper()
		v, ok := q.Pop()
		require.True(t, v == "" && !ok, `Pop() = %q, %v; want "", false`, v, ok)
	}
}

func takeAll(want ...string) op {
	return func(t *testing.T, q *fifo.Queue[string]) {
		t.Helper()
		got := q.TakeAll()
		require.Equal(t, want, got, "TakeAll()")
		require.Zero(t, q.Len(), "Len() after TakeAll")
		require.Zero(t, q.Weight(), "Weight() after TakeAll")
	}
}

func byLen(s string) int { return len(s) }

func TestQueue(t *testing.T) {
	for _, tc := range []struct {
		name       string
		weigh      func(string) int // nil: the zero Queue
		ops        []op
		wantLen    int
		wantWeight int
		wantRest   []string // what TakeAll returns at the end
	}{
		{name: "zero value is empty", ops: []op{popEmpty()}},
		{name: "New(nil) is empty", weigh: nil, ops: []op{popEmpty(), takeAll()}},
		{
			name:    "first in, first out",
			ops:     []op{push("a"), push("b"), push("c"), pop("a")},
			wantLen: 2, wantWeight: 2, wantRest: []string{"b", "c"},
		},
		{
			name: "pop until empty, then again",
			ops:  []op{push("a"), push("b"), pop("a"), pop("b"), popEmpty(), push("c"), pop("c"), popEmpty()},
		},
		{
			name:    "push front onto an empty queue",
			ops:     []op{pushFront("x")},
			wantLen: 1, wantWeight: 1, wantRest: []string{"x"},
		},
		{
			name:    "push front goes before the oldest",
			ops:     []op{push("a"), push("b"), pushFront("x")},
			wantLen: 3, wantWeight: 3, wantRest: []string{"x", "a", "b"},
		},
		{
			name:    "push front takes the slot of the last pop",
			ops:     []op{push("a"), push("b"), push("c"), pop("a"), pushFront("x"), pushFront("y")},
			wantLen: 4, wantWeight: 4, wantRest: []string{"y", "x", "b", "c"},
		},
		{
			name:    "push front is popped next",
			ops:     []op{push("a"), pop("a"), push("b"), pushFront("x"), pop("x"), pop("b"), popEmpty()},
			wantLen: 0, wantWeight: 0,
		},
		{
			name: "values move to the front when the popped half is reused",
			// Four pushes fill an array of four; after two pops the fifth push moves
			// c and d to the start instead of growing.
			ops:     []op{push("a"), push("b"), push("c"), push("d"), pop("a"), pop("b"), push("e"), push("f"), push("g")},
			wantLen: 5, wantWeight: 5, wantRest: []string{"c", "d", "e", "f", "g"},
		},
		{
			name:    "take all, then use again",
			ops:     []op{push("a"), push("b"), pop("a"), takeAll("b"), push("c"), pushFront("d")},
			wantLen: 2, wantWeight: 2, wantRest: []string{"d", "c"},
		},
		{name: "take all of an empty queue", ops: []op{takeAll(), popEmpty()}},
		{
			name:  "weight is the sum over the values",
			weigh: byLen,
			ops:   []op{push("aa"), push("bbb"), pushFront("c"), push("")},
			// a value of weight 0 still counts in Len
			wantLen: 4, wantWeight: 6, wantRest: []string{"c", "aa", "bbb", ""},
		},
		{
			name:    "pop takes its weight away",
			weigh:   byLen,
			ops:     []op{push("aa"), push("bbb"), push("cccc"), pop("aa"), pop("bbb")},
			wantLen: 1, wantWeight: 4, wantRest: []string{"cccc"},
		},
		{
			name:    "take all resets the weight",
			weigh:   byLen,
			ops:     []op{push("aa"), push("bbb"), takeAll("aa", "bbb"), push("d")},
			wantLen: 1, wantWeight: 1, wantRest: []string{"d"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := new(fifo.Queue[string])
			if tc.weigh != nil {
				q = fifo.New(tc.weigh)
			}
			for _, o := range tc.ops {
				o(t, q)
			}
			assert.Equal(t, tc.wantLen, q.Len(), "Len()")
			assert.Equal(t, tc.wantWeight, q.Weight(), "Weight()")
			assert.Equal(t, tc.wantRest, q.TakeAll(), "TakeAll()")
		})
	}
}

// TestQueueMatchesASlice runs a long random sequence of operations on a Queue and on a
// plain slice, and compares them after each.
func TestQueueMatchesASlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	q := fifo.New(func(v int) int { return v % 7 })
	var model []int
	weight := func() (w int) {
		for _, v := range model {
			w += v % 7
		}
		return w
	}
	for i := range 20_000 {
		switch r := rng.IntN(100); {
		case r < 45:
			q.Push(i)
			model = append(model, i)
		case r < 55:
			q.PushFront(i)
			model = append([]int{i}, model...)
		case r < 99:
			v, ok := q.Pop()
			if len(model) == 0 {
				require.False(t, ok, "step %d: Pop() = %d, %v; want 0, false", i, v, ok)
				continue
			}
			require.True(t, ok && v == model[0], "step %d: Pop() = %d, %v; want %d, true", i, v, ok, model[0])
			model = model[1:]
		default:
			all := q.TakeAll()
			require.Equal(t, append([]int(nil), model...), all, "step %d: TakeAll()", i)
			model = nil
		}
		require.Equal(t, len(model), q.Len(), "step %d: Len()", i)
		require.Equal(t, weight(), q.Weight(), "step %d: Weight()", i)
	}
}

func TestTakeAllReturnsItsOwnSlice(t *testing.T) {
	var q fifo.Queue[int]
	q.Push(1)
	q.Push(2)
	all := q.TakeAll()
	q.Push(3)
	q.Push(4)
	all[0] = 9
	assert.Equal(t, []int{9, 2}, all, "later pushes do not write into what TakeAll returned")
	assert.Equal(t, []int{3, 4}, q.TakeAll(), "writes to what TakeAll returned do not reach the queue")
}

func TestQueueReusesStorage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		do     func(q *fifo.Queue[int])
		allocs float64
	}{
		{"fill and drain", func(q *fifo.Queue[int]) {
			for i := range 64 {
				q.Push(i)
			}
			for range 64 {
				q.Pop()
			}
		}, 0},
		{"a backlog that slides", func(q *fifo.Queue[int]) {
			// Never empty, so the head never resets: the values must move back.
			for i := range 256 {
				q.Push(i)
				q.Pop()
			}
		}, 0},
		{"push front after a pop", func(q *fifo.Queue[int]) {
			v, _ := q.Pop()
			q.PushFront(v)
		}, 0},
		{"take all and refill", func(q *fifo.Queue[int]) {
			q.TakeAll()
			for i := range 64 {
				q.Push(i)
			}
		}, 1}, // the slice TakeAll returns
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q fifo.Queue[int]
			for i := range 64 {
				q.Push(i)
			}
			tc.do(&q) // warm up
			if got := testing.AllocsPerRun(100, func() { tc.do(&q) }); got != tc.allocs {
				t.Errorf("%s: %v allocations per run; want %v", tc.name, got, tc.allocs)
			}
		})
	}
}

// payload is big enough to get a heap object of its own; its bytes are never read.
type payload struct{ _ [64]byte }

// TestQueueDropsReferences checks that a value popped or taken is no longer kept alive
// by the queue's storage.
func TestQueueDropsReferences(t *testing.T) {
	for _, tc := range []struct {
		name string
		// use pushes the payload with push among other values, and removes it.
		use func(q *fifo.Queue[*payload], push func())
	}{
		{"Pop", func(q *fifo.Queue[*payload], push func()) {
			push()
			q.Push(nil)
			q.Pop()
		}},
		{"TakeAll", func(q *fifo.Queue[*payload], push func()) {
			q.Push(nil)
			push()
			q.TakeAll()
		}},
		{"Pop after the values moved back", func(q *fifo.Queue[*payload], push func()) {
			// A full array of four, half popped: the next push moves the last two
			// values to the start, and the slots they leave must not keep them.
			q.Push(nil)
			q.Push(nil)
			q.Push(nil)
			push()
			q.Pop()
			q.Pop()
			q.Push(nil)
			q.Pop()
			q.Pop()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := new(fifo.Queue[*payload])
			var w weak.Pointer[payload]
			tc.use(q, func() { w = pushPayload(q) })
			runtime.GC()
			assert.Nil(t, w.Value(), "the value is still reachable from the queue")
			runtime.KeepAlive(q)
		})
	}
}

// pushPayload pushes a new payload onto q and returns a weak pointer to it.
//
//go:noinline
func pushPayload(q *fifo.Queue[*payload]) weak.Pointer[payload] {
	v := new(payload)
	q.Push(v)
	return weak.Make(v)
}

func TestPeek(t *testing.T) {
	var q fifo.Queue[int]
	if v, ok := q.Peek(); ok || v != 0 {
		t.Fatalf("Peek() on an empty queue = %d, %v; want 0, false", v, ok)
	}
	q.Push(1)
	q.Push(2)
	q.PushFront(0)
	for want := range 3 {
		if v, ok := q.Peek(); !ok || v != want {
			t.Fatalf("Peek() = %d, %v; want %d, true", v, ok, want)
		}
		if v, _ := q.Pop(); v != want {
			t.Fatalf("Pop() after Peek() = %d; want %d", v, want)
		}
	}
}
