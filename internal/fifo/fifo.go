// Package fifo is the first-in, first-out queue that dualpool's backends keep their waiting
// tasks in: a slice whose head moves forward as values are popped, and whose values move
// back to the start, rather than into a larger array, once at least half of it has been
// popped. A queue that is filled and drained over and over so stops allocating.
//
// [Room] is where the submitters to a bounded queue wait for room, for both pools.
//
// The queue knows nothing of tasks: it also keeps a weight, the sum of a function of its
// values, so that a queue of Map chunks can say how many tasks it holds. It does no
// locking; its owner does.
package fifo

// Queue is a FIFO of values of type T that grows as needed and reuses its storage. Every
// operation is O(1), amortised, except [Queue.TakeAll] and a [Queue.PushFront] onto a queue
// whose head has no room, which copy the values.
//
// The zero value is an empty queue in which every value weighs 1; [New] gives values
// weights of their own. A Queue is not safe for concurrent use.
type Queue[T any] struct {
	buf    []T // buf[head:] are the values, oldest first
	head   int
	weight int
	weigh  func(T) int // nil: each value weighs 1
}

// New returns an empty queue whose weight, reported by [Queue.Weight], is the sum of
// weigh(v) over the values v it holds. weigh is called once per value as it enters and
// once as it leaves, so it must return the same figure both times; nil weighs every value
// 1, as the zero Queue does.
func New[T any](weigh func(T) int) *Queue[T] {
	return &Queue[T]{weigh: weigh}
}

// Len returns the number of values in q.
func (q *Queue[T]) Len() int { return len(q.buf) - q.head }

// Weight returns the sum of the weights of the values in q; see [New].
func (q *Queue[T]) Weight() int { return q.weight }

// Push adds v at the back of q. When the storage is full and its first half or more has
// been popped, the values move to the front instead of into a larger array.
func (q *Queue[T]) Push(v T) {
	if q.head > 0 && len(q.buf) == cap(q.buf) && q.head >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, v)
	q.weight += q.weightOf(v)
}

// PushFront adds v at the front of q, to be popped next: a task that lost its worker goes
// first. It takes the slot of the last value popped if there is one, and otherwise shifts
// the values one place back.
func (q *Queue[T]) PushFront(v T) {
	if q.head > 0 {
		q.head--
		q.buf[q.head] = v
	} else {
		var zero T
		q.buf = append(q.buf, zero)
		copy(q.buf[1:], q.buf)
		q.buf[0] = v
	}
	q.weight += q.weightOf(v)
}

// Pop removes and returns the value at the front of q, and reports false, with the zero
// value, when q is empty. The queue drops its reference to the value.
func (q *Queue[T]) Pop() (T, bool) {
	var zero T
	if q.head == len(q.buf) {
		return zero, false
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	q.weight -= q.weightOf(v)
	return v, true
}

// Peek returns the value at the front of q without removing it, and reports false, with
// the zero value, when q is empty.
func (q *Queue[T]) Peek() (T, bool) {
	if q.head == len(q.buf) {
		var zero T
		return zero, false
	}
	return q.buf[q.head], true
}

// TakeAll empties q and returns its values, oldest first, in a new slice (nil if q was
// empty). q keeps its storage, cleared, for later values.
func (q *Queue[T]) TakeAll() []T {
	all := append([]T(nil), q.buf[q.head:]...)
	clear(q.buf)
	q.buf, q.head, q.weight = q.buf[:0], 0, 0
	return all
}

func (q *Queue[T]) weightOf(v T) int {
	if q.weigh == nil {
		return 1
	}
	return q.weigh(v)
}
