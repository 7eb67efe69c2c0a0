package threadpool

import "github.com/dualpool/dualpool/backend"

// item is one entry of the pool's queue: a task, or a batch from Map's Chunk.
type item struct {
	task  backend.Task
	batch []backend.Task
}

func (it item) size() int {
	if it.task != nil {
		return 1
	}
	return len(it.batch)
}

// queue is a FIFO of items that grows as needed and reuses its storage.
type queue struct {
	buf   []item
	head  int
	tasks int // tasks in the queue, batches counted by their size
}

func (q *queue) len() int { return len(q.buf) - q.head }

func (q *queue) push(it item) {
	if q.head > 0 && len(q.buf) == cap(q.buf) && q.head >= len(q.buf)/2 {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, it)
	q.tasks += it.size()
}

func (q *queue) pop() (item, bool) {
	if q.head == len(q.buf) {
		return item{}, false
	}
	it := q.buf[q.head]
	q.buf[q.head] = item{}
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	q.tasks -= it.size()
	return it, true
}

// takeAll empties the queue and returns what it held.
func (q *queue) takeAll() []item {
	all := append([]item(nil), q.buf[q.head:]...)
	clear(q.buf)
	q.buf, q.head, q.tasks = q.buf[:0], 0, 0
	return all
}
